/**
 * The id a submission from the portal is recorded under — what makes pressing "submit" again safe.
 *
 * The shard records a submission id once and answers it again with the first receipt, marked
 * duplicate (obligations/obligations.ts applySubmission). Each form on a department's page carries
 * an idempotency key drawn when the page was drawn; the submission posted from it is recorded under
 * an id made from the department, the occurrence and that key — whatever else the post says — so a
 * second press, the browser resending the form, or trying again after an answer that never came is
 * answered with the ORIGINAL receipt, never a second version. A correction is a new page, a new key.
 *
 * A form drawn before the key existed (or posted by a script) has none: its id is the hash of its
 * content, as before, and a post identical to a version the department already made through the
 * portal is taken for that version again.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { FormValues } from '../../obligations/form-data';
import type { SubmissionVersion } from '../../obligations/obligations';

/** What an idempotency key looks like (newKey draws 22 characters). */
export const KEY_PATTERN = /^[A-Za-z0-9_-]{16,64}$/;

/** A fresh idempotency key for one form: 128 random bits. */
export function newKey(): string {
  return randomBytes(16).toString('base64url');
}

const idOf = (parts: unknown[]) => `portal-${createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 40)}`;

/** The id of the submission posted with `key` by this department for this occurrence. */
export function keyedSubmissionId(department: string, occurrence: string, key: string): string {
  return idOf(['key', department, occurrence, key]);
}

/** What a post without a key says, as far as its id goes. */
export interface PostedContent {
  values?: FormValues;
  report: string;
  attachments: Array<{ ref: string; name: string }>;
  confirmDecreases: string[];
}

/** The id of a post without a key: its link token and its content (the portal's id before keys). */
export function contentSubmissionId(token: string, occurrence: string, c: PostedContent): string {
  return idOf([token, occurrence, c.values ?? null, c.report, c.attachments.map((a) => [a.ref, a.name]), c.confirmDecreases]);
}

/** Keys sorted at every level, so two equal values print the same. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v)
      .sort()
      .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v ?? null);
}

/** The version this department made through the portal with exactly this content, if any (for a post without a key). */
export function versionWithContent(versions: readonly SubmissionVersion[], department: string, c: PostedContent): SubmissionVersion | undefined {
  const wanted = canonical([c.values ?? null, c.report.trim() ? c.report : '', c.attachments.map((a) => [a.ref, a.name])]);
  return versions.find(
    (v) => v.by === `portal:${department}` && canonical([v.values ?? null, v.report ?? '', (v.attachments ?? []).map((a) => [a.ref, a.name])]) === wanted,
  );
}
