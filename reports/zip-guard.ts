/**
 * Checks an uploaded .xlsx (a ZIP file) before any spreadsheet library opens it: reads the ZIP
 * central directory with Node built-ins and refuses what is not a ZIP, too many entries, encrypted
 * entries, unknown compression methods, declared sizes that are too large or too compressed, and
 * then inflates every entry with a hard output cap (so a directory that lies about its sizes is
 * caught too: the real size is what counts, never more than the budget is ever produced).
 *
 * Besides the whole file, the parts a spreadsheet reader parses as XML (every part but an image)
 * have their own, tighter budget, one by one and together: parsing XML into cells costs far more
 * time and memory per byte than holding an image (see PART_LIMITS).
 *
 * Two steps: checkZipDirectory reads the central directory only (cheap: a few hundred entries at
 * most, so the portal's own thread can do it before handing the file on); checkZip also inflates.
 *
 * Messages are written for a department uploading a filled template.
 */
import { inflateRawSync } from 'node:zlib';

export interface ZipLimits {
  /** The file itself (default 5 MB). */
  maxBytes?: number;
  /** Sum of the entries' uncompressed sizes (default 20 MB). */
  maxUncompressedBytes?: number;
  /** Number of entries (default 200). */
  maxEntries?: number;
  /** Highest uncompressed/compressed ratio of one entry (default 200). */
  maxRatio?: number;
  /** One part read as XML, i.e. anything but an image (default 2 MB). */
  maxPartBytes?: number;
  /** The parts read as XML together (default 4 MB). */
  maxPartsBytes?: number;
}

/**
 * The XML budgets. A template as downloaded holds about 32 KB of XML in all, its worksheet about
 * 11 KB; one filled by hand, saved by Excel or WPS, with a few rows of notes or formatting added,
 * stays well under a few hundred KB. exceljs turns XML into cells at roughly 0.2-0.5 s and 10-20 MB
 * of memory per MB (measured: a 1.9 MB worksheet took 1.0 s and 39 MB of heap, 3.8 MB took 2.3 s
 * on a busy 2-core machine), so 2 MB for one part (about 180 times the template's worksheet) and
 * 4 MB for all of them keep one upload under about 2-3 s and 100 MB while leaving room for any real
 * filled template; a file over them is not a filled statistics table.
 */
export const PART_LIMITS = {
  maxPartBytes: 2 * 1024 * 1024,
  maxPartsBytes: 4 * 1024 * 1024,
} as const;

export const ZIP_DEFAULTS = {
  maxBytes: 5 * 1024 * 1024,
  maxUncompressedBytes: 20 * 1024 * 1024,
  maxEntries: 200,
  maxRatio: 200,
  ...PART_LIMITS,
} as const;

/**
 * An image: held as bytes, never parsed. Only a name directly under xl/media/ counts — the reader
 * matches part names anywhere in the path, so xl/media/x/xl/worksheets/sheet1.xml would be parsed.
 */
function isImage(name: string): boolean {
  return /^xl\/media\/[^/]+$/.test(name);
}

/**
 * Entries smaller than this are not held to the ratio limit: a few KB of repeated XML can compress
 * 300:1 and is harmless (the total budget still applies).
 */
export const RATIO_MIN_BYTES = 64 * 1024;

export interface ZipEntryInfo {
  name: string;
  method: number;
  compressedSize: number;
  uncompressedSize: number;
  /** Where the entry's (compressed) bytes start in the file. */
  dataOffset: number;
}

export type ZipCheck = { ok: true; entries: ZipEntryInfo[] } | { ok: false; message: string };

/** Refusals named once so the reader of a filled template can use the same words. */
export function tooMuchContent(what: 'part' | 'parts', limit: number): string {
  return what === 'part'
    ? `文件中的表格内容过多（一个工作表或部件解压后超过${mb(limit)}），不像是填好的统计表，请使用下载的模板重新填写`
    : `文件中的表格内容过多（解压后共超过${mb(limit)}），不像是填好的统计表，请使用下载的模板重新填写`;
}

export const NOT_XLSX = '文件不是有效的Excel（.xlsx）文件，请使用下载的模板填写后上传（不要上传.xls、.et、.csv或压缩包）';

function mb(n: number): string {
  return `${Math.round((n / 1024 / 1024) * 10) / 10}MB`;
}

const EOCD = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EOCD = 0x06064b50;
const CDH = 0x02014b50;
const LFH = 0x04034b50;

function u64(buf: Buffer, at: number): number {
  const v = buf.readBigUInt64LE(at);
  return v > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(v);
}

/** Checks a buffer that should hold an .xlsx, inflating every entry; never throws. */
export function checkZip(buffer: Buffer, limits: ZipLimits = {}): ZipCheck {
  try {
    const lim = { ...ZIP_DEFAULTS, ...stripUndefined(limits) };
    const dir = directory(buffer, lim);
    return dir.ok ? inflateAll(buffer, dir.entries, lim) : dir;
  } catch {
    return { ok: false, message: NOT_XLSX };
  }
}

/** Checks the central directory only (declared sizes, flags, methods, names); never throws. */
export function checkZipDirectory(buffer: Buffer, limits: ZipLimits = {}): ZipCheck {
  try {
    return directory(buffer, { ...ZIP_DEFAULTS, ...stripUndefined(limits) });
  } catch {
    return { ok: false, message: NOT_XLSX };
  }
}

/** The bytes of an entry checkZip accepted (inflated again, capped at its checked size). */
export function entryBytes(buffer: Buffer, entry: ZipEntryInfo): Buffer {
  const data = buffer.subarray(entry.dataOffset, entry.dataOffset + entry.compressedSize);
  return entry.method === 0 ? data : inflateRawSync(data, { maxOutputLength: Math.max(entry.uncompressedSize, 1) });
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function tooBig(lim: Required<ZipLimits>): string {
  return `文件解压后过大（超过${mb(lim.maxUncompressedBytes)}），不像是填好的统计表，请使用下载的模板重新填写`;
}

function directory(buf: Buffer, lim: Required<ZipLimits>): ZipCheck {
  if (!Buffer.isBuffer(buf) || buf.length < 22) return { ok: false, message: NOT_XLSX };
  if (buf.length > lim.maxBytes) return { ok: false, message: `文件过大（${mb(buf.length)}，上限${mb(lim.maxBytes)}），请只上传填好的统计表` };
  if (buf.readUInt32LE(0) !== LFH) return { ok: false, message: NOT_XLSX };

  // End of central directory: the last 22 bytes plus a comment of at most 65535 bytes.
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 0xffff); i--) {
    if (buf.readUInt32LE(i) === EOCD && i + 22 + buf.readUInt16LE(i + 20) === buf.length) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) return { ok: false, message: NOT_XLSX };
  let count = buf.readUInt16LE(eocd + 10);
  let cdSize = buf.readUInt32LE(eocd + 12);
  let cdOffset = buf.readUInt32LE(eocd + 16);
  if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
    const loc = eocd - 20;
    if (loc < 0 || buf.readUInt32LE(loc) !== ZIP64_LOCATOR) return { ok: false, message: NOT_XLSX };
    const z = u64(buf, loc + 8);
    if (z + 56 > buf.length || buf.readUInt32LE(z) !== ZIP64_EOCD) return { ok: false, message: NOT_XLSX };
    count = u64(buf, z + 32);
    cdSize = u64(buf, z + 40);
    cdOffset = u64(buf, z + 48);
  }
  if (count > lim.maxEntries) return { ok: false, message: `文件包含的部件过多（${count}个，上限${lim.maxEntries}个），不是正常的统计表模板` };
  if (count === 0 || cdOffset + cdSize > buf.length) return { ok: false, message: NOT_XLSX };

  const entries: ZipEntryInfo[] = [];
  let p = cdOffset;
  let declaredTotal = 0;
  let declaredParts = 0;
  for (let i = 0; i < count; i++) {
    if (p + 46 > buf.length || buf.readUInt32LE(p) !== CDH) return { ok: false, message: NOT_XLSX };
    const flags = buf.readUInt16LE(p + 8);
    const method = buf.readUInt16LE(p + 10);
    let compressedSize = buf.readUInt32LE(p + 20);
    let uncompressedSize = buf.readUInt32LE(p + 24);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    let localOffset = buf.readUInt32LE(p + 42);
    if (p + 46 + nameLen + extraLen + commentLen > buf.length) return { ok: false, message: NOT_XLSX };
    const name = buf.toString('utf8', p + 46, p + 46 + nameLen);
    // ZIP64 extended information: the fields set to 0xFFFFFFFF, in this order.
    let e = p + 46 + nameLen;
    const extraEnd = e + extraLen;
    while (e + 4 <= extraEnd) {
      const id = buf.readUInt16LE(e);
      const size = buf.readUInt16LE(e + 2);
      if (id === 0x0001) {
        let q = e + 4;
        if (uncompressedSize === 0xffffffff && q + 8 <= e + 4 + size) (uncompressedSize = u64(buf, q)), (q += 8);
        if (compressedSize === 0xffffffff && q + 8 <= e + 4 + size) (compressedSize = u64(buf, q)), (q += 8);
        if (localOffset === 0xffffffff && q + 8 <= e + 4 + size) (localOffset = u64(buf, q)), (q += 8);
      }
      e += 4 + size;
    }
    p += 46 + nameLen + extraLen + commentLen;

    if (flags & 0x0001 || flags & 0x0040) return { ok: false, message: '文件已加密或设置了打开密码，请取消密码后重新上传' };
    if (method !== 0 && method !== 8) return { ok: false, message: NOT_XLSX };
    declaredTotal += uncompressedSize;
    if (declaredTotal > lim.maxUncompressedBytes) return { ok: false, message: tooBig(lim) };
    if (uncompressedSize >= RATIO_MIN_BYTES && uncompressedSize / Math.max(compressedSize, 1) > lim.maxRatio) return { ok: false, message: tooBig(lim) };
    if (!isImage(name)) {
      // The declared sizes are the real ones: inflateAll refuses an entry that differs.
      if (uncompressedSize > lim.maxPartBytes) return { ok: false, message: tooMuchContent('part', lim.maxPartBytes) };
      declaredParts += uncompressedSize;
      if (declaredParts > lim.maxPartsBytes) return { ok: false, message: tooMuchContent('parts', lim.maxPartsBytes) };
    }
    if (localOffset + 30 > buf.length || buf.readUInt32LE(localOffset) !== LFH) return { ok: false, message: NOT_XLSX };
    const dataOffset = localOffset + 30 + buf.readUInt16LE(localOffset + 26) + buf.readUInt16LE(localOffset + 28);
    if (dataOffset + compressedSize > buf.length) return { ok: false, message: NOT_XLSX };
    entries.push({ name, method, compressedSize, uncompressedSize, dataOffset });
  }

  const names = new Set(entries.map((x) => x.name));
  if (!names.has('[Content_Types].xml') || !names.has('xl/workbook.xml')) return { ok: false, message: NOT_XLSX };
  return { ok: true, entries };
}

/** Inflates every entry with a hard cap: the real sizes must match the declared ones. */
function inflateAll(buf: Buffer, entries: ZipEntryInfo[], lim: Required<ZipLimits>): ZipCheck {
  let realTotal = 0;
  for (const x of entries) {
    const data = buf.subarray(x.dataOffset, x.dataOffset + x.compressedSize);
    let size: number;
    if (x.method === 0) {
      size = data.length;
    } else {
      try {
        // One byte over the declared size is enough to know it lied.
        size = inflateRawSync(data, { maxOutputLength: Math.max(x.uncompressedSize + 1, 1) }).length;
      } catch (err) {
        if (err instanceof RangeError || (err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') return { ok: false, message: tooBig(lim) };
        return { ok: false, message: NOT_XLSX };
      }
    }
    if (size !== x.uncompressedSize) return { ok: false, message: size > x.uncompressedSize ? tooBig(lim) : NOT_XLSX };
    realTotal += size;
    if (realTotal > lim.maxUncompressedBytes) return { ok: false, message: tooBig(lim) };
  }
  return { ok: true, entries };
}
