/**
 * The department link token has one spelling: every other way of writing the same bytes (padding,
 * another last character with the same value bits, the standard base64 alphabet, characters the
 * decoder skips) is refused, because the portal keys the CSRF token and the default submission id
 * on the token text. Tampered, forged and expired tokens stay refused.
 */
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { departmentLinkBuilder, signToken, verifyToken, type TokenClaims } from '../../mail/department-links';

const SECRET = 'department-links-test-secret-0123456789abcdef';
const NOW_MS = Date.parse('2024-03-05T09:00:00+08:00');
const CLAIMS: TokenClaims = { campaignId: 'shanxi-2024', departmentId: 'east', expiresAt: NOW_MS / 1000 + 86_400 };
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** The same last character's value bits with other unused low bits: decodes to the same bytes. */
function lastCharVariants(part: string): string[] {
  // A 32-byte MAC is 43 characters: 256 bits in 258, the last character's 2 low bits unused.
  // The payload's unused bits depend on its length (0, 2 or 4 bits).
  const unusedBits = (6 * part.length) % 8;
  const index = ALPHABET.indexOf(part.at(-1)!);
  const out: string[] = [];
  for (let low = 0; low < 1 << unusedBits; low++) {
    const variant = (index & ~((1 << unusedBits) - 1)) | low;
    if (variant !== index) out.push(part.slice(0, -1) + ALPHABET[variant]);
  }
  return out;
}

describe('department link tokens', () => {
  const token = signToken(SECRET, CLAIMS);
  const [payload, mac] = token.split('.') as [string, string];

  it('accepts the token signToken wrote, with its claims', () => {
    expect(verifyToken(SECRET, token, NOW_MS)).toEqual({ ok: true, claims: CLAIMS });
    const link = departmentLinkBuilder('https://portal.example/', SECRET)('shanxi-2024', 'east', NOW_MS);
    const fromLink = verifyToken(SECRET, link.split('/d/')[1]!, NOW_MS);
    expect(fromLink).toMatchObject({ ok: true, claims: { campaignId: 'shanxi-2024', departmentId: 'east' } });
  });

  it('refuses the signature padded, or with another last character of the same value', () => {
    const variants = [`${token}=`, `${token}==`, ...lastCharVariants(mac).map((m) => `${payload}.${m}`)];
    expect(variants.length).toBe(5); // two paddings, three last characters
    for (const v of variants) {
      // Node's lenient decoder reads the same signature bytes from each of them...
      expect(Buffer.from(v.split('.')[1]!, 'base64url').equals(Buffer.from(mac, 'base64url'))).toBe(true);
      // ...but they are not the token that was sent out.
      expect(verifyToken(SECRET, v, NOW_MS), v).toEqual({ ok: false, reason: 'malformed' });
    }
  });

  it('refuses the payload padded or respelled, the standard base64 alphabet, and skipped characters', () => {
    const variants = [
      `${payload}=.${mac}`,
      `${payload}==.${mac}`,
      ...lastCharVariants(payload).map((p) => `${p}.${mac}`),
      `${payload}.${mac.slice(0, 10)} ${mac.slice(10)}`,
      `${payload}.${mac.slice(0, 10)}!${mac.slice(10)}`,
      `${payload}.${mac}\n`,
    ];
    for (const v of variants) expect(verifyToken(SECRET, v, NOW_MS), JSON.stringify(v)).toMatchObject({ ok: false });
    // A signature spelt with + and / instead of - and _ (search an expiry whose MAC has either).
    let found = false;
    for (let i = 0; i < 200 && !found; i++) {
      const t = signToken(SECRET, { ...CLAIMS, expiresAt: CLAIMS.expiresAt + i });
      if (!/[-_]/.test(t.split('.')[1]!)) continue;
      found = true;
      expect(verifyToken(SECRET, t, NOW_MS).ok).toBe(true);
      expect(verifyToken(SECRET, t.replace(/-/g, '+').replace(/_/g, '/'), NOW_MS)).toEqual({ ok: false, reason: 'malformed' });
    }
    expect(found).toBe(true);
  });

  it('still refuses tampered, forged, expired and malformed tokens', () => {
    const otherDepartment = Buffer.from(JSON.stringify([CLAIMS.campaignId, 'west', CLAIMS.expiresAt])).toString('base64url');
    expect(verifyToken(SECRET, `${otherDepartment}.${mac}`, NOW_MS)).toEqual({ ok: false, reason: 'forged' });
    expect(verifyToken('another-secret-another-secret-0123456789', token, NOW_MS)).toEqual({ ok: false, reason: 'forged' });
    const flipped = mac.slice(0, 5) + (mac[5] === 'A' ? 'B' : 'A') + mac.slice(6);
    expect(verifyToken(SECRET, `${payload}.${flipped}`, NOW_MS)).toEqual({ ok: false, reason: 'forged' });
    expect(verifyToken(SECRET, `${payload}.${mac.slice(0, -3)}`, NOW_MS)).toEqual({ ok: false, reason: 'forged' });
    expect(verifyToken(SECRET, token, (CLAIMS.expiresAt + 1) * 1000)).toEqual({ ok: false, reason: 'expired' });
    for (const bad of ['', 'not-a-token', `${token}.x`, `.${mac}`, `${payload}.`]) {
      expect(verifyToken(SECRET, bad, NOW_MS), bad).toEqual({ ok: false, reason: 'malformed' });
    }
    // Signed with the secret but not a claim triple: malformed, not accepted.
    const notClaims = Buffer.from(JSON.stringify({ campaignId: 'x' })).toString('base64url');
    const signed = `${notClaims}.${createHmac('sha256', SECRET).update(notClaims).digest('base64url')}`;
    expect(verifyToken(SECRET, signed, NOW_MS)).toEqual({ ok: false, reason: 'malformed' });
  });
});
