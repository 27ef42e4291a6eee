/**
 * Text that others wrote, shown on the coordinator's terminal: campaign titles, department and
 * deadline names (the plan's author), reasons and reports (departments through the portal, other
 * coordinators), delivery failures (mail servers). Written raw, a CR or LF forges a line of the
 * output, an ESC sequence recolours or clears the screen, and a bidi override (U+202E) shows the
 * characters after it reversed. Every verb passes such text through here: each of those characters
 * is shown as an escape (\r, \n, \t, \u202E), and the rest of the text as it is.
 */

/** DEL, the C1 controls, the bidi marks, embeddings, overrides and isolates, the line and paragraph separators. */
const BEYOND_C0 = '\\u007f-\\u009f\\u061c\\u200e\\u200f\\u2028\\u2029\\u202a-\\u202e\\u2066-\\u2069';
/** Those and the C0 controls (CR, LF, TAB, ESC…). */
const UNSAFE = new RegExp(`[\\u0000-\\u001f${BEYOND_C0}]`, 'g');
/** What JSON.stringify leaves raw. */
const UNSAFE_IN_JSON = new RegExp(`[${BEYOND_C0}]`, 'g');

const NAMED: Record<string, string> = { '\r': '\\r', '\n': '\\n', '\t': '\\t' };

const unicodeEscape = (c: string) => `\\u${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;

/** One piece of text, safe to print: control and bidi characters shown escaped. */
export function terminalText(text: string): string {
  return text.replace(UNSAFE, (c) => NAMED[c] ?? unicodeEscape(c));
}

/** Several lines the CLI composed: each line's text made safe, the line breaks between them kept. */
export function terminalLines(text: string): string {
  return text.split('\n').map(terminalText).join('\n');
}

/**
 * A copy of `value` with every string in it (in plain objects and arrays, at any depth) made safe:
 * for the records a verb hands to a formatter that prints their fields (a plan, a status, audit
 * entries). Anything else (numbers, dates, class instances) is kept as it is.
 */
export function terminalValues<T>(value: T): T {
  if (typeof value === 'string') return terminalText(value) as T;
  if (Array.isArray(value)) return value.map((v) => terminalValues(v)) as T;
  if (value !== null && typeof value === 'object') {
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) return value;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = terminalValues(v);
    return out as T;
  }
  return value;
}

/**
 * JSON for stdout. JSON.stringify escapes the C0 controls but writes DEL, the C1 controls and the
 * bidi and separator characters raw; here they are \u escapes too, so the document parses to the
 * same values and shows the same way on a terminal as in a file.
 */
export function terminalJson(data: unknown): string {
  return String(JSON.stringify(data, null, 2)).replace(UNSAFE_IN_JSON, unicodeEscape);
}
