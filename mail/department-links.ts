/**
 * The departments' link tokens: HMAC-SHA256 over (campaign, department, expiry), base64url.
 * Unguessable without the secret, bound to one campaign and one department, expiring, and checked
 * in constant time.
 *
 * A token has exactly one spelling. Node's base64url decoder is lenient: it accepts `=` padding,
 * ignores the unused low bits of the last character and skips characters outside the alphabet, so
 * `<tok>`, `<tok>=`, `<tok>==` and a neighbour of the last character would all decode to the same
 * signature. The portal derives the CSRF token and the default submission id from the token text:
 * four spellings were four submissions of one report. verifyToken therefore re-encodes what it
 * decoded and refuses any token that is not the one signToken would have written.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export interface TokenClaims {
  campaignId: string;
  departmentId: string;
  /** Epoch seconds. */
  expiresAt: number;
}

export type TokenCheck = { ok: true; claims: TokenClaims } | { ok: false; reason: 'malformed' | 'forged' | 'expired' };

const b64 = (b: Buffer | string) => Buffer.from(b).toString('base64url');

export function signToken(secret: string, claims: TokenClaims): string {
  const payload = b64(JSON.stringify([claims.campaignId, claims.departmentId, claims.expiresAt]));
  const mac = createHmac('sha256', secret).update(payload).digest('base64url');
  return `${payload}.${mac}`;
}

/** The bytes of `text` when it is canonical unpadded base64url (the only spelling signToken writes), else undefined. */
function decodeCanonical(text: string): Buffer | undefined {
  if (!/^[A-Za-z0-9_-]+$/.test(text)) return undefined;
  const bytes = Buffer.from(text, 'base64url');
  return bytes.toString('base64url') === text ? bytes : undefined;
}

export function verifyToken(secret: string, token: string, nowMs = Date.now()): TokenCheck {
  const [payload, mac, extra] = token.split('.');
  if (!payload || !mac || extra !== undefined || payload.length > 1024) return { ok: false, reason: 'malformed' };
  const payloadBytes = decodeCanonical(payload);
  const given = decodeCanonical(mac);
  if (!payloadBytes || !given) return { ok: false, reason: 'malformed' };
  const expected = createHmac('sha256', secret).update(payload).digest();
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'forged' };
  let claims: TokenClaims;
  try {
    const [campaignId, departmentId, expiresAt] = JSON.parse(payloadBytes.toString('utf8'));
    if (typeof campaignId !== 'string' || typeof departmentId !== 'string' || typeof expiresAt !== 'number') return { ok: false, reason: 'malformed' };
    claims = { campaignId, departmentId, expiresAt };
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  if (claims.expiresAt * 1000 < nowMs) return { ok: false, reason: 'expired' };
  return { ok: true, claims };
}

/** Builds the department's submission link used in every email. */
export function departmentLinkBuilder(baseUrl: string, secret: string, validForDays = 180) {
  return (campaignId: string, departmentId: string, nowMs = Date.now()): string => {
    const token = signToken(secret, { campaignId, departmentId, expiresAt: Math.floor(nowMs / 1000) + validForDays * 86_400 });
    return `${baseUrl.replace(/\/$/, '')}/d/${token}`;
  };
}
