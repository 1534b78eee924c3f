import { QueryClient } from '@tanstack/react-query';
import { session } from './api/client';
import { ApiError } from './api/problem';

export const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      staleTime: 10_000,
      // A refusal (4xx) does not get better by asking again; an unreachable or failing server might.
      retry: (failures, error) => !(error instanceof ApiError && error.status < 500) && failures < 2,
    },
  },
});

// Patient data stays in memory only while someone is signed in.
session.subscribe(() => {
  if (session.getState().status === 'signed-out') queryClient.clear();
});
