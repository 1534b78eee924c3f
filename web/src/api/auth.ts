/** The session's side of the API: the auth routes in console (cookie) mode, serialised across tabs. */
import type { Client } from 'openapi-fetch';
import { toApiError } from './problem';
import type { paths } from './schema';
import type { AuthApi, Role } from './session';

const consoleMode = { header: { 'X-PM-Client': 'console' as const } };

/** Tabs share the refresh cookie: one renewal at a time across all of them (Web Locks where available). */
function oneAtATime<T>(work: () => Promise<T>): Promise<T> {
  const locks = globalThis.navigator?.locks;
  return locks ? (locks.request('pm-session-refresh', work) as Promise<T>) : work();
}

export function createAuthApi(client: Client<paths>): AuthApi {
  return {
    async login(email, password) {
      const { data, error, response } = await client.POST('/auth/login', { params: consoleMode, body: { email, password } });
      if (!data) throw toApiError(response, error);
      return { token: data.token, expiresIn: data.expiresIn };
    },
    refresh: () =>
      oneAtATime(async () => {
        const { data, response } = await client.POST('/auth/refresh', { params: consoleMode, body: {} as never });
        if (data) return { token: data.token, expiresIn: data.expiresIn };
        if (response.status === 401 || response.status === 400 || response.status === 403) return undefined;
        throw toApiError(response, undefined);
      }),
    async logout(token) {
      await client.POST('/auth/logout', { params: consoleMode, headers: { Authorization: `Bearer ${token}` }, body: {} as never });
    },
    async whoAmI(token) {
      const { data, error, response } = await client.GET('/auth/validate', { headers: { Authorization: `Bearer ${token}` } });
      if (!data) throw toApiError(response, error);
      return { userId: data.sub, role: data.role as Role };
    },
  };
}
