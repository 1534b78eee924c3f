/**
 * Routes: each page is its own chunk (route-level code splitting), so the sign-in page loads only what it needs.
 * The chunks the opened address needs are fetched while the session restores itself, not after it.
 * Patient data never goes in a URL beyond a patient's id and the search text.
 */
import { lazy, Suspense, useEffect } from 'react';
import { BrowserRouter, matchPath, Navigate, Route, Routes } from 'react-router';
import { session } from './api/client';
import { useSession } from './api/useSession';
import { Loading } from './components/Loading';
import { Allowed } from './components/Allowed';
import { homePath } from './roles';

const chunks = {
  signIn: () => import('./routes/sign-in/SignInPage'),
  signedInLayout: () => import('./components/SignedInLayout'),
  patients: () => import('./routes/patients/PatientsPage'),
  newPatient: () => import('./routes/patients/NewPatientPage'),
  patient: () => import('./routes/patients/PatientPage'),
  analytics: () => import('./routes/analytics/AnalyticsPage'),
  users: () => import('./routes/users/UsersPage'),
  audit: () => import('./routes/audit/AuditPage'),
  auditTrail: () => import('./routes/audit/AuditTrailPage'),
  notFound: () => import('./routes/NotFoundPage'),
};

const SignInPage = lazy(chunks.signIn);
const SignedInLayout = lazy(chunks.signedInLayout);
const PatientsPage = lazy(chunks.patients);
const NewPatientPage = lazy(chunks.newPatient);
const PatientPage = lazy(chunks.patient);
const AnalyticsPage = lazy(chunks.analytics);
const UsersPage = lazy(chunks.users);
const AuditPage = lazy(chunks.audit);
const AuditTrailPage = lazy(chunks.auditTrail);
const NotFoundPage = lazy(chunks.notFound);

/** The page chunk of each signed-in address, in the order the routes below match them. */
const pageChunks: [pattern: string, load: () => Promise<unknown>][] = [
  ['/patients', chunks.patients],
  ['/patients/new', chunks.newPatient],
  ['/patients/:id', chunks.patient],
  ['/analytics', chunks.analytics],
  ['/users', chunks.users],
  ['/audit', chunks.audit],
  ['/audit/:patientId', chunks.auditTrail],
];

/** Starts fetching what the address will render (the same import the lazy page makes, so it is fetched once). */
function preloadChunksFor(pathname: string) {
  if (matchPath('/sign-in', pathname)) return void chunks.signIn();
  void chunks.signedInLayout();
  void pageChunks.find(([pattern]) => matchPath(pattern, pathname))?.[1]();
}

function Home() {
  const state = useSession();
  if (state.status === 'restoring') return <Loading />;
  return state.status === 'signed-in' ? <Navigate to={homePath(state.role)} replace /> : <Navigate to="/sign-in" replace />;
}

export function App() {
  useEffect(() => {
    preloadChunksFor(window.location.pathname);
    void session.restore();
  }, []);
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
