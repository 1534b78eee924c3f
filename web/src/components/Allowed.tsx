import { Alert } from '@mantine/core';
import type { ReactNode } from 'react';
import { useSession } from '../api/useSession';
import { mayOpen, type Area } from '../roles';

/** Renders the page only for roles that may use it (someone following an old link gets an explanation). */
export function Allowed({ area, children }: { area: Area; children: ReactNode }) {
  const state = useSession();
  if (state.status !== 'signed-in') return null;
  if (!mayOpen(state, area)) {
    return (
      <Alert color="red" title="Not available for your role" role="alert">
        Your role ({state.role}) may not open this page.
      </Alert>
    );
  }
  return children;
}
