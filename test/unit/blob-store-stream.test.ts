/**
 * The blob store on the database, on both backends (the embedded SQLite file in a data folder, and
 * PostgreSQL): a blob is content-addressed and written once, an upload streamed in becomes a blob
 * only when committed — the same reference as the Buffer put — and leaves nothing behind when
 * discarded, when its stream breaks half-way, or when its process died (swept an hour later by the
 * next store opened). A large file goes in and comes out chunk by chunk, never whole in memory; two
 * processes committing the same file at once both succeed and store it once.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BlobNotFoundError, BlobUploadLostError, CHUNK_BYTES } from '../../store/blob-store';
import { openStores, type Stores } from '../../store/stores';
import { freshPostgresDatabase } from '../support/databases';
import { storedFiles } from '../support/stored-files';

const MiB = 1024 * 1024;

// A full garbage collection on demand (V8's gc(), exposed at run time).
v8.setFlagsFromString('--expose-gc');
const collect = vm.runInNewContext('gc') as () => void;

async function* pieces(parts: Array<string | Buffer>, failAfter?: number): AsyncGenerator<Buffer> {
  let i = 0;
  for (const p of parts) {
    if (failAfter !== undefined && i++ === failAfter) throw new Error('the upload broke off');
    yield Buffer.isBuffer(p) ? p : Buffer.from(p);
  }
}

/** `size` bytes, made 64 KiB at a time as they are read (never held whole): a counter's bytes, hashed on the way. */
function generated(size: number, onPiece: () => void = () => undefined): { source: AsyncGenerator<Buffer>; digest: () => string } {
  const hash = createHash('sha256');
  async function* source() {
    for (let at = 0, n = 0; at < size; n++) {
      const piece = Buffer.alloc(Math.min(64 * 1024, size - at), n % 251);
      piece.writeUInt32BE(n, 0);
      hash.update(piece);
      at += piece.length;
      onPiece();
      yield piece;
    }
  }
  return { source: source(), digest: () => `sha256:${hash.digest('hex')}` };
}

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const BACKENDS = [
  { name: 'SQLite', databaseUrl: async (): Promise<string | undefined> => undefined },
  { name: 'PostgreSQL', databaseUrl: async (): Promise<string | undefined> => freshPostgresDatabase('blob_store') },
] as const;

describe.each(BACKENDS)('the blob store on $name', (backend) => {
  let settings: { CAMPAIGN_DATA_DIR: string; CAMPAIGN_DATABASE_URL?: string };
  let stores: Stores;
  /** The same database opened again, as by another process. */
  let other: Stores;

  beforeAll(async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'blob-store-'));
    dirs.push(dataDir);
    settings = { CAMPAIGN_DATA_DIR: dataDir, CAMPAIGN_DATABASE_URL: await backend.databaseUrl() };
    stores = await openStores(settings);
    other = await openStores(settings);
  });
  afterAll(async () => {
    await other?.close();
    await stores?.close();
  });

  it('keeps a put once under its sha256, for every store on the database', async () => {
    const { blobs } = stores;
    const before = await storedFiles(stores.db);
    const ref = await blobs.put('报送内容');
    expect(ref).toBe(`sha256:${createHash('sha256').update('报送内容').digest('hex')}`);
    expect(await blobs.put(Buffer.from('报送内容'))).toBe(ref);
    expect((await other.blobs.get(ref)).toString()).toBe('报送内容');
    expect(await other.blobs.size(ref)).toBe(Buffer.byteLength('报送内容'));
    expect(await storedFiles(stores.db)).toEqual({ blobs: before.blobs + 1, uploads: 0, chunks: before.chunks + 1 });
    // An empty file is a blob too; an unknown or malformed reference is none.
    expect((await blobs.get(await blobs.put(''))).length).toBe(0);
    await expect(blobs.get(`sha256:${'0'.repeat(64)}`)).rejects.toBeInstanceOf(BlobNotFoundError);
    await expect(blobs.size('../etc/passwd')).rejects.toBeInstanceOf(BlobNotFoundError);
  });

  it('commits a staged upload to the same reference and bytes as put(), and it is no blob before', async () => {
    const { blobs } = stores;
    const text = `报送内容${'x'.repeat(CHUNK_BYTES + 100_000)}`;
    const staged = await blobs.stage(pieces(['报送', '内容', 'x'.repeat(CHUNK_BYTES), 'x'.repeat(100_000)]));
    expect(staged.size).toBe(Buffer.byteLength(text));
    await expect(blobs.get(staged.ref)).rejects.toThrow(/no blob/);
    expect((await storedFiles(stores.db)).uploads).toBe(1);
    expect(await staged.commit()).toBe(await blobs.put(Buffer.from(text)));
    expect((await blobs.get(staged.ref)).toString()).toBe(text);
    expect((await storedFiles(stores.db)).uploads).toBe(0);
  });

  it('stores the same content twice as one blob, whether put or staged', async () => {
    const { blobs } = stores;
    const content = Buffer.alloc(CHUNK_BYTES * 2 + 7, 'a');
    const ref = await blobs.put(content);
    const before = await storedFiles(stores.db);
    const again = await other.blobs.stage(pieces([content.subarray(0, 1000), content.subarray(1000)]));
    expect(await again.commit()).toBe(ref);
    expect(await blobs.put(content)).toBe(ref);
    expect(await storedFiles(stores.db)).toEqual(before);
    expect((await blobs.get(ref)).equals(content)).toBe(true);
  });

  it('leaves nothing when discarded, or when the stream breaks half-way', async () => {
    const { blobs } = stores;
    const before = await storedFiles(stores.db);
    const staged = await blobs.stage(pieces(['a'.repeat(CHUNK_BYTES + 1), 'b']));
    expect(await storedFiles(stores.db)).toEqual({ ...before, uploads: before.uploads + 1, chunks: before.chunks + 2 });
    await staged.discard();
    await expect(blobs.get(staged.ref)).rejects.toThrow(/no blob/);
    // Broken after more than a chunk was written.
    await expect(blobs.stage(pieces(['a'.repeat(CHUNK_BYTES), 'b'.repeat(CHUNK_BYTES), 'c'], 2))).rejects.toThrow('the upload broke off');
    expect(await storedFiles(stores.db)).toEqual(before);
  });

  it('commits the same file from two stores at once: both succeed, one blob', async () => {
    const content = Buffer.alloc(CHUNK_BYTES * 3 + 11, 'z');
    content.write(backend.name);
    const before = await storedFiles(stores.db);
    const [a, b] = await Promise.all([stores.blobs.stage(pieces([content])), other.blobs.stage(pieces([content.subarray(0, 5), content.subarray(5)]))]);
    const refs = await Promise.all([a.commit(), b.commit()]);
    expect(refs[0]).toBe(refs[1]);
    expect(await storedFiles(stores.db)).toEqual({ blobs: before.blobs + 1, uploads: 0, chunks: before.chunks + 4 });
    expect((await other.blobs.get(refs[0])).equals(content)).toBe(true);
  });

  it('sweeps, when a store opens, an upload abandoned over an hour ago; its commit then fails and leaves nothing', async () => {
    const before = await storedFiles(stores.db);
    // An upload whose process stopped half-way: one chunk written, the rest never comes…
    let resume!: () => void;
    const paused = new Promise<void>((r) => (resume = r));
    const written = new Promise<void>((r) => {
      void (async () => {
        while ((await storedFiles(stores.db)).chunks === before.chunks) await new Promise((w) => setTimeout(w, 10));
        r();
      })();
    });
    const staging = stores.blobs.stage(
      (async function* () {
        yield Buffer.alloc(CHUNK_BYTES, 1);
        await paused;
        yield Buffer.from('the rest');
      })(),
    );
    await written;
    // …and that was an hour and a minute ago, by the database's clock.
    await stores.db.run(`UPDATE blob_uploads SET started_at = started_at - $1`, [61 * 60 * 1000]);
    const opened = await openStores(settings);
    await opened.close();
    expect(await storedFiles(stores.db)).toEqual(before);
    // Had the process only been slow: what it writes after the sweep is never a blob, and is deleted.
    resume();
    const staged = await staging;
    await expect(staged.commit()).rejects.toBeInstanceOf(BlobUploadLostError);
    expect(await storedFiles(stores.db)).toEqual(before);
    await expect(stores.blobs.get(staged.ref)).rejects.toBeInstanceOf(BlobNotFoundError);
  });

  it('stages 20 MB and streams it back chunk by chunk, the process never holding the file', async () => {
    const SIZE = 20 * MiB;
    // Once through the same path with a small file: the database's page cache, the driver's buffers
    // and the allocator reach their working size (about 20 MiB on either backend, the same for any
    // file size); what is measured after is what a file adds.
    const warm = await stores.blobs.stage(generated(4 * MiB).source);
    await warm.commit();
    for await (const _ of other.blobs.open(warm.ref)) void _;
    // RSS, and the memory JS objects hold (heap and buffers), with a collection at each sample:
    // what is held, not what V8 has yet to collect. (RSS alone may not show a file held in memory
    // the allocator had kept from earlier work.)
    const live = (m: NodeJS.MemoryUsage) => m.heapUsed + m.external;
    collect();
    const start = process.memoryUsage();
    const base = start.rss;
    let peak = base;
    let peakLive = live(start);
    const sample = () => {
      collect();
      const m = process.memoryUsage();
      peak = Math.max(peak, m.rss);
      peakLive = Math.max(peakLive, live(m));
    };
    let pieces = 0;
    // Every MiB staged (16 pieces of 64 KiB), every 2 chunks read.
    const input = generated(SIZE, () => pieces++ % 16 === 0 && sample());
    const staged = await stores.blobs.stage(input.source);
    expect(staged.size).toBe(SIZE);
    expect(staged.ref).toBe(input.digest());
    await staged.commit();
    const peakIn = peak - base;

    const hash = createHash('sha256');
    let received = 0;
    let chunks = 0;
    let largest = 0;
    for await (const chunk of other.blobs.open(staged.ref) as AsyncIterable<Buffer>) {
      hash.update(chunk);
      received += chunk.length;
      chunks++;
      largest = Math.max(largest, chunk.length);
      if (chunks % 2 === 0) sample();
    }
    const peakOut = peak - base;
    process.stdout.write(
      `blob-store (${backend.name}): 20 MiB staged and read back in ${chunks} chunks; RSS ${(base / MiB).toFixed(1)} MiB before, ` +
        `at most +${(peakIn / MiB).toFixed(1)} MiB while staging, +${(peakOut / MiB).toFixed(1)} MiB by the end of reading (${((peakOut / SIZE) * 100).toFixed(0)}% of the file); ` +
        `JS heap and buffers at most +${((peakLive - live(start)) / MiB).toFixed(1)} MiB\n`,
    );
    expect(received).toBe(SIZE);
    expect(`sha256:${hash.digest('hex')}`).toBe(staged.ref);
    expect(chunks).toBe(SIZE / CHUNK_BYTES);
    expect(largest).toBe(CHUNK_BYTES);
    expect(peakOut).toBeLessThan(SIZE / 4);
    expect(peakLive - live(start)).toBeLessThan(SIZE / 4);
  });

  it('a missing blob is the stream’s error', async () => {
    const stream = stores.blobs.open(`sha256:${'1'.repeat(64)}`);
    await expect(
      (async () => {
        for await (const _ of stream) void _;
      })(),
    ).rejects.toBeInstanceOf(BlobNotFoundError);
  });
});
