/**
 * The API client every page uses: generated from openapi.yaml (openapi-typescript + openapi-fetch), sending the
 * session's access token. A 401 means the token expired (a sleeping laptop misses the scheduled renewal): the
 * request is renewed and sent once more; when renewal is refused the session ends and the app shows sign-in.
 */
import createClient, { type Middleware } from 'openapi-fetch';
import { toApiError } from './problem';
import type { paths } from './schema';
import { createAuthApi } from './auth';
import { createSession, type Session } from './session';

const baseUrl = globalThis.location?.origin ?? '';

export const session = createSession(createAuthApi(createClient<paths>({ baseUrl, credentials: 'same-origin' })));

function sessionMiddleware(session: Session): Middleware {
  const replays = new WeakMap<Request, Request>();
  return {
    onRequest({ request }) {
      const state = session.getState();
      if (state.status === 'signed-in') request.headers.set('Authorization', `Bearer ${state.token}`);
      replays.set(request, request.clone());
      return request;
    },
    async onResponse({ request, response }) {
      const replay = replays.get(request);
      if (response.status !== 401 || !replay) return response;
      const token = await session.renew();
      if (!token) return response;
      replay.headers.set('Authorization', `Bearer ${token}`);
      return fetch(replay);
    },
  };
}

export const api = createClient<paths>({ baseUrl, credentials: 'same-origin' });
api.use(sessionMiddleware(session));

type Result<T> = { data?: T; error?: unknown; response: Response };

/** The data of a successful call; an ApiError (read by api/problem.ts) otherwise. */
export async function unwrap<T>(call: Promise<Result<T>>): Promise<T> {
  return (await unwrapResponse(call)).data;
}

/** Like unwrap, with the response (for ETag). */
export async function unwrapResponse<T>(call: Promise<Result<T>>): Promise<{ data: T; response: Response }> {
  const { data, error, response } = await call;
  if (!response.ok) throw toApiError(response, error);
  return { data: data as T, response };
}
