/**
 * Time zone names as a plan may write them. The IANA database (through Intl, as luxon reads it)
 * knows a zone in any letter case — `asia/shanghai` works — but the compiled plan, the e-mails and
 * every tool after it should see the one spelling IANA gives (`Asia/Shanghai`): canonicalZone says
 * which, and compile/campaign.ts uses it with a warning. A name IANA does not know is refused with
 * the closest name that exists: the zone whose city is the word written (`Shanghai`,
 * `new york`), Asia/Shanghai for Beijing or China, a zone name for a fixed offset (`UTC+8`), or
 * the nearest spelling.
 */
import { IANAZone } from 'luxon';
import { closest } from '../diagnostics';
import type { Message } from '../messages/core';
import { VALUE_MESSAGES as M, type ZoneHint } from '../messages/values';

function knownZones(): string[] {
  try {
    return (Intl as unknown as { supportedValuesOf?: (k: string) => string[] }).supportedValuesOf?.('timeZone') ?? [];
  } catch {
    return []; // no suggestions on runtimes without the zone list
  }
}

/**
 * The spelling IANA gives a zone the plan writes, when it differs from what is written: a change
 * of letter case (`asia/shanghai` → `Asia/Shanghai`), or, for a link written in lower case, the
 * zone it links to (`prc` → `Asia/Shanghai`, `utc` → `UTC`). Links spelled as IANA spells them
 * (`PRC`, `Asia/Chongqing`, `US/Eastern`) are kept. Undefined when the name is fine or unknown.
 */
export function canonicalZone(written: string): string | undefined {
  if (!IANAZone.isValidZone(written)) return undefined;
  let resolved: string;
  try {
    resolved = new Intl.DateTimeFormat('en', { timeZone: written }).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
  if (resolved === written) return undefined;
  if (resolved.toLowerCase() === written.toLowerCase()) return resolved;
  const listed = knownZones().find((z) => z.toLowerCase() === written.toLowerCase());
  if (listed) return listed === written ? undefined : listed;
  return /(^|\/)[a-z]/.test(written) ? resolved : undefined;
}

/** Why a zone name is not one, with the closest name that is; undefined when IANA knows it. */
export function zoneProblem(s: string): Message | undefined {
  if (IANAZone.isValidZone(s)) return undefined;
  return M.notAZone(s, zoneHint(s));
}

function zoneHint(s: string): ZoneHint {
  if (/beijing|china|peking|prc/i.test(s)) return { kind: 'china' };
  const zones = knownZones();
  const city = s.trim().toLowerCase().replace(/[\s-]+/g, '_');
  const byCity = zones.find((z) => z.toLowerCase().split('/').pop() === city);
  if (byCity) return { kind: 'near', zone: byCity };
  const offset = /^(?:utc|gmt)?\s*([+-])\s*(\d{1,2})(?::?00)?$/i.exec(s.trim());
  if (offset) {
    const hours = Number(offset[2]) * (offset[1] === '-' ? -1 : 1);
    if (hours === 8) return { kind: 'offset', zone: 'Asia/Shanghai' };
    if (hours >= -12 && hours <= 14) return { kind: 'offset', zone: hours === 0 ? 'UTC' : `Etc/GMT${hours > 0 ? '-' : '+'}${Math.abs(hours)}` };
  }
  const near = closest(s, zones);
  return near ? { kind: 'near', zone: near } : { kind: 'none' };
}
