/** The session's side of the API: the auth routes in console (cookie) mode, renewals taking turns across tabs. */
import type { Client } from 'openapi-fetch';
import { identityOf } from './access-token';
import { toApiError } from './problem';
import { refreshAcrossTabs } from './refresh-across-tabs';
import type { paths } from './schema';
import type { AuthApi } from './session';

const consoleMode = { header: { 'X-PM-Client': 'console' as const } };

export function createAuthApi(client: Client<paths>): AuthApi {
  return {
    async login(email, password) {
      const { data, error, response } = await client.POST('/auth/login', { params: consoleMode, body: { email, password } });
      if (!data) throw toApiError(response, error);
      return { token: data.token, expiresIn: data.expiresIn };
    },
    refresh: refreshAcrossTabs(async () => {
      // keepalive: a tab closed or reloaded mid-renewal still stores the rotated cookie the API sends back
      // (the API has already retired the old one, and presenting it again would revoke the sign-in).
      const { data, response } = await client.POST('/auth/refresh', { params: consoleMode, body: {} as never, keepalive: true });
      if (data) return { token: data.token, expiresIn: data.expiresIn };
      if (response.status === 401 || response.status === 400 || response.status === 403) return undefined;
      throw toApiError(response, undefined);
    }),
    async logout(token) {
      // keepalive: signing out and closing the tab at once still ends the sign-in.
      await client.POST('/auth/logout', { params: consoleMode, headers: { Authorization: `Bearer ${token}` }, body: {} as never, keepalive: true });
    },
    identityOf,
  };
}
