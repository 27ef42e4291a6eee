/**
 * Passwords, hashed with scrypt — a memory-hard function: each guess at a stolen hash costs 32 MiB
 * of memory as well as CPU, so the GPUs and ASICs that make fast hashes (SHA-256, even PBKDF2)
 * cheap to attack lose most of their advantage, since memory is what they are short of.
 *
 * Why scrypt and not Argon2id (OWASP's first choice): scrypt is in Node's crypto, so there is no
 * native module to compile or ship to the offices' machines, and both are memory-hard. The cost
 * is N=2^15, r=8, p=1 (32 MiB, about 0.1 s on one core), with `maxmem` set explicitly so that Node
 * allows it. That is below OWASP's scrypt minimum (N=2^17) on purpose: a portal runs four hashes
 * at once (libuv's thread pool), and 4 × 128 MiB on a small office server is too much. Every hash
 * names its parameters (`scrypt:15:8:1:salt:key`), so a later version can raise them; a login
 * whose hash is weaker than today's gets it rehashed ({@link needsRehash}).
 *
 * A password is NFKC-normalised before hashing: the same password typed with a full-width or
 * half-width input method, or composed differently by another keyboard, is the same password.
 */
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

const LOG2_N = 15;
const R = 8;
const P = 1;
const KEY_BYTES = 32;
const SALT_BYTES = 16;

/** The shortest and longest password accepted (the bootstrap variable asks for 12 as well). */
export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 256;

/** A password that breaks the rules above: the message says which, in the user's words. */
export class WeakPasswordError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WeakPasswordError';
  }
}

export function checkPassword(password: string): void {
  const length = [...password.normalize('NFKC')].length;
  if (length < PASSWORD_MIN_LENGTH) throw new WeakPasswordError(`the password must be at least ${PASSWORD_MIN_LENGTH} characters long (it has ${length})`);
  if (length > PASSWORD_MAX_LENGTH) throw new WeakPasswordError(`the password must be at most ${PASSWORD_MAX_LENGTH} characters long`);
}

function derive(password: string, salt: Buffer, log2N: number, r: number, p: number): Promise<Buffer> {
  const N = 2 ** log2N;
  // scrypt needs 128·N·r·p bytes; Node refuses more than 32 MiB unless maxmem says so.
  const options: ScryptOptions = { N, r, p, maxmem: 128 * N * r * p + 16 * 1024 * 1024 };
  return new Promise((resolve, reject) => scrypt(password.normalize('NFKC'), salt, KEY_BYTES, options, (err, key) => (err ? reject(err) : resolve(key))));
}

/** The stored form of a new password (checked against the rules first). */
export async function hashPassword(password: string): Promise<string> {
  checkPassword(password);
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(password, salt, LOG2_N, R, P);
  return ['scrypt', LOG2_N, R, P, salt.toString('base64'), key.toString('base64')].join(':');
}

interface Parsed {
  log2N: number;
  r: number;
  p: number;
  salt: Buffer;
  key: Buffer;
}

function parse(stored: string): Parsed | undefined {
  const [kind, n, r, p, salt, key, extra] = stored.split(':');
  if (kind !== 'scrypt' || extra !== undefined || !salt || !key) return undefined;
  const parsed = { log2N: Number(n), r: Number(r), p: Number(p), salt: Buffer.from(salt, 'base64'), key: Buffer.from(key, 'base64') };
  // Parameters from our own table, bounded anyway: a damaged row must not ask for gigabytes.
  if (![parsed.log2N, parsed.r, parsed.p].every(Number.isInteger) || parsed.log2N < 10 || parsed.log2N > 20 || parsed.r < 1 || parsed.r > 32 || parsed.p < 1 || parsed.p > 4) return undefined;
  return parsed;
}

/** Whether `password` is the one `stored` was made from (constant time in the key's bytes). */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parse(stored);
  if (!parsed || password.length > PASSWORD_MAX_LENGTH * 4) return false;
  const key = await derive(password, parsed.salt, parsed.log2N, parsed.r, parsed.p);
  return key.length === parsed.key.length && timingSafeEqual(key, parsed.key);
}

/** A stored hash made with weaker parameters than today's: rehash it at the next good login. */
export function needsRehash(stored: string): boolean {
  const parsed = parse(stored);
  return !parsed || parsed.log2N < LOG2_N || parsed.r < R || parsed.p < P;
}

let decoy: Promise<string> | undefined;

/**
 * Spends the time of one verification on nothing: a login name that does not exist takes as long
 * to refuse as a wrong password, so the answer's timing does not tell which names exist.
 */
export async function verifyDecoy(password: string): Promise<false> {
  decoy ??= hashPassword(randomBytes(24).toString('base64'));
  await verifyPassword(password, await decoy);
  return false;
}
