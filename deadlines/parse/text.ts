/**
 * A plan file's bytes → plan text, or why they are not a plan: too big, UTF-16, binary (NUL
 * bytes), not UTF-8 (named GBK/GB18030 when the bytes read as such: what Chinese Windows editors
 * save by default), a lone surrogate, nothing in it. Each refusal is one diagnostic, at the line
 * and column of the first offending byte where there is one, saying how to save the file as UTF-8.
 * A UTF-8 byte-order mark (what Notepad writes for "UTF-8 with BOM") is accepted silently.
 */
import { type Diagnostic, diagnosticAt, FILE_START, type Position } from '../diagnostics';
import { FILE_MESSAGES as M } from '../messages/file';

export const MAX_PLAN_BYTES = 1024 * 1024;

function lineColAtByte(buf: Uint8Array, offset: number): Position {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < buf.length; i++) {
    if (buf[i] === 0x0a) {
      line++;
      lineStart = i + 1;
    }
  }
  // Column in characters: count UTF-8 lead bytes between the line start and the offset.
  let col = 1;
  for (let i = lineStart; i < offset && i < buf.length; i++) if ((buf[i] & 0xc0) !== 0x80) col++;
  return { line, col };
}

/**
 * Turns file bytes into plan text, or says why they are not a plan: too big, binary, not UTF-8.
 * Strips a UTF-8 byte-order mark.
 */
export function decodePlanBytes(buf: Uint8Array, file: string): { text: string } | { error: Diagnostic } {
  if (buf.length > MAX_PLAN_BYTES) {
    return { error: diagnosticAt(file, FILE_START, M.fileTooBig(formatSize(buf.length))) };
  }
  if ((buf[0] === 0xff && buf[1] === 0xfe) || (buf[0] === 0xfe && buf[1] === 0xff)) {
    return { error: diagnosticAt(file, FILE_START, M.utf16()) };
  }
  const nul = buf.indexOf(0);
  if (nul >= 0) {
    return {
      error: diagnosticAt(file, lineColAtByte(buf, nul), M.nulBytes()),
    };
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(buf);
  } catch {
    const bad = firstInvalidUtf8(buf);
    return { error: diagnosticAt(file, lineColAtByte(buf, bad), isGbk(buf) ? M.gbk() : M.notUtf8()) };
  }
  return { text: text.charCodeAt(0) === 0xfeff ? text.slice(1) : text };
}

/**
 * Whether bytes that are not UTF-8 read as GBK/GB18030 text with Chinese in it: they decode
 * without error and hold at least one CJK character (binary data rarely does both).
 */
function isGbk(buf: Uint8Array): boolean {
  try {
    const text = new TextDecoder('gb18030', { fatal: true }).decode(buf);
    return /[\u4e00-\u9fff]/.test(text);
  } catch {
    return false;
  }
}

function firstInvalidUtf8(buf: Uint8Array): number {
  let i = 0;
  while (i < buf.length) {
    const b = buf[i];
    let n = 0;
    if (b < 0x80) n = 0;
    else if (b >= 0xc2 && b <= 0xdf) n = 1;
    else if (b >= 0xe0 && b <= 0xef) n = 2;
    else if (b >= 0xf0 && b <= 0xf4) n = 3;
    else return i;
    for (let k = 1; k <= n; k++) if (i + k >= buf.length || (buf[i + k] & 0xc0) !== 0x80) return i;
    i += n + 1;
  }
  return 0;
}

function formatSize(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  return `${Math.ceil(bytes / 1024)} KB`;
}

/** Checks text handed over as a string (size, NUL characters, broken surrogates, emptiness). */
export function checkPlanText(text: string, file: string): Diagnostic | undefined {
  if (typeof text !== 'string') return diagnosticAt(file, FILE_START, M.notText());
  // Cheap upper bound first: UTF-8 needs at most 3 bytes per UTF-16 unit.
  if (text.length > MAX_PLAN_BYTES || (text.length * 3 > MAX_PLAN_BYTES && Buffer.byteLength(text, 'utf8') > MAX_PLAN_BYTES)) {
    return diagnosticAt(file, FILE_START, M.textTooBig(formatSize(Buffer.byteLength(text, 'utf8'))));
  }
  const nul = text.indexOf('\u0000');
  if (nul >= 0) return diagnosticAt(file, lineColAt(text, nul), M.nulCharacters());
  const lone = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.exec(text);
  if (lone) return diagnosticAt(file, lineColAt(text, lone.index), M.loneSurrogate());
  if (text.replace(/^\uFEFF/, '').trim() === '') {
    return diagnosticAt(file, FILE_START, M.empty());
  }
  return undefined;
}

function lineColAt(text: string, offset: number): Position {
  let line = 1;
  let start = 0;
  for (let i = 0; i < offset; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      start = i + 1;
    }
  }
  return { line, col: offset - start + 1 };
}
