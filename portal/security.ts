/**
 * The portal's security measures in one place: response headers, the coordinator's session
 * cookie (HMAC-signed, HttpOnly, SameSite=Strict, expiring), CSRF tokens (bound to the session
 * or to the department's link token), the same-origin check for every POST, and constant-time
 * comparison of credentials.
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

export interface Session {
  user: string;
  id: string;
  expiresAt: number;
}

export const SESSION_COOKIE = 'portal_session';
export const LOGIN_COOKIE = 'portal_login';

export function signSession(secret: string, user: string, ttlSeconds: number, nowMs = Date.now()): { cookie: string; session: Session } {
  const session: Session = { user, id: randomBytes(16).toString('base64url'), expiresAt: Math.floor(nowMs / 1000) + ttlSeconds };
  const payload = Buffer.from(JSON.stringify([session.user, session.id, session.expiresAt])).toString('base64url');
  return { cookie: `${payload}.${mac(secret, 'session', payload)}`, session };
}

export function verifySession(secret: string, cookie: string | undefined, nowMs = Date.now()): Session | undefined {
  if (!cookie || cookie.length > 2048) return undefined;
  const [payload, sig, extra] = cookie.split('.');
  if (!payload || !sig || extra !== undefined) return undefined;
  const expected = Buffer.from(mac(secret, 'session', payload));
  const given = Buffer.from(sig);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return undefined;
  try {
    const [user, id, expiresAt] = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    if (typeof user !== 'string' || typeof id !== 'string' || typeof expiresAt !== 'number') return undefined;
    if (expiresAt * 1000 < nowMs) return undefined;
    return { user, id, expiresAt };
  } catch {
    return undefined;
  }
}

export function sessionCsrf(secret: string, session: Session): string {
  return mac(secret, 'csrf-session', session.id);
}

/** The login form's CSRF token, bound to a random pre-session cookie. */
export function loginCsrf(secret: string, nonce: string): string {
  return mac(secret, 'csrf-login', nonce);
}

export function newNonce(): string {
  return randomBytes(16).toString('base64url');
}

export function cookieHeader(name: string, value: string, opts: { maxAge: number; secure: boolean; path?: string }): string {
  return `${name}=${value}; Path=${opts.path ?? '/'}; Max-Age=${opts.maxAge}; HttpOnly; SameSite=Strict${opts.secure ? '; Secure' : ''}`;
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

/** A fixed-window counter of failed logins per client address. */
export class LoginThrottle {
  private readonly failures = new Map<string, { count: number; resetAt: number }>();
  constructor(
    private readonly max = 10,
    private readonly windowMs = 15 * 60_000,
  ) {}

  blocked(key: string, nowMs = Date.now()): boolean {
    const f = this.failures.get(key);
    return !!f && f.resetAt > nowMs && f.count >= this.max;
  }

  fail(key: string, nowMs = Date.now()): void {
    const f = this.failures.get(key);
    if (!f || f.resetAt <= nowMs) this.failures.set(key, { count: 1, resetAt: nowMs + this.windowMs });
    else f.count += 1;
    if (this.failures.size > 10_000) this.failures.clear();
  }

  succeed(key: string): void {
    this.failures.delete(key);
  }
}
