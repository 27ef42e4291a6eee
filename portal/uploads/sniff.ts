/**
 * What an uploaded file really is: its extension must be on the allow-list (one home:
 * obligations/submission-rules.ts, which the CLI uses too) AND its bytes must match it — magic
 * numbers; for .docx/.xlsx the zip's own file list; for .txt valid UTF-8 text. Executables (MZ, ELF,
 * Mach-O, scripts with #!) are refused whatever their name.
 *
 * A ContentSniffer reads a file as it streams past, keeping only its first and last bytes (and the
 * state of a UTF-8 decoder): the verdict on the first bytes comes as soon as they arrive, so a
 * disguised file is not written on; the zip and text checks finish at the end.
 */
import { ATTACHMENT_EXTENSIONS, ATTACHMENT_TYPES, describeRefusal, extensionOf, refusal } from '../../obligations/submission-rules';
import type { Language } from '../../deadlines/timeline';

export { extensionOf };

export type SniffResult = { ok: true; type: string; ext: string } | { ok: false; reason: string };

/** Bytes kept from the start: every magic number and executable signature fits. */
const HEAD_BYTES = 16;
/** Bytes kept from the end: a zip's end-of-central-directory record and, for Office files, the whole directory. */
const TAIL_BYTES = 256 * 1024;

const starts = (data: Buffer, bytes: number[] | string) => {
  const b = typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : Buffer.from(bytes);
  return data.length >= b.length && data.subarray(0, b.length).equals(b);
};

function isExecutable(data: Buffer): boolean {
  return (
    starts(data, 'MZ') ||
    starts(data, '\x7fELF') ||
    starts(data, [0xfe, 0xed, 0xfa, 0xce]) ||
    starts(data, [0xfe, 0xed, 0xfa, 0xcf]) ||
    starts(data, [0xcf, 0xfa, 0xed, 0xfe]) ||
    starts(data, [0xce, 0xfa, 0xed, 0xfe]) ||
    starts(data, [0xca, 0xfe, 0xba, 0xbe]) ||
    starts(data, '#!')
  );
}

/**
 * File names in a zip's central directory, or undefined when it is not a readable zip. `data` is
 * the file's end, starting at byte `base` of the file (0: the whole file).
 */
export function zipEntryNames(data: Buffer, base = 0): string[] | undefined {
  // End of central directory: signature 0x06054b50 within the last 64 KiB + 22 bytes.
  const from = Math.max(0, data.length - 65_557);
  let eocd = -1;
  for (let i = data.length - 22; i >= from; i--) {
    if (data.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) return undefined;
  const count = data.readUInt16LE(eocd + 10);
  let p = data.readUInt32LE(eocd + 16) - base;
  if (p < 0) return undefined;
  const names: string[] = [];
  for (let n = 0; n < count && n < 10_000; n++) {
    if (p + 46 > data.length || data.readUInt32LE(p) !== 0x02014b50) return undefined;
    const nameLen = data.readUInt16LE(p + 28);
    const extraLen = data.readUInt16LE(p + 30);
    const commentLen = data.readUInt16LE(p + 32);
    if (p + 46 + nameLen > data.length) return undefined;
    names.push(data.subarray(p + 46, p + 46 + nameLen).toString('utf8'));
    p += 46 + nameLen + extraLen + commentLen;
  }
  return names;
}

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b\u000e-\u001f\u007f]/;

/** Sniffs one file as its bytes stream past: push() each chunk, early() after each, result() at the end. */
export class ContentSniffer {
  private readonly ext: string;
  private head = Buffer.alloc(0);
  private tail: Buffer[] = [];
  private tailLength = 0;
  private size = 0;
  private readonly text?: TextDecoder;
  private textOk = true;
  private verdict?: SniffResult;
  private headChecked = false;

  constructor(
    private readonly filename: string,
    private readonly language: Language = 'zh-CN',
  ) {
    this.ext = extensionOf(filename);
    if (!ATTACHMENT_EXTENSIONS.includes(this.ext)) {
      this.verdict = { ok: false, reason: describeRefusal(refusal('attachment-kind', { name: filename, allowed: [...ATTACHMENT_EXTENSIONS] }), language) };
    }
    if (this.ext === '.txt') this.text = new TextDecoder('utf-8', { fatal: true });
  }

  push(chunk: Buffer): void {
    if (this.verdict) return;
    this.size += chunk.length;
    if (this.head.length < HEAD_BYTES) this.head = Buffer.concat([this.head, chunk.subarray(0, HEAD_BYTES - this.head.length)]);
    if (this.ext === '.docx' || this.ext === '.xlsx') {
      this.tail.push(chunk);
      this.tailLength += chunk.length;
      while (this.tail.length > 1 && this.tailLength - this.tail[0]!.length >= TAIL_BYTES) this.tailLength -= this.tail.shift()!.length;
    }
    if (this.text && this.textOk) {
      try {
        if (CONTROL.test(this.text.decode(chunk, { stream: true }))) this.textOk = false;
      } catch {
        this.textOk = false;
      }
    }
    if (!this.headChecked && this.head.length >= HEAD_BYTES) {
      this.headChecked = true;
      this.verdict = this.headVerdict();
    }
  }

  /** A refusal known from the first bytes (the rest need not be read), else undefined. */
  early(): SniffResult | undefined {
    return this.verdict && !this.verdict.ok ? this.verdict : undefined;
  }

  /** The verdict once every byte was pushed. */
  result(): SniffResult {
    if (this.verdict && !this.verdict.ok) return this.verdict;
    const head = this.headVerdict();
    if (head) return head;
    if (this.size === 0) return { ok: false, reason: `文件“${this.filename}”是空文件` };
    let good = true;
    if (this.ext === '.docx' || this.ext === '.xlsx') {
      const tail = Buffer.concat(this.tail);
      const names = zipEntryNames(tail, this.size - tail.length);
      const inner = this.ext === '.docx' ? 'word/document.xml' : 'xl/workbook.xml';
      good = !!names && names.includes('[Content_Types].xml') && names.includes(inner);
    } else if (this.text) {
      try {
        if (CONTROL.test(this.text.decode())) this.textOk = false;
      } catch {
        this.textOk = false;
      }
      good = this.textOk;
    }
    return good ? { ok: true, type: ATTACHMENT_TYPES[this.ext]!, ext: this.ext } : this.mismatch();
  }

  private mismatch(): SniffResult {
    return { ok: false, reason: `文件“${this.filename}”的内容与扩展名${this.ext}不符，已拒收` };
  }

  /** A refusal from the first bytes (as many as came, up to HEAD_BYTES), else undefined. */
  private headVerdict(): SniffResult | undefined {
    const data = this.head;
    if (isExecutable(data)) return { ok: false, reason: `文件“${this.filename}”是可执行程序，不是${this.ext}文件，已拒收` };
    if (data.length === 0) return undefined;
    let good: boolean;
    switch (this.ext) {
      case '.pdf':
        good = starts(data, '%PDF-');
        break;
      case '.png':
        good = starts(data, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
        break;
      case '.jpg':
      case '.jpeg':
        good = starts(data, [0xff, 0xd8, 0xff]);
        break;
      case '.doc':
      case '.xls':
        good = starts(data, [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]);
        break;
      case '.docx':
      case '.xlsx':
        good = starts(data, [0x50, 0x4b, 0x03, 0x04]);
        break;
      default:
        good = true;
    }
    return good ? undefined : this.mismatch();
  }
}

/** Sniffs a file held whole in memory (the XLSX template upload, bounded by its small limit). */
export function sniffFile(filename: string, data: Buffer, language: Language = 'zh-CN'): SniffResult {
  const sniffer = new ContentSniffer(filename, language);
  sniffer.push(data);
  return sniffer.result();
}
