import { describe, expect, it } from 'vitest';
import { escapeText, foldLine, icsCalendar } from '../../deadlines/ics';

const octets = (s: string) => Buffer.byteLength(s, 'utf8');

/** Undoes RFC 5545 folding. */
const unfold = (ics: string) => ics.replace(/\r\n /g, '');

describe('icsCalendar', () => {
  const events = [
    {
      uid: 'pre-festival-report@2024-02-02.taiyuan@shanxi-2024',
      start: '2024-02-02T18:00:00.000+08:00',
      summary: '截止：春节前阶段性活动进展情况',
      description: '活动开展情况（启动仪式、活动计划安排）；农民工返乡情况; 困难问题和意见建议\n第二行, with \\ backslash',
      url: 'https://portal.example.org/d/pre-festival-report?dept=taiyuan',
      durationMinutes: 30,
      alarmMinutesBefore: 60,
    },
    { uid: 'b@x', start: '2024-03-14T18:00:00.000-04:00', summary: 'Weekly figures' },
  ];
  const ics = icsCalendar(events, { name: '2024年山西省春风行动 · 太原市', timezone: 'Asia/Shanghai' });

  it('is a VCALENDAR with CRLF line endings only', () => {
    expect(ics.startsWith('BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:')).toBe(true);
    expect(ics.endsWith('END:VCALENDAR\r\n')).toBe(true);
    expect(ics.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    expect(ics).toContain('X-WR-TIMEZONE:Asia/Shanghai\r\n');
    expect(ics.match(/BEGIN:VEVENT/g)).toHaveLength(2);
  });

  it('folds lines at 75 octets without splitting UTF-8 characters', () => {
    for (const line of ics.split('\r\n')) expect(octets(line)).toBeLessThanOrEqual(75);
    expect(ics).toMatch(/\r\n [^\r]/);
    // Every physical line is valid UTF-8 on its own (no split multi-byte sequence).
    for (const line of ics.split('\r\n')) expect(Buffer.from(Buffer.from(line, 'utf8').toString('utf8'), 'utf8').equals(Buffer.from(line, 'utf8'))).toBe(true);
    expect(unfold(ics)).toContain('SUMMARY:截止：春节前阶段性活动进展情况\r\n');
  });

  it('foldLine handles 4-byte characters and exact boundaries', () => {
    const line = `SUMMARY:${'😀'.repeat(40)}`;
    const folded = foldLine(line);
    for (const l of folded.split('\r\n')) expect(octets(l)).toBeLessThanOrEqual(75);
    expect(folded.replace(/\r\n /g, '')).toBe(line);
    expect(foldLine('x'.repeat(75))).toBe('x'.repeat(75));
    expect(foldLine('x'.repeat(76))).toBe(`${'x'.repeat(75)}\r\n x`);
  });

  it('escapes commas, semicolons, backslashes and newlines in text', () => {
    expect(escapeText('a,b;c\\d\ne\r\nf')).toBe('a\\,b\\;c\\\\d\\ne\\nf');
    expect(unfold(ics)).toContain('DESCRIPTION:活动开展情况（启动仪式、活动计划安排）；农民工返乡情况\\; 困难问题和意见建议\\n第二行\\, with \\\\ backslash\r\n');
    expect(escapeText('bell\u0007')).toBe('bell');
  });

  it('writes UTC times, DTEND for durations, a VALARM, and a deterministic DTSTAMP', () => {
    const u = unfold(ics);
    expect(u).toContain('DTSTART:20240202T100000Z\r\nDTEND:20240202T103000Z\r\n');
    expect(u).toContain('DTSTART:20240314T220000Z\r\nSUMMARY:Weekly figures\r\n');
    expect(u).toContain('BEGIN:VALARM\r\nACTION:DISPLAY\r\nDESCRIPTION:截止：春节前阶段性活动进展情况\r\nTRIGGER:-PT60M\r\nEND:VALARM');
    expect(u.match(/DTSTAMP:20240202T100000Z/g)).toHaveLength(2);
    expect(u).toContain('URL:https://portal.example.org/d/pre-festival-report?dept=taiyuan\r\n');
    // Reproducible.
    expect(icsCalendar(events, { name: '2024年山西省春风行动 · 太原市', timezone: 'Asia/Shanghai' })).toBe(ics);
    expect(icsCalendar(events, { name: 'x', timezone: 'UTC', stamp: '2024-01-01T00:00:00Z' })).toContain('DTSTAMP:20240101T000000Z');
    expect(icsCalendar([], { name: 'x', timezone: 'UTC' })).toBe(
      'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//campaign-deadlines//plan//ZH\r\nCALSCALE:GREGORIAN\r\nMETHOD:PUBLISH\r\nNAME:x\r\nX-WR-CALNAME:x\r\nX-WR-TIMEZONE:UTC\r\nEND:VCALENDAR\r\n',
    );
  });

  it('rejects a start that is not an ISO instant', () => {
    expect(() => icsCalendar([{ uid: 'a', start: 'tomorrow', summary: 's' }], { name: 'x', timezone: 'UTC' })).toThrow(RangeError);
  });
});
