/**
 * Uploads built for the XLSX tests: ZIP files written by hand (so sizes and flags can lie), a part
 * of a real template rewritten in its XML (so a file can state what exceljs would never write), and
 * a template's hidden meta sheet edited the way a hostile uploader would.
 */
import ExcelJS from 'exceljs';
import { crc32, deflateRawSync } from 'node:zlib';
import { checkZip, entryBytes } from '../../reports/zip-guard';

/** A ZIP written by hand, so sizes and flags can lie. */
export function makeZip(entries: Array<{ name: string; data: Buffer; store?: boolean; declaredSize?: number; flags?: number }>): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name, 'utf8');
    const body = e.store ? e.data : deflateRawSync(e.data);
    const size = e.declaredSize ?? e.data.length;
    const crc = crc32(e.data);
    const lh = Buffer.alloc(30);
    lh.writeUInt32LE(0x04034b50, 0);
    lh.writeUInt16LE(20, 4);
    lh.writeUInt16LE(e.flags ?? 0, 6);
    lh.writeUInt16LE(e.store ? 0 : 8, 8);
    lh.writeUInt32LE(crc, 14);
    lh.writeUInt32LE(body.length, 18);
    lh.writeUInt32LE(size, 22);
    lh.writeUInt16LE(name.length, 26);
    const ch = Buffer.alloc(46);
    ch.writeUInt32LE(0x02014b50, 0);
    ch.writeUInt16LE(20, 4);
    ch.writeUInt16LE(20, 6);
    ch.writeUInt16LE(e.flags ?? 0, 8);
    ch.writeUInt16LE(e.store ? 0 : 8, 10);
    ch.writeUInt32LE(crc, 16);
    ch.writeUInt32LE(body.length, 20);
    ch.writeUInt32LE(size, 24);
    ch.writeUInt16LE(name.length, 28);
    ch.writeUInt32LE(offset, 42);
    locals.push(lh, name, body);
    centrals.push(ch, name);
    offset += 30 + name.length + body.length;
  }
  const cd = Buffer.concat(centrals);
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(entries.length, 8);
  eocd.writeUInt16LE(entries.length, 10);
  eocd.writeUInt32LE(cd.length, 12);
  eocd.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, eocd]);
}

/** The same .xlsx with the XML of some parts rewritten by `edit` (parts it returns unchanged stay as they were), and `added` parts. */
export function rewriteParts(xlsx: Buffer, edit: (name: string, xml: string) => string, added: Array<{ name: string; data: Buffer }> = []): Buffer {
  const zip = checkZip(xlsx, { maxBytes: Infinity, maxUncompressedBytes: Infinity, maxPartBytes: Infinity, maxPartsBytes: Infinity });
  if (!zip.ok) throw new Error(`not a zip: ${zip.message}`);
  return makeZip(zip.entries.map((e) => {
    const data = entryBytes(xlsx, e);
    const xml = data.toString('utf8');
    const edited = edit(e.name, xml);
    return { name: e.name, data: edited === xml ? data : Buffer.from(edited, 'utf8') };
  }).concat(added));
}

/** The template with its hidden meta sheet's `key` row set to `values` (the cells from column B on). */
export async function withMeta(template: Buffer, key: string, values: ExcelJS.CellValue[]): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(template as unknown as ArrayBuffer);
  const meta = wb.getWorksheet('meta');
  if (!meta) throw new Error('the template has no meta sheet');
  let found = false;
  meta.eachRow((row) => {
    if (row.getCell(1).value !== key) return;
    found = true;
    values.forEach((v, i) => (row.getCell(2 + i).value = v));
  });
  if (!found) throw new Error(`the meta sheet has no ${key} row`);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/** XML text that compresses about as badly as real cell data: `bytes` of it inside a comment. */
export function incompressibleComment(bytes: number): string {
  let s = '';
  let x = 0x2545f491;
  while (s.length < bytes) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    s += (x >>> 0).toString(36);
  }
  return `<!--${s.slice(0, bytes)}-->`;
}
