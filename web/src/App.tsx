/**
 * Routes: each page is its own chunk (route-level code splitting), so the sign-in page loads only what it needs.
 * Patient data never goes in a URL beyond a patient's id and the search text.
 */
import { Suspense } from 'react';
import { BrowserRouter, matchPath, Navigate, Route, Routes } from 'react-router';
import { session } from './api/client';
import { useSession } from './api/useSession';
import { Loading } from './components/Loading';
import { Allowed } from './components/Allowed';
import { pageChunk, type PageChunk } from './page-chunk';
import { homePath } from './roles';

const SignInPage = pageChunk(() => import('./routes/sign-in/SignInPage'));
const SignedInLayout = pageChunk(() => import('./components/SignedInLayout'));
const PatientsPage = pageChunk(() => import('./routes/patients/PatientsPage'));
const NewPatientPage = pageChunk(() => import('./routes/patients/NewPatientPage'));
const PatientPage = pageChunk(() => import('./routes/patients/PatientPage'));
const MergePage = pageChunk(() => import('./routes/patients/MergePage'));
const DuplicatesPage = pageChunk(() => import('./routes/patients/DuplicatesPage'));
const AnalyticsPage = pageChunk(() => import('./routes/analytics/AnalyticsPage'));
const UsersPage = pageChunk(() => import('./routes/users/UsersPage'));
const AuditPage = pageChunk(() => import('./routes/audit/AuditPage'));
const AuditTrailPage = pageChunk(() => import('./routes/audit/AuditTrailPage'));
const NotFoundPage = pageChunk(() => import('./routes/NotFoundPage'));

/** The page of each signed-in address, in the order the routes below match them. */
const signedInPages: [pattern: string, page: PageChunk][] = [
  ['/patients', PatientsPage],
  ['/patients/new', NewPatientPage],
  ['/patients/:id', PatientPage],
  ['/patients/:id/merge', MergePage],
  ['/duplicates', DuplicatesPage],
  ['/analytics', AnalyticsPage],
  ['/users', UsersPage],
  ['/audit', AuditPage],
  ['/audit/:patientId', AuditTrailPage],
];

/**
 * Called once, before React first renders: the session restores itself from the refresh cookie while the chunks
 * the address renders are fetched. Resolves when those chunks are here (the first render then suspends on none).
 */
export async function startLoading(pathname: string): Promise<void> {
  void session.restore();
  if (matchPath('/sign-in', pathname)) return SignInPage.preload();
  const page = signedInPages.find(([pattern]) => matchPath(pattern, pathname))?.[1];
  await Promise.all([SignedInLayout.preload(), page?.preload()]);
}

function Home() {
  const state = useSession();
  if (state.status === 'restoring') return <Loading />;
  return state.status === 'signed-in' ? <Navigate to={homePath(state)} replace /> : <Navigate to="/sign-in" replace />;
}

export function App() {
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
            <Route path="patients/:id/merge" element={<Allowed area="merging"><MergePage /></Allowed>} />
            <Route path="duplicates" element={<Allowed area="merging"><DuplicatesPage /></Allowed>} />
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
