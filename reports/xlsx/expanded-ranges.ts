/**
 * Ranges the spreadsheet reader expands cell by cell, counted before it opens the file. exceljs,
 * while loading, walks every cell of a merged range (<mergeCell ref>), of a data validation's range
 * (<dataValidation sqref>), of a defined name (<definedName> in the workbook) and creates a column
 * object for every column a <col min max> spans. A few bytes such as ref="A1:XFD1048576" would so
 * make it create 17 billion cells: a small file within every size limit that never finishes. A
 * template as downloaded covers about 200 such cells; Excel itself, when a whole sheet's column
 * widths are set, writes one <col> over 16,384 columns. 100,000 cells in all leave room for both
 * and for a filled template's own edits, at a few MB of memory when exceljs expands them.
 *
 * The reader's time limit and memory cap (reading-pool.ts) still stop anything this misses; this
 * gives the department a reason at once instead of a time-out.
 */
import { entryBytes, type ZipEntryInfo } from '../zip-guard';

export const MAX_EXPANDED_CELLS = 100_000;

export const RANGES_TOO_LARGE = '文件中的合并单元格、数据验证或名称所覆盖的范围过大（超过10万个单元格），不像是填好的统计表，请使用下载的模板重新填写';

/** The parts where exceljs expands ranges: worksheets (matched anywhere in the path, as it does) and the workbook. */
function expandsRanges(name: string): boolean {
  return /xl\/worksheets\/sheet\d+[.]xml/.test(name) || name === 'xl/workbook.xml';
}

function columnNumber(letters: string): number {
  let n = 0;
  for (const ch of letters.toUpperCase()) n = n * 26 + (ch.charCodeAt(0) - 64);
  return n;
}

/**
 * Cells in a reference such as A1, $B$3:$D$9, Sheet1!$A$1:$C$2 or a list of them separated by
 * spaces. Whole columns or rows (A:C, 1:3) are not expanded by exceljs and count as one cell each;
 * what cannot be read counts as one cell too (exceljs refuses it).
 */
export function cellsIn(ref: string): number {
  let total = 0;
  for (const part of ref.trim().split(/\s+/)) {
    const m = /^(?:.*!)?\$?([A-Za-z]{1,7})\$?(\d{1,10})(?::\$?([A-Za-z]{1,7})\$?(\d{1,10}))?$/.exec(part);
    if (!m || m[3] === undefined) {
      total += 1;
      continue;
    }
    const cols = Math.abs(columnNumber(m[3]) - columnNumber(m[1])) + 1;
    const rows = Math.abs(Number(m[4]) - Number(m[2])) + 1;
    total += cols * rows;
  }
  return total;
}

const ATTR = (name: string) => new RegExp(`\\b${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)')`);

/** Cells the ranges in one part's XML make exceljs expand. */
export function expandedCells(xml: string): number {
  let total = 0;
  const tags = /<(?:[\w-]+:)?(mergeCell|dataValidation|col)\b([^>]*)>/g;
  for (let m = tags.exec(xml); m; m = tags.exec(xml)) {
    const [, tag, attrs] = m;
    if (tag === 'col') {
      const min = ATTR('min').exec(attrs);
      const max = ATTR('max').exec(attrs);
      const lo = Number(min?.[1] ?? min?.[2] ?? 1);
      const hi = Number(max?.[1] ?? max?.[2] ?? lo);
      total += Number.isFinite(hi - lo) ? Math.abs(hi - lo) + 1 : 1;
    } else {
      const ref = ATTR(tag === 'mergeCell' ? 'ref' : 'sqref').exec(attrs);
      total += cellsIn(ref?.[1] ?? ref?.[2] ?? '');
    }
  }
  const names = /<(?:[\w-]+:)?definedName\b[^>]*>([^<]*)</g;
  for (let m = names.exec(xml); m; m = names.exec(xml)) {
    for (const ref of m[1].split(',')) total += cellsIn(ref);
  }
  return total;
}

/** Checks the parts checkZip accepted; undefined when nothing expands too far. */
export function checkExpandedRanges(buffer: Buffer, entries: readonly ZipEntryInfo[]): string | undefined {
  let total = 0;
  for (const entry of entries) {
    if (!expandsRanges(entry.name)) continue;
    total += expandedCells(entryBytes(buffer, entry).toString('utf8'));
    if (total > MAX_EXPANDED_CELLS) return RANGES_TOO_LARGE;
  }
  return undefined;
}
