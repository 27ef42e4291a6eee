/**
 * Reading uploaded templates without freezing the portal (issue M): a file is read only where the
 * form's template puts its figures, whatever numbers its hidden sheet states; sizes and ranges that
 * would make exceljs work without end are refused before it loads anything; the reading runs on a
 * worker thread with a time limit, a memory cap and a bounded queue, so the event loop of the
 * process that asked keeps answering. Figures (time, memory, /healthz latency) are printed, not
 * asserted: only functional bounds are.
 */
import ExcelJS from 'exceljs';
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Worker } from 'node:worker_threads';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadPlanFile } from '../../deadlines/load';
import type { CompiledForm, CompiledPlan } from '../../deadlines/timeline';
import { formTemplateXlsx, parseFilledTemplate } from '../../reports/xlsx';
import { RANGES_TOO_LARGE } from '../../reports/xlsx/expanded-ranges';
import { readFilledTemplate } from '../../reports/xlsx/read-filled';
import { BUSY, TemplateReadingPool, timedOut, TOO_COMPLEX } from '../../reports/xlsx/reading-pool';
import { checkZip, PART_LIMITS, tooMuchContent } from '../../reports/zip-guard';
import { incompressibleComment, rewriteParts, withMeta } from '../support/xlsx-files';
import { ROOT } from '../support/run-cli';

let plan: CompiledPlan;
let stats: CompiledForm;
/** The Shanxi template as downloaded by 太原, and filled with two figures. */
let template: Buffer;
let filled: Buffer;
/** A template with 3,000 more rows of figures below the table: a 1.9 MB worksheet, within the limits, about a second to read. */
let heavy: Buffer;

const MOVED_META = '模板中记录的填写位置被改动过';
const SHEET = 'xl/worksheets/sheet1.xml';

function mb(bytes: number): number {
  return Math.round(bytes / 1024 / 1024);
}

function report(what: string, figures: Record<string, number | string>): void {
  console.info(`[measured] ${what}: ${Object.entries(figures).map(([k, v]) => `${k} ${v}`).join(', ')}`);
}

beforeAll(async () => {
  const loaded = loadPlanFile('definitions/shanxi-2024.yaml');
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
  plan = loaded.plan;
  stats = plan.forms.find((f) => f.id === 'stats')!;
  template = await formTemplateXlsx(plan, 'stats', { department: { id: 'taiyuan', name: '太原市人力资源和社会保障局' }, deadlineId: 'weekly-stats' });
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(template as unknown as ArrayBuffer);
  const ws = wb.worksheets.find((w) => w.state === 'visible')!;
  ws.getCell('B5').value = 12;
  ws.getCell('S5').value = '小店区、迎泽区';
  filled = Buffer.from(await wb.xlsx.writeBuffer());
  for (let r = 8; r < 3008; r++) ws.getRow(r).values = [null, `单位${r}`, ...Array.from({ length: 19 }, (_, i) => r * 7 + i)];
  heavy = Buffer.from(await wb.xlsx.writeBuffer());
});

afterEach(() => vi.restoreAllMocks());

const FILLED_VALUES = { online_fairs: 12, counties_done: '小店区、迎泽区' };

describe('a filled template is read where the form puts it, never where the file says', () => {
  it('refuses a meta sheet that puts the data row at 10,000,000, at once and without the gigabytes it used to take', async () => {
    const hostile = await withMeta(template, 'dataRow', [10_000_000]);
    expect(hostile.length).toBeLessThan(20 * 1024);
    await parseFilledTemplate(filled, stats); // the reading thread started, so the figures are the refusal's own
    const rss0 = process.memoryUsage().rss;
    const t0 = performance.now();
    const r = await parseFilledTemplate(hostile, stats);
    const ms = performance.now() - t0;
    const rss1 = process.memoryUsage().rss;
    report('meta dataRow = 10,000,000', { 'refused in ms': Math.round(ms), 'RSS before MB': mb(rss0), 'RSS after MB': mb(rss1), 'bytes': hostile.length });
    expect(r).toEqual({ ok: false, problems: [{ message: expect.stringContaining(MOVED_META) }] });
    // The code this replaces grew by 1.2-1.8 GB on this file.
    expect(rss1 - rss0).toBeLessThan(400 * 1024 * 1024);
  });

  it('refuses a first column of 10,000,000 or a list of 16,000 columns', async () => {
    const far = await withMeta(template, 'firstColumn', [10_000_000]);
    const t0 = performance.now();
    expect(await parseFilledTemplate(far, stats)).toEqual({ ok: false, problems: [{ message: expect.stringContaining(MOVED_META) }] });
    report('meta firstColumn = 10,000,000', { 'refused in ms': Math.round(performance.now() - t0) });
    const many = await withMeta(template, 'columns', Array.from({ length: 16_000 }, (_, i) => `c${i}`));
    const t1 = performance.now();
    expect(await parseFilledTemplate(many, stats)).toEqual({ ok: false, problems: [{ message: expect.stringContaining('这是另一张表格的模板') }] });
    report('meta columns x 16,000', { 'refused in ms': Math.round(performance.now() - t1), bytes: many.length });
  });

  it('reads the figures of a template whose meta states the layout it was made with', async () => {
    const same = await withMeta(filled, 'dataRow', [5]);
    expect(await parseFilledTemplate(same, stats)).toMatchObject({ ok: true, values: FILLED_VALUES });
  });

  it('refuses a cell addressed beyond Excel\'s last column, or a figure typed right of the table', async () => {
    const beyond = rewriteParts(filled, (name, xml) => (name === SHEET ? xml.replace('<c r="B5"', '<c r="ZZZZZ5" t="n"><v>3</v></c><c r="B5"') : xml));
    expect((await parseFilledTemplate(beyond, stats)).ok).toBe(false);
    const right = rewriteParts(filled, (name, xml) => (name === SHEET ? xml.replace('<c r="B5"', '<c r="XFD5" t="n"><v>3</v></c><c r="B5"') : xml));
    expect(await parseFilledTemplate(right, stats)).toEqual({ ok: false, problems: [{ message: expect.stringContaining('模板的列被增删或移动过') }] });
  });
});

describe('what would make exceljs work without end is refused before it loads', () => {
  const bombs: Array<[string, (name: string, xml: string) => string]> = [
    ['a merged range over the whole sheet', (n, x) => (n === SHEET ? x.replace('</mergeCells>', '<mergeCell ref="A10:XFD1048576"/></mergeCells>') : x)],
    ['a data validation over the whole sheet', (n, x) => (n === SHEET ? x.replace(/sqref="B5"/, 'sqref="B5:XFD1048576"') : x)],
    ['a column range of 100 million', (n, x) => (n === SHEET ? x.replace('<cols>', '<cols><col min="30" max="100000000" width="9"/>') : x)],
    ['a defined name over the whole sheet', (n, x) => (n === 'xl/workbook.xml' ? x.replace('</workbook>', '<definedNames><definedName name="all">Sheet1!$A$1:$XFD$1048576</definedName></definedNames></workbook>') : x)],
  ];

  it.each(bombs)('refuses %s (a file of a few KB), without loading exceljs', async (what, edit) => {
    const bomb = rewriteParts(filled, edit);
    expect(bomb.length).toBeLessThan(20 * 1024);
    const spy = vi.spyOn(ExcelJS.Workbook.prototype, 'xlsx', 'get');
    expect(await readFilledTemplate(bomb, stats)).toEqual({ ok: false, problems: [{ message: RANGES_TOO_LARGE }] });
    expect(spy).not.toHaveBeenCalled();
    const t0 = performance.now();
    expect(await parseFilledTemplate(bomb, stats)).toEqual({ ok: false, problems: [{ message: RANGES_TOO_LARGE }] });
    report(`range bomb: ${what}`, { 'refused in ms': Math.round(performance.now() - t0) });
  });

  it('refuses one XML part over 2 MB and the parts together over 4 MB, but not a large image', async () => {
    const part = rewriteParts(filled, (n, x) => (n === SHEET ? x.replace('<sheetData>', `${incompressibleComment(PART_LIMITS.maxPartBytes)}<sheetData>`) : x));
    const spy = vi.spyOn(ExcelJS.Workbook.prototype, 'xlsx', 'get');
    expect(await readFilledTemplate(part, stats)).toEqual({ ok: false, problems: [{ message: tooMuchContent('part', PART_LIMITS.maxPartBytes) }] });
    expect(spy).not.toHaveBeenCalled();
    expect(await parseFilledTemplate(part, stats)).toEqual({ ok: false, problems: [{ message: tooMuchContent('part', PART_LIMITS.maxPartBytes) }] });

    const third = Math.floor(PART_LIMITS.maxPartsBytes / 3);
    const pad = (xml: string, before: string) => xml.replace(before, `${incompressibleComment(third)}${before}`);
    const parts = rewriteParts(filled, (n, x) => (n === SHEET ? pad(x, '<sheetData>') : n === 'xl/worksheets/sheet2.xml' ? pad(x, '<sheetData>') : n === 'xl/styles.xml' ? pad(x, '<numFmts') : x));
    expect(checkZip(parts)).toEqual({ ok: false, message: tooMuchContent('parts', PART_LIMITS.maxPartsBytes) });
    expect(await parseFilledTemplate(parts, stats)).toEqual({ ok: false, problems: [{ message: tooMuchContent('parts', PART_LIMITS.maxPartsBytes) }] });

    // An image is held as bytes, never parsed: only the whole file's limits apply to it.
    const image = { name: 'xl/media/image1.png', data: Buffer.from(incompressibleComment(3 * 1024 * 1024)) };
    expect(await parseFilledTemplate(rewriteParts(filled, (_n, x) => x, [image]), stats)).toMatchObject({ ok: true, values: FILLED_VALUES });
  });
});

describe('the reading pool', () => {
  const pools: TemplateReadingPool[] = [];
  afterAll(async () => {
    await Promise.all(pools.map((p) => p.close()));
  });
  // The product's time limit (10 s) is for a portal's own machine; here other suites share the
  // cores, so a pool whose limit is not the point of the test gets a generous one.
  function pool(options: ConstructorParameters<typeof TemplateReadingPool>[0]): TemplateReadingPool {
    const p = new TemplateReadingPool({ timeLimitMs: 120_000, ...options });
    pools.push(p);
    return p;
  }

  it('reads a heavy file within the limits, and refuses it when it takes longer than the time limit; the next file is read by a new thread', async () => {
    const p = pool({ threads: 1 });
    const t0 = performance.now();
    expect(await p.read(heavy, stats)).toMatchObject({ ok: true, values: FILLED_VALUES });
    report('heavy file (1.9 MB worksheet), thread already started', { 'read in ms': Math.round(performance.now() - t0) });

    const strict = pool({ threads: 1, timeLimitMs: 300 });
    // A small file is read well within 300 ms on a quiet machine; with other suites on both cores
    // a read may take longer and be refused, so the small file is offered until it is read (each
    // refusal replaces the thread, which is itself what this test shows).
    const readSmall = async () => {
      for (let i = 0; i < 10; i++) {
        const r = await strict.read(filled, stats);
        if (r.ok) return r;
      }
      return strict.read(filled, stats);
    };
    expect(await readSmall()).toMatchObject({ ok: true }); // started: the limit counts from when a thread takes the file
    const t1 = performance.now();
    expect(await strict.read(heavy, stats)).toEqual({ ok: false, problems: [{ message: timedOut(300) }] });
    report('heavy file under a 300 ms limit', { 'refused in ms': Math.round(performance.now() - t1) });
    expect(timedOut(300)).toContain('文件读取超时（超过0.3秒）');
    expect(await readSmall()).toMatchObject({ ok: true, values: FILLED_VALUES });
  });

  it('refuses a file that needs more memory than a thread has, and keeps reading the next', async () => {
    const small = pool({ threads: 1, heapMb: 16, timeLimitMs: 120_000 });
    expect(await small.read(filled, stats)).toMatchObject({ ok: true, values: FILLED_VALUES });
    expect(await small.read(heavy, stats)).toEqual({ ok: false, problems: [{ message: TOO_COMPLEX }] });
    expect(await small.read(filled, stats)).toMatchObject({ ok: true, values: FILLED_VALUES });
  });

  it('turns a file away as busy when the queue is full, rather than holding it', async () => {
    const p = pool({ threads: 1, queue: 1 });
    expect(await p.read(filled, stats)).toMatchObject({ ok: true }); // started: the first file is read at once, the second waits
    const first = p.read(heavy, stats);
    const second = p.read(heavy, stats);
    const third = p.read(filled, stats);
    expect(await Promise.race([third, first.then(() => 'first finished')])).toEqual({ ok: false, problems: [{ message: BUSY }] });
    expect(await first).toMatchObject({ ok: true });
    expect(await second).toMatchObject({ ok: true });
    expect(await p.read(filled, stats)).toMatchObject({ ok: true, values: FILLED_VALUES });
  });
});

/** Asks GET url every 20 ms from its own thread, so a blocked event loop here shows as latency there. */
const PROBER = `
const { parentPort, workerData } = require('node:worker_threads');
let stop = false;
parentPort.on('message', () => { stop = true; });
(async () => {
  while (!stop) {
    const sent = Date.now();
    await (await fetch(workerData)).text();
    parentPort.postMessage({ sent, answered: Date.now() });
    await new Promise((r) => setTimeout(r, 20));
  }
  parentPort.close();
})();
`;

describe('the event loop keeps answering while files are read', () => {
  let server: Server;
  afterAll(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

  it('answers /healthz while a hostile file and three heavy files are read at once', async () => {
    server = createServer((req, res) => res.end(req.url === '/healthz' ? 'ok' : ''));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/healthz`;
    const answers: Array<{ sent: number; answered: number }> = [];
    const prober = new Worker(PROBER, { eval: true, workerData: url });
    prober.on('message', (a: { sent: number; answered: number }) => answers.push(a));
    const closed = new Promise((resolve) => prober.once('exit', resolve));
    while (!answers.length) await new Promise((r) => setTimeout(r, 20));

    const hostile = await withMeta(template, 'dataRow', [10_000_000]);
    const start = Date.now();
    const results = await Promise.all([hostile, heavy, heavy, heavy, filled].map((b) => parseFilledTemplate(b, stats)));
    const end = Date.now();
    prober.postMessage('stop');
    await closed;

    expect(results[0]).toEqual({ ok: false, problems: [{ message: expect.stringContaining(MOVED_META) }] });
    for (const r of results.slice(1)) expect(r).toMatchObject({ ok: true, values: FILLED_VALUES });
    const during = answers.filter((a) => a.sent >= start && a.answered <= end);
    const worst = Math.max(...answers.map((a) => a.answered - a.sent));
    report('/healthz while 1 hostile + 3 heavy + 1 filled file are read', { 'batch ms': end - start, 'answers during it': during.length, 'worst latency ms': worst });
    expect(during.length).toBeGreaterThan(0);
  });
});

describe('the reading thread loads TypeScript under tsx as the product runs', () => {
  const script = 'test/support/read-template-process.ts';
  function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => (stderr += d));
      const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
      child.on('error', reject);
      // Ending by itself: an idle reading thread must not keep the process alive.
      child.on('exit', (code) => (clearTimeout(timer), resolve({ code, stdout, stderr })));
    });
  }

  it.each([
    ['the tsx command (npm start, the demo)', ['node_modules/tsx/dist/cli.mjs', script]],
    ['register() from tsx/esm/api (cli/campaign.mjs)', ['--input-type=module', '-e', `import { register } from 'tsx/esm/api'; register(); await import('./${script}');`]],
  ])('reads a filled template in a process started with %s, which then ends by itself', async (_how, args) => {
    const r = await run(args);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: true, values: FILLED_VALUES });
  });
});
