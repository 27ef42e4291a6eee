/**
 * Statistics forms as Excel files, one idea a file: the template a department downloads and fills
 * (template.ts), reading a filled template back on a bounded pool of worker threads
 * (reading-pool.ts, reading-thread.mjs, read-filled.ts; raw values only, the caller validates them
 * with checkFormValues), and the coordinator's summary workbook laid out like the notice's table
 * (summary-workbook.ts); where the form sits on a sheet is layout.ts.
 *
 * Safety: an upload is checked by zip-guard (sizes, the XML parts one by one and together) and
 * expanded-ranges.ts before exceljs sees it, and read off the event loop with a time limit and a
 * memory cap; the rows and columns read are the form's, never numbers from the file; formulas are
 * never evaluated (a cell holding one is refused, its cached result ignored); every text written to
 * a summary is neutralised and written as a plain string.
 */
export { META_SHEET, TEMPLATE_FORMAT } from './layout';
export { formTemplateXlsx } from './template';
export type { ParseResult, TemplateMeta } from './read-filled';
export { parseFilledTemplate, TemplateReaderError } from './reading-pool';
export { summaryXlsx } from './summary-workbook';
