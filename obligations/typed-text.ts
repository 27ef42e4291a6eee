/**
 * Text a department types, as it may be kept and shown. Two characters families can make a name
 * display as something it is not: the bidi controls (U+202E RIGHT-TO-LEFT OVERRIDE turns
 * "report‮fdp.exe" into "reportexe.pdf" on screen) and the zero-width characters (two names that
 * look the same and are not). Names — a form's names columns, attachments' file names — lose them
 * (withoutInvisibleMarks); free text, where a mark may be meant, keeps them and the coordinator's
 * pages show each one as its code (splitInvisibleMarks). A zero-width joiner between two emoji is
 * part of the picture (👨‍👩‍👧) and is kept.
 *
 * And cutting: a name too long is cut between graphemes (Intl.Segmenter), never inside a
 * surrogate pair or between a letter and its combining marks (cutGraphemes).
 *
 * Pure; the submission rules (workflow code) import it.
 */

/** U+061C, U+200E/F, U+202A–202E, U+2066–2069: bidi marks, embeddings, overrides, isolates. */
const BIDI_CONTROLS = '\\u061c\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069';
/** U+200B–200D, U+2060, U+FEFF: zero-width space, non-joiner, joiner, word joiner, BOM. */
const ZERO_WIDTH = '\\u200b-\\u200d\\u2060\\ufeff';
const INVISIBLE = new RegExp(`[${BIDI_CONTROLS}${ZERO_WIDTH}]`, 'gu');

const ZWJ = '\u200d';
const EMOJI_BEFORE = /\p{Extended_Pictographic}[\ufe0f\u{1f3fb}-\u{1f3ff}]?$/u;
const EMOJI_AFTER = /^\p{Extended_Pictographic}/u;

/** A zero-width joiner inside an emoji sequence (emoji, optional variation or skin tone, ZWJ, emoji). */
function joinsEmoji(text: string, at: number): boolean {
  return EMOJI_BEFORE.test(text.slice(Math.max(0, at - 4), at)) && EMOJI_AFTER.test(text.slice(at + 1, at + 3));
}

/** `text` without its bidi controls and zero-width characters (a joiner inside an emoji kept). */
export function withoutInvisibleMarks(text: string): string {
  return text.replace(INVISIBLE, (c, at: number, whole: string) => (c === ZWJ && joinsEmoji(whole, at) ? c : ''));
}

/**
 * `text` split around its invisible marks: even indexes are text, odd ones the marks as codes
 * ("U+202E"), so that a page can show each where it is. One piece when there is none.
 */
export function splitInvisibleMarks(text: string): string[] {
  const pieces: string[] = [];
  let from = 0;
  for (const m of text.matchAll(INVISIBLE)) {
    const at = m.index!;
    if (m[0] === ZWJ && joinsEmoji(text, at)) continue;
    pieces.push(text.slice(from, at), `U+${m[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`);
    from = at + m[0].length;
  }
  pieces.push(text.slice(from));
  return pieces;
}

/** `text` with its invisible marks written as ⟦U+202E⟧, for a plain-text message that echoes it. */
export function revealInvisibleMarks(text: string): string {
  return splitInvisibleMarks(text)
    .map((p, i) => (i % 2 ? `⟦${p}⟧` : p))
    .join('');
}

/** Lone surrogates (never valid in a name: encodeURIComponent throws on them) as U+FFFD. */
export function wellFormed(text: string): string {
  return text.replace(/\p{Cs}/gu, '\ufffd');
}

/** Length in code points (as a person counts characters; an emoji is one, not two). */
export function codePointLength(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

/** Length in UTF-8 bytes (what a file system counts in a name). */
export function utf8Length(text: string): number {
  let n = 0;
  for (const c of text) {
    const cp = c.codePointAt(0)!;
    n += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
  }
  return n;
}

/** How long a piece of text may be: in characters (code points) and, optionally, in UTF-8 bytes. */
export interface TextLimit {
  chars: number;
  bytes?: number;
}

const fits = (text: string, limit: TextLimit) => codePointLength(text) <= limit.chars && (limit.bytes === undefined || utf8Length(text) <= limit.bytes);

let segmenter: Intl.Segmenter | undefined;

/**
 * The start of `text` within `limit`, cut between graphemes. A first grapheme longer than the
 * limit by itself (a letter under hundreds of combining marks) is cut between its code points.
 */
export function cutGraphemes(text: string, limit: TextLimit): string {
  if (fits(text, limit)) return text;
  segmenter ??= new Intl.Segmenter(undefined, { granularity: 'grapheme' });
  let out = '';
  for (const { segment } of segmenter.segment(text)) {
    if (fits(out + segment, limit)) {
      out += segment;
      continue;
    }
    if (!out) for (const c of segment) if (fits(out + c, limit)) out += c;
    break;
  }
  return out;
}
