/**
 * Login attempts counted per login name and per address, in the database: every portal process
 * behind a load balancer reads and writes the same counts, and a restart forgets nothing.
 *
 * Each attempt takes its place in the count BEFORE its password is checked (one conditional
 * upsert), so a hundred guesses sent at once get no more tries than a hundred sent one by one.
 * A good login then gives its place back (the name's count is cleared; the address's loses one),
 * so the count is of failures. When the failures in a window reach the limit, the key is locked
 * for a full window from that failure; attempts while it is locked are refused without checking
 * the password (a guess that happens to be right learns nothing) and do not extend the lock.
 *
 * The count is per login NAME, whether or not an account has it: a name that does not exist locks
 * exactly like one that does, so "locked" tells an attacker nothing about which accounts exist,
 * and the real person can be told plainly that their name is locked and for how long.
 *
 * The address is the one the portal's socket sees (behind a proxy, the proxy's): IPv6 addresses
 * are counted by their /64, the block one subscriber gets; IPv4-mapped ones as IPv4. Its limit is
 * set well above a name's, because behind an office's NAT or proxy many people share one address.
 */
import type { Queryable } from '../database/database';

export type ThrottleScope = 'login' | 'address';

export interface ThrottleRule {
  /** Failures allowed in a window before the key is locked. */
  attempts: number;
  /** The window, and the lock's length after the failure that reached the limit. */
  windowMs: number;
}

/** The key an address is counted under. */
export function addressKey(address: string | undefined): string {
  const a = (address ?? '').trim().toLowerCase();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(a);
  if (mapped) return mapped[1]!;
  if (!a.includes(':')) return a || 'unknown';
  return `${expandIpv6(a).slice(0, 4).join(':')}::/64`;
}

function expandIpv6(a: string): string[] {
  const [head = '', tail] = a.split('%')[0]!.split('::');
  const left = head ? head.split(':') : [];
  const right = tail !== undefined && tail ? tail.split(':') : [];
  const zeros = tail !== undefined ? Array(Math.max(0, 8 - left.length - right.length)).fill('0') : [];
  return [...left, ...zeros, ...right].map((g) => g.replace(/^0+(?=.)/, ''));
}

/**
 * Takes a place for one attempt. Allowed while the window holds fewer than `attempts` places; else
 * refused, with how long until the key opens again.
 */
export async function claimAttempt(q: Queryable, scope: ThrottleScope, key: string, now: number, rule: ThrottleRule): Promise<{ allowed: true } | { allowed: false; retryAfterMs: number }> {
  // attempts stops one past the limit: that marks "refused" and keeps the row from counting forever.
  const row = await q.get<{ attempts: number; window_until: number }>(
    `INSERT INTO login_throttle (scope, key, attempts, window_until) VALUES ($1, $2, 1, $3)
     ON CONFLICT (scope, key) DO UPDATE SET
       attempts = CASE WHEN login_throttle.window_until <= $4 THEN 1
                       WHEN login_throttle.attempts > $5 THEN login_throttle.attempts
                       ELSE login_throttle.attempts + 1 END,
       window_until = CASE WHEN login_throttle.window_until <= $4 THEN $3 ELSE login_throttle.window_until END
     RETURNING attempts, window_until`,
    [scope, key, now + rule.windowMs, now, rule.attempts],
  );
  if (row && Number(row.attempts) <= rule.attempts) return { allowed: true };
  return { allowed: false, retryAfterMs: Math.max(1000, Number(row?.window_until ?? now) - now) };
}

/** The attempt failed: when the window's failures reached the limit, lock for a full window from now. */
export async function attemptFailed(q: Queryable, scope: ThrottleScope, key: string, now: number, rule: ThrottleRule): Promise<void> {
  await q.run('UPDATE login_throttle SET window_until = $3 WHERE scope = $1 AND key = $2 AND attempts >= $4 AND window_until < $3', [scope, key, now + rule.windowMs, rule.attempts]);
}

/** The attempt succeeded: a login name's failures are forgiven, an address gives back the place it took. */
export async function attemptSucceeded(q: Queryable, scope: ThrottleScope, key: string): Promise<void> {
  if (scope === 'login') await q.run(`DELETE FROM login_throttle WHERE scope = 'login' AND key = $1`, [key]);
  else await q.run(`UPDATE login_throttle SET attempts = attempts - 1 WHERE scope = 'address' AND key = $1 AND attempts > 0`, [key]);
}

/** Deletes the counts whose window is over. */
export async function sweepThrottle(q: Queryable, now: number): Promise<number> {
  return q.run('DELETE FROM login_throttle WHERE window_until < $1', [now]);
}
