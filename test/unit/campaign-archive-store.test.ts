/**
 * Campaign records and the archive built from them, on both backends (the embedded SQLite file and
 * PostgreSQL), without Temporal: a retried activity's record replaces the first, the latest run is
 * the one archived, a record whose files are missing is refused before a byte is written, a
 * destination that breaks stops the archive with its error (no hang), and an archive without an
 * audit history says why. The archive of a played campaign is tested in
 * test/timeskip/campaign-archive.test.ts.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import unzipper from 'unzipper';
import v8 from 'node:v8';
import vm from 'node:vm';
import { afterAll, describe, expect, it } from 'vitest';
import { loadPlanFile } from '../../deadlines/load';
import type { CompiledPlan } from '../../deadlines/timeline';
import { CampaignRecordMissingError, writeCampaignArchive } from '../../reports/archive/index';
import { BlobNotFoundError } from '../../store/blob-store';
import { CampaignRecords, type CampaignRecord } from '../../store/campaign-records';
import { openStores, type Stores } from '../../store/stores';
import type { ObligationView } from '../../workflows/department-shard.messages';
import { freshPostgresDatabase } from '../support/databases';

// A full garbage collection on demand (V8's gc(), exposed at run time), to measure what is held.
v8.setFlagsFromString('--expose-gc');
const collect = vm.runInNewContext('gc') as () => void;
const MiB = 1024 * 1024;

/** `size` bytes that do not compress, made 64 KiB at a time as they are read (never held whole). */
async function* generated(size: number): AsyncGenerator<Buffer> {
  for (let at = 0, n = 0; at < size; n++) {
    const piece = Buffer.alloc(Math.min(64 * 1024, size - at));
    for (let i = 0; i < piece.length; i += 4) piece.writeUInt32LE((Math.imul(n * 16384 + i / 4, 2654435761) ^ 0x9e3779b9) >>> 0, i);
    at += piece.length;
    yield piece;
  }
}

const PLAN = fileURLToPath(new URL('../../definitions/demo.yaml', import.meta.url));

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const BACKENDS = [
  { name: 'SQLite', databaseUrl: async (): Promise<string | undefined> => undefined },
  { name: 'PostgreSQL', databaseUrl: async (): Promise<string | undefined> => freshPostgresDatabase('campaign_records') },
] as const;

class Collect extends Writable {
  readonly chunks: Buffer[] = [];
  constructor(private readonly failAfter = Infinity) {
    super();
  }
  override _write(chunk: Buffer, _enc: BufferEncoding, done: (err?: Error) => void) {
    this.chunks.push(chunk);
    done(this.bytes.length > this.failAfter ? new Error('the download was cut off') : undefined);
  }
  get bytes(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

function plan(): CompiledPlan {
  const r = loadPlanFile(PLAN);
  if (!r.ok) throw new Error('demo plan does not compile');
  return r.plan;
}

/** A finished run's record as the final summary would leave it: one obligation answered with a 1 MiB file. */
async function finishedRun(stores: Stores, run: string, finishedAt: string, attachment: Buffer, missing = false): Promise<Omit<CampaignRecord, 'recordedAt'>> {
  const p = plan();
  const planRef = await stores.plans.save(p);
  const ref = missing ? `sha256:${'0'.repeat(64)}` : await stores.blobs.put(attachment);
  const obligation: ObligationView = {
    deadline: 'weekly-stats',
    occurrence: 'weekly-stats@2024-03-06',
    department: 'east',
    status: 'submitted',
    due: '2024-03-06T12:00:00.000+08:00',
    inPlan: true,
    deliveries: [],
    versions: [{ submissionId: 's1', version: 1, receivedAt: '2024-03-05T01:00:00.000Z', by: 'east', late: false, values: { fairs: 2 }, attachments: [{ ref, name: '../扫描件.pdf', size: attachment.length, type: 'application/pdf' }] }],
  };
  return {
    run,
    campaignId: 'demo',
    workflowId: 'campaign/demo',
    title: p.campaign.title,
    planRef,
    planRefs: [planRef],
    summary: { json: await stores.blobs.put('{"tables":[]}'), csv: await stores.blobs.put('\uFEFF单位\r\n') },
    shardOutcomes: [await stores.blobs.put(JSON.stringify([obligation]))],
    auditProblem: 'the Temporal histories could not be read: not read within 120 s',
    finishedAt,
    source: 'final-summary',
  };
}

describe.each(BACKENDS)('campaign records and their archive on $name', ({ name, databaseUrl }) => {
  const open = async () => {
    const dir = mkdtempSync(path.join(tmpdir(), `campaign-records-${name}-`));
    dirs.push(dir);
    return openStores({ CAMPAIGN_DATA_DIR: dir, CAMPAIGN_DATABASE_URL: await databaseUrl() });
  };

  it('keeps one record per run (a retry replaces it) and archives the latest run, by campaign id or workflow id', async () => {
    const stores = await open();
    try {
      const records = new CampaignRecords(stores.db);
      const scan = Buffer.alloc(1024 * 1024, 7);
      const first = await finishedRun(stores, 'campaign/demo@run-1', '2024-03-24T16:00:00.000Z', scan);
      await records.save(first);
      await records.save({ ...first, title: 'retried' });
      const second = await finishedRun(stores, 'campaign/demo@run-2', '2024-04-24T16:00:00.000Z', Buffer.from('second run'));
      await records.save(second);
      expect((await records.runs('demo')).map((r) => [r.run, r.title])).toEqual([
        ['campaign/demo@run-2', second.title],
        ['campaign/demo@run-1', 'retried'],
      ]);
      expect((await records.latest('campaign/demo'))?.run).toBe('campaign/demo@run-2');

      const out = new Collect();
      const result = await writeCampaignArchive(stores, 'demo', out, { run: 'campaign/demo@run-1' });
      expect(result.record.run).toBe('campaign/demo@run-1');
      const zip = await unzipper.Open.buffer(out.bytes);
      const names = zip.files.map((f) => f.path);
      // The sender's "../" is not a way out of the folder the archive is unpacked into.
      const file = zip.files.find((f) => f.path === 'submissions/weekly-stats@2024-03-06/east/v1/attachments/扫描件.pdf')!;
      expect((await file.buffer()).equals(scan)).toBe(true);
      expect(names).not.toContain('audit/history.json');
      const index = (await zip.files.find((f) => f.path === 'index.html')!.buffer()).toString('utf8');
      expect(index).toContain('审计记录：未能保存（the Temporal histories could not be read: not read within 120 s）');
      expect(result.bytes).toBe(out.bytes.length);
    } finally {
      await stores.close();
    }
  });

  it('refuses a campaign with no record, and a record whose files are not all in the database, before writing anything', async () => {
    const stores = await open();
    try {
      const out = new Collect();
      await expect(writeCampaignArchive(stores, 'demo', out)).rejects.toThrow(CampaignRecordMissingError);
      await new CampaignRecords(stores.db).save(await finishedRun(stores, 'campaign/demo@run-1', '2024-03-24T16:00:00.000Z', Buffer.from('x'), true));
      await expect(writeCampaignArchive(stores, 'demo', out)).rejects.toThrow(BlobNotFoundError);
      expect(out.bytes.length).toBe(0);
    } finally {
      await stores.close();
    }
  });

  it('streams a 48 MiB attachment into the ZIP without holding it, nor the ZIP, in memory', async () => {
    const stores = await open();
    try {
      const staged = await stores.blobs.stage(generated(48 * MiB));
      await staged.commit();
      const record = await finishedRun(stores, 'campaign/demo@run-1', '2024-03-24T16:00:00.000Z', Buffer.from('-'));
      const outcome = JSON.parse((await stores.blobs.get(record.shardOutcomes[0]!)).toString('utf8')) as ObligationView[];
      outcome[0]!.versions[0]!.attachments = [{ ref: staged.ref, name: '大文件.pdf', size: staged.size, type: 'application/pdf' }];
      await new CampaignRecords(stores.db).save({ ...record, shardOutcomes: [await stores.blobs.put(JSON.stringify(outcome))] });
      // What JavaScript holds: the heap and the Buffers. On PostgreSQL the driver's read buffers swing
      // by up to ~24 MiB now and then (back to ~1 MiB at the next sample, whatever the file's size):
      // the bound is what a file held whole, or the ZIP, could not stay under.
      const live = () => {
        const m = process.memoryUsage();
        return m.heapUsed + m.arrayBuffers;
      };
      collect();
      const base = live();
      let peak = base;
      let written = 0;
      let next = 0;
      const discard = new Writable({
        write(chunk: Buffer, _enc, done) {
          written += chunk.length;
          if (written >= next) {
            next += 2 * MiB;
            collect();
            peak = Math.max(peak, live());
          }
          done();
        },
      });
      const result = await writeCampaignArchive(stores, 'demo', discard);
      expect(written).toBe(result.bytes);
      expect(written).toBeGreaterThan(48 * MiB);
      expect(peak - base).toBeLessThan(32 * MiB);
    } finally {
      await stores.close();
    }
  });

  it('stops with the destination’s error when the download breaks off half-way', async () => {
    const stores = await open();
    try {
      await new CampaignRecords(stores.db).save(await finishedRun(stores, 'campaign/demo@run-1', '2024-03-24T16:00:00.000Z', randomBytes(2_000_000)));
      await expect(writeCampaignArchive(stores, 'demo', new Collect(100_000))).rejects.toThrow(/cut off/);
    } finally {
      await stores.close();
    }
  });
});
