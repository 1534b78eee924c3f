/**
 * Takes access tokens, refresh tokens and cookie values out of text a failing test prints (response bodies and
 * headers): a test log is read and kept by many more people than the stack's secrets should be.
 */
const JWT = /eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g;
/** JSON members that hold a token, whatever their value looks like. */
const TOKEN_MEMBER = /("(?:token|refreshToken|accessToken|access_token|refresh_token|password)"\s*:\s*)"(?:[^"\\]|\\.)*"/g;
/** `name=value` in Cookie and Set-Cookie headers; the attributes after the first `;` stay readable. */
const COOKIE = /((?:^|[\s,;])(?:set-cookie|cookie)\s*:\s*[^=;\s]+=)[^;\s,]*/gi;
const REFRESH_COOKIE = /(pm_refresh=)[^;\s,"]*/g;
const BEARER = /(Bearer\s+)[A-Za-z0-9._~+/=-]+/gi;

export function redactSecrets(text: string): string {
  return text
    .replace(TOKEN_MEMBER, '$1"[redacted]"')
    .replace(COOKIE, '$1[redacted]')
    .replace(REFRESH_COOKIE, '$1[redacted]')
    .replace(BEARER, '$1[redacted]')
    .replace(JWT, '[redacted token]');
}
