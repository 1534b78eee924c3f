/**
 * Routes: each page is its own chunk (route-level code splitting), so the sign-in page loads only what it needs.
 * Patient data never goes in a URL beyond a patient's id and the search text.
 */
import { lazy, Suspense, useEffect } from 'react';
import { BrowserRouter, Navigate, Route, Routes } from 'react-router';
import { session } from './api/client';
import { useSession } from './api/useSession';
import { Loading } from './components/Loading';
import { Allowed } from './components/Allowed';
import { homePath } from './roles';

const SignInPage = lazy(() => import('./routes/sign-in/SignInPage'));
const SignedInLayout = lazy(() => import('./components/SignedInLayout'));
const PatientsPage = lazy(() => import('./routes/patients/PatientsPage'));
const NewPatientPage = lazy(() => import('./routes/patients/NewPatientPage'));
const PatientPage = lazy(() => import('./routes/patients/PatientPage'));
const AnalyticsPage = lazy(() => import('./routes/analytics/AnalyticsPage'));
const UsersPage = lazy(() => import('./routes/users/UsersPage'));
const AuditPage = lazy(() => import('./routes/audit/AuditPage'));
const AuditTrailPage = lazy(() => import('./routes/audit/AuditTrailPage'));
const NotFoundPage = lazy(() => import('./routes/NotFoundPage'));


function Home() {
  const state = useSession();
  return state.status === 'signed-in' ? <Navigate to={homePath(state.role)} replace /> : <Navigate to="/sign-in" replace />;
}

export function App() {
  const state = useSession();
  useEffect(() => {
    void session.restore();
  }, []);
  if (state.status === 'restoring') return <Loading />;
  return (
    <BrowserRouter>
      <Suspense fallback={<Loading />}>
        <Routes>
          <Route path="/sign-in" element={<SignInPage />} />
          <Route element={<SignedInLayout />}>
            <Route index element={<Home />} />
            <Route path="patients" element={<Allowed area="patients"><PatientsPage /></Allowed>} />
            <Route path="patients/new" element={<Allowed area="patients"><NewPatientPage /></Allowed>} />
            <Route path="patients/:id" element={<Allowed area="patients"><PatientPage /></Allowed>} />
            <Route path="analytics" element={<Allowed area="analytics"><AnalyticsPage /></Allowed>} />
            <Route path="users" element={<Allowed area="users"><UsersPage /></Allowed>} />
            <Route path="audit" element={<Allowed area="audit"><AuditPage /></Allowed>} />
            <Route path="audit/:patientId" element={<Allowed area="audit"><AuditTrailPage /></Allowed>} />
            <Route path="*" element={<NotFoundPage />} />
          </Route>
        </Routes>
      </Suspense>
    </BrowserRouter>
  );
}
