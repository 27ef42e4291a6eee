/**
 * Campaign time versus workflow time. A real campaign runs on the wall clock (scale 1, no shift).
 * A rehearsal maps campaign time onto wall time — `1d=10s` plays a day of the campaign in ten
 * seconds — so a coordinator can watch a whole campaign in minutes; tests use scale 1 with a
 * shift, so a 2024 campaign plays on a server whose clock says 2026.
 *
 * Pure: workflows import it. Instants are epoch milliseconds.
 */
export interface CampaignClock {
  /** Wall milliseconds per campaign millisecond (1 = real time; 10s/1d = 1/8640). */
  scale: number;
  /** Campaign instant that corresponds to wallOriginMs. */
  campaignOriginMs: number;
  wallOriginMs: number;
}

export const REAL_TIME: CampaignClock = { scale: 1, campaignOriginMs: 0, wallOriginMs: 0 };

/** How a campaign is to be clocked, as given at start (resolved into a CampaignClock by the workflow). */
export type ClockRequest =
  | { mode: 'real' }
  /** Play the campaign from `startAt` (default: shortly before the period starts) at `scale`. */
  | { mode: 'rehearsal'; scale: number; startAt?: string };

export function campaignNowMs(clock: CampaignClock, wallNowMs: number): number {
  return clock.campaignOriginMs + (wallNowMs - clock.wallOriginMs) / clock.scale;
}

export function wallMsFor(clock: CampaignClock, campaignMs: number): number {
  return clock.wallOriginMs + (campaignMs - clock.campaignOriginMs) * clock.scale;
}

/** Resolves a request at the workflow's first run; `periodStartMs` anchors a rehearsal. */
export function resolveClock(req: ClockRequest, wallNowMs: number, periodStartMs: number): CampaignClock {
  if (req.mode === 'real') return REAL_TIME;
  const start = req.startAt ? Date.parse(req.startAt) : periodStartMs - 60_000;
  return { scale: req.scale, campaignOriginMs: start, wallOriginMs: wallNowMs };
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

function parseSpan(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d|w)$/.exec(text.trim());
  if (!m) return undefined;
  return Number(m[1]) * UNIT_MS[m[2]!]!;
}

/**
 * Parses a rehearsal mapping such as `1d=10s` (a campaign day in ten wall seconds) into a scale.
 * Returns an error message in the user's terms instead of throwing.
 */
export function parseRehearsal(text: string): { scale: number } | { error: string } {
  const [campaign, wall, extra] = text.split('=');
  const c = campaign !== undefined ? parseSpan(campaign) : undefined;
  const w = wall !== undefined ? parseSpan(wall) : undefined;
  if (extra !== undefined || !c || !w) {
    return { error: `--rehearse takes CAMPAIGN=WALL, e.g. 1d=10s (a campaign day in ten seconds); units ms, s, m, h, d, w — got '${text}'` };
  }
  if (w > c) return { error: `--rehearse ${text} would play the campaign slower than real time` };
  return { scale: w / c };
}
