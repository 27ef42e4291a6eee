/**
 * iCalendar (RFC 5545) export of deadlines, importable into Outlook, Apple/Google Calendar and
 * WeCom (企业微信) calendars.
 *
 * Choices, all for reproducibility and portability:
 * - Times are written in UTC (`DTSTART:20240202T100000Z`, RFC 5545 §3.3.5 form #2). Every client
 *   shows them in the viewer's zone; no VTIMEZONE is needed, so zones with daylight saving time
 *   can never be described wrongly. `X-WR-TIMEZONE` carries the campaign zone as a display hint.
 * - `DTSTAMP` never comes from the clock: it is `opts.stamp` when given, else the earliest event
 *   start (or 1970-01-01 for an empty calendar). Same input, byte-identical output.
 * - Lines end with CRLF and are folded at 75 octets, never inside a UTF-8 sequence or a
 *   surrogate pair. TEXT values escape `\`, `;`, `,` and newlines; other control characters are
 *   dropped (RFC 5545 forbids them).
 * - An event of zero minutes (the default) has no DTEND: it ends when it starts (§3.6.1).
 *
 * Pure and deterministic: no I/O, no Date.now().
 */
import { DateTime } from 'luxon';

export interface IcsEvent {
  /** Globally unique and stable across exports, e.g. `pre-festival-report@2024-02-02/taiyuan@shanxi-2024`. */
  uid: string;
  /** ISO-8601 instant with offset or zone, e.g. 2024-02-02T18:00:00.000+08:00. */
  start: string;
  /** Length of the event; 0 or absent = a point in time (no DTEND). */
  durationMinutes?: number;
  summary: string;
  description?: string;
  url?: string;
  /** Display a reminder this many minutes before start (a VALARM). Overrides opts.alarmMinutesBefore. */
  alarmMinutesBefore?: number;
}

export interface IcsOptions {
  /** Calendar name shown by clients (X-WR-CALNAME / NAME). */
  name: string;
  /** IANA zone of the campaign, a display hint (X-WR-TIMEZONE). */
  timezone: string;
  /** ISO instant for DTSTAMP; default: the earliest event start. */
  stamp?: string;
  /** Default VALARM for every event, minutes before start; absent = no alarm. */
  alarmMinutesBefore?: number;
  /** PRODID; default `-//campaign-deadlines//plan//ZH`. */
  prodId?: string;
}

const CRLF = '\r\n';

export function icsCalendar(events: IcsEvent[], opts: IcsOptions): string {
  const stamp = opts.stamp !== undefined ? utcStamp(opts.stamp, 'stamp') : defaultStamp(events);
  const lines: string[] = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    `PRODID:${sanitize(opts.prodId ?? '-//campaign-deadlines//plan//ZH')}`,
    'CALSCALE:GREGORIAN',
    'METHOD:PUBLISH',
    `NAME:${escapeText(opts.name)}`,
    `X-WR-CALNAME:${escapeText(opts.name)}`,
    `X-WR-TIMEZONE:${escapeText(opts.timezone)}`,
  ];
  for (const ev of events) {
    const start = parseInstant(ev.start, `event ${ev.uid} start`);
    const minutes = ev.durationMinutes ?? 0;
    if (!Number.isFinite(minutes) || minutes < 0) {
      throw new RangeError(`icsCalendar: event ${ev.uid}: durationMinutes must be a non-negative number, got ${minutes}`);
    }
    lines.push('BEGIN:VEVENT');
    lines.push(`UID:${escapeText(ev.uid)}`);
    lines.push(`DTSTAMP:${stamp}`);
    lines.push(`DTSTART:${formatUtc(start)}`);
    if (minutes > 0) lines.push(`DTEND:${formatUtc(start.plus({ minutes }))}`);
    lines.push(`SUMMARY:${escapeText(ev.summary)}`);
    if (ev.description !== undefined && ev.description !== '') lines.push(`DESCRIPTION:${escapeText(ev.description)}`);
    if (ev.url !== undefined && ev.url !== '') lines.push(`URL:${sanitize(ev.url)}`);
    lines.push('SEQUENCE:0');
    lines.push('STATUS:CONFIRMED');
    lines.push('TRANSP:TRANSPARENT');
    const alarm = ev.alarmMinutesBefore ?? opts.alarmMinutesBefore;
    if (alarm !== undefined && Number.isFinite(alarm) && alarm >= 0) {
      lines.push('BEGIN:VALARM');
      lines.push('ACTION:DISPLAY');
      lines.push(`DESCRIPTION:${escapeText(ev.summary)}`);
      lines.push(`TRIGGER:-PT${Math.round(alarm)}M`);
      lines.push('END:VALARM');
    }
    lines.push('END:VEVENT');
  }
  lines.push('END:VCALENDAR');
  return lines.map(foldLine).join(CRLF) + CRLF;
}

/** Escapes a TEXT value (RFC 5545 §3.3.11). */
export function escapeText(value: string): string {
  return sanitize(
    value
      .replace(/\\/g, '\\\\')
      .replace(/;/g, '\\;')
      .replace(/,/g, '\\,')
      .replace(/\r\n|\r|\n/g, '\\n'),
  );
}

/** Drops control characters other than HTAB, which no property value may contain. */
function sanitize(value: string): string {
  // eslint-disable-next-line no-control-regex
  return value.replace(/[\u0000-\u0008\u000A-\u001F\u007F]/g, '');
}

/**
 * Folds one content line so that no physical line exceeds 75 octets (not counting CRLF);
 * continuation lines begin with one space. Splits only between code points.
 */
export function foldLine(line: string): string {
  const parts: string[] = [];
  let current = '';
  let octets = 0;
  let limit = 75;
  for (const ch of line) {
    const size = utf8Length(ch);
    if (octets + size > limit) {
      parts.push(current);
      current = '';
      octets = 0;
      limit = 74; // the leading space takes one octet
    }
    current += ch;
    octets += size;
  }
  parts.push(current);
  return parts.join(`${CRLF} `);
}

function utf8Length(ch: string): number {
  const cp = ch.codePointAt(0) ?? 0;
  if (cp < 0x80) return 1;
  if (cp < 0x800) return 2;
  if (cp < 0x10000) return 3;
  return 4;
}

function parseInstant(iso: string, what: string): DateTime {
  const dt = DateTime.fromISO(iso, { setZone: true });
  if (!dt.isValid) throw new RangeError(`icsCalendar: ${what} is not an ISO-8601 instant: ${JSON.stringify(iso)}`);
  return dt;
}

function formatUtc(dt: DateTime): string {
  return dt.toUTC().toFormat("yyyyMMdd'T'HHmmss'Z'");
}

function utcStamp(iso: string, what: string): string {
  return formatUtc(parseInstant(iso, what));
}

function defaultStamp(events: IcsEvent[]): string {
  let min: DateTime | undefined;
  for (const ev of events) {
    const dt = parseInstant(ev.start, `event ${ev.uid} start`);
    if (min === undefined || dt.toMillis() < min.toMillis()) min = dt;
  }
  return min ? formatUtc(min) : '19700101T000000Z';
}
