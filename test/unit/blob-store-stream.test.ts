/**
 * Streamed blobs (BlobStore.stage): hashed while written to a temporary file, a blob only once
 * committed — the same reference as the Buffer put — and nothing left behind when discarded or
 * when the stream fails half-way.
 */
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BlobStore } from '../../store/blob-store';

const dirs: string[] = [];
function store(): BlobStore {
  const dir = mkdtempSync(path.join(tmpdir(), 'blob-stream-'));
  dirs.push(dir);
  return new BlobStore(dir);
}
const files = (dir: string): string[] => readdirSync(dir).flatMap((e) => (statSync(path.join(dir, e)).isDirectory() ? files(path.join(dir, e)).map((f) => `${e}/${f}`) : [e]));

async function* chunks(parts: string[], failAfter?: number): AsyncGenerator<Buffer> {
  let i = 0;
  for (const p of parts) {
    if (failAfter !== undefined && i++ === failAfter) throw new Error('the upload broke off');
    yield Buffer.from(p);
  }
}

afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('streamed blobs', () => {
  it('commits to the same reference and bytes as put(), and is no blob before', async () => {
    const blobs = store();
    const staged = await blobs.stage(chunks(['报送', '内容', 'x'.repeat(100_000)]));
    expect(staged.size).toBe(Buffer.byteLength('报送内容') + 100_000);
    await expect(blobs.get(staged.ref)).rejects.toThrow(/no blob/);
    expect(await staged.commit()).toBe(await blobs.put(Buffer.from(`报送内容${'x'.repeat(100_000)}`)));
    expect((await blobs.get(staged.ref)).toString()).toBe(`报送内容${'x'.repeat(100_000)}`);
    expect(files(blobs.dir).filter((f) => f.startsWith('tmp/'))).toEqual([]);
  });

  it('leaves nothing when discarded, or when the stream fails half-way', async () => {
    const blobs = store();
    const staged = await blobs.stage(chunks(['a', 'b']));
    await staged.discard();
    await expect(blobs.get(staged.ref)).rejects.toThrow(/no blob/);
    await expect(blobs.stage(chunks(['a', 'b', 'c'], 2))).rejects.toThrow('the upload broke off');
    expect(files(blobs.dir)).toEqual([]);
  });
});
