/**
 * What the CLI does to other people's text before printing it: line breaks, escape sequences and
 * bidi overrides shown as escapes, everything else (Chinese included) as it is; JSON still parses
 * to the same values.
 */
import { describe, expect, it } from 'vitest';
import { terminalJson, terminalLines, terminalText, terminalValues } from '../../cli/terminal-text';

const TITLE = '演示\r\n伪造行\u202Eabc\x1b[31m红\tx\u0085\u2066y\u2069\u200f\u2028';

describe('terminal text', () => {
  it('shows control, bidi and separator characters escaped, and nothing else changed', () => {
    expect(terminalText(TITLE)).toBe('演示\\r\\n伪造行\\u202Eabc\\u001B[31m红\\tx\\u0085\\u2066y\\u2069\\u200F\\u2028');
    expect(terminalText('春风行动（2024年3月）· on time — "ok" \\ 100%')).toBe('春风行动（2024年3月）· on time — "ok" \\ 100%');
    expect(terminalText('\u0000\u007f\u061c\u200e\u202a')).toBe('\\u0000\\u007F\\u061C\\u200E\\u202A');
  });

  it('keeps the line breaks of a message the CLI composed, escapes the rest of each line', () => {
    expect(terminalLines('refused:\n  report: 含\r回车\u202E')).toBe('refused:\n  report: 含\\r回车\\u202E');
  });

  it('escapes every string of a record, at any depth, and keeps the rest', () => {
    const when = new Date(0);
    const out = terminalValues({ title: TITLE, n: 3, list: ['a\nb', { name: '东\u202E区' }], when, none: null });
    expect(out).toEqual({ title: terminalText(TITLE), n: 3, list: ['a\\nb', { name: '东\\u202E区' }], when, none: null });
    expect(out.when).toBe(when);
  });

  it('writes JSON that parses to the same values, with no raw bidi or C1 character', () => {
    const data = { title: TITLE, names: ['东区\u202E'] };
    const json = terminalJson(data);
    expect(JSON.parse(json)).toEqual(data);
    // eslint-disable-next-line no-control-regex
    expect(json.replace(/\n/g, '')).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\u2028\u200f]/);
    expect(json).toContain('\\u202E');
    expect(json).toContain('\\r\\n');
  });
});
