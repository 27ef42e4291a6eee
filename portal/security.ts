/**
 * The portal's security measures in one place: response headers, the cookies (HttpOnly, SameSite,
 * Secure over HTTPS; the session's id itself is kept server-side, store/accounts/), CSRF tokens
 * (bound to the session or to the department's link token), the same-origin check for every
 * POST, and constant-time comparison of secrets.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

export const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy': "default-src 'self'; script-src 'none'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=()',
  'cache-control': 'no-store',
};

export function applySecurityHeaders(res: ServerResponse): void {
  for (const [k, v] of Object.entries(SECURITY_HEADERS)) res.setHeader(k, v);
}

/** Equal strings, compared in constant time (both hashed first so lengths do not leak). */
export function safeEqual(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a, 'utf8').digest();
  const hb = createHash('sha256').update(b, 'utf8').digest();
  return timingSafeEqual(ha, hb);
}

const mac = (secret: string, purpose: string, value: string) => createHmac('sha256', secret).update(`${purpose}\n${value}`).digest('base64url');

/** CSRF token of a department page: bound to that department's link token. */
export function departmentCsrf(secret: string, token: string): string {
  return mac(secret, 'csrf-department', token);
}

/**
 * The session cookie's name: with HTTPS, `__Host-` makes the browser refuse it unless it was set
 * Secure, for the whole site, by this host itself — no sibling subdomain can plant a session id in
 * it (one way to fixate a session). Over plain HTTP (a laptop, the tests) the prefix is not allowed.
 */
export function sessionCookieName(secure: boolean): string {
  return secure ? '__Host-portal_sid' : 'portal_sid';
}

export const LOGIN_COOKIE = 'portal_login';

/** The CSRF token of a signed-in person's forms, bound to their session (the id only the cookie holds). */
export function sessionCsrf(secret: string, sessionToken: string): string {
  return mac(secret, 'csrf-session', sessionToken);
}

/** The login form's CSRF token, bound to a random pre-session cookie. */
export function loginCsrf(secret: string, nonce: string): string {
  return mac(secret, 'csrf-login', nonce);
}

export function newNonce(): string {
  return randomBytes(16).toString('base64url');
}

/**
 * A cookie only this portal's pages send back: HttpOnly, Secure over HTTPS. SameSite=Strict by
 * default; the session cookie is Lax (see routes/coordinator-login.ts for why).
 */
export function cookieHeader(name: string, value: string, opts: { maxAge: number; secure: boolean; path?: string; sameSite?: 'Strict' | 'Lax' }): string {
  return `${name}=${value}; Path=${opts.path ?? '/'}; Max-Age=${opts.maxAge}; HttpOnly; SameSite=${opts.sameSite ?? 'Strict'}${opts.secure ? '; Secure' : ''}`;
}

export function cookies(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of String(req.headers.cookie ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0) out[part.slice(0, i).trim()] = part.slice(i + 1).trim();
  }
  return out;
}

/**
 * A POST must come from a page of this portal. Sec-Fetch-Site, when the browser sends it, must be
 * same-origin. An Origin header must be one of the portal's own origins — the configured public
 * URL's (context.ts allowedOrigins), never one made from the request's Host header, which the
 * sender chooses along with the Origin. With Referrer-Policy no-referrer browsers send
 * `Origin: null` and no Referer, so `null` is accepted only together with Sec-Fetch-Site:
 * same-origin. Without any of these headers the request is refused.
 */
export function sameOrigin(req: IncomingMessage, allowedOrigins: readonly string[]): boolean {
  const site = req.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin') return false;
  const origin = req.headers.origin;
  if (origin && origin !== 'null') return allowedOrigins.includes(origin);
  const referer = req.headers.referer;
  if (referer) {
    try {
      return allowedOrigins.includes(new URL(referer).origin);
    } catch {
      return false;
    }
  }
  return origin === 'null' && site === 'same-origin';
}
