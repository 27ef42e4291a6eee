/**
 * Ladder durations as coordinators write them: `3d` (calendar days), `2h` (hours), `30m`
 * (minutes), `1wd` (working days). Whole non-negative numbers only.
 */

export type DurationUnit = 'd' | 'h' | 'm' | 'wd';

export interface Duration {
  amount: number;
  unit: DurationUnit;
  /** As written, e.g. "1wd". */
  text: string;
}

export const DURATION_PATTERN = /^(\d{1,5})(wd|d|h|m)$/;

export function parseDuration(text: string): Duration | undefined {
  const m = DURATION_PATTERN.exec(text.trim());
  if (!m) return undefined;
  return { amount: Number(m[1]), unit: m[2] as DurationUnit, text: text.trim() };
}

/**
 * Approximate length in minutes, for ordering rungs on a ladder (a working day counts as one
 * day: it is never shorter than a calendar day).
 */
export function approximateMinutes(d: Duration): number {
  switch (d.unit) {
    case 'm':
      return d.amount;
    case 'h':
      return d.amount * 60;
    case 'd':
    case 'wd':
      return d.amount * 24 * 60;
  }
}

/** Human description in the campaign's language, e.g. "1个工作日" / "1 working day". */
export function describeDuration(d: Duration, language: 'zh-CN' | 'en'): string {
  const n = d.amount;
  if (language === 'en') {
    const unit = { d: 'day', h: 'hour', m: 'minute', wd: 'working day' }[d.unit];
    return `${n} ${unit}${n === 1 ? '' : 's'}`;
  }
  const unit = { d: '天', h: '小时', m: '分钟', wd: '个工作日' }[d.unit];
  return `${n}${unit}`;
}
