import { useSyncExternalStore } from 'react';
import { session } from './client';

/** The session's state, re-rendering on every change (sign-in, renewal, end). */
export function useSession() {
  return useSyncExternalStore(session.subscribe, session.getState);
}
