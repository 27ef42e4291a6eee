/**
 * Content-addressed blob storage: submitted files, attachments, compiled plans and summaries.
 * Workflows hold references (`sha256:<hex>`), never bytes — Temporal payloads stay small.
 *
 * Local folder by default (CAMPAIGN_DATA_DIR/blobs); it must be a shared filesystem when workers
 * and the portal run on several machines. Writes are atomic (temporary file + rename) and a blob
 * is written before any workflow is told its reference.
 *
 * Uploads are streamed (stage, then commit): hashed while written to a temporary file under tmp/, and
 * renamed into their content address only when committed — a file refused half-way is deleted and
 * never becomes a blob, and no upload is ever held whole in memory.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream, promises as fs } from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';

export class BlobNotFoundError extends Error {
  constructor(ref: string) {
    super(`no blob ${ref} in the store`);
    this.name = 'BlobNotFoundError';
  }
}

const REF = /^sha256:([0-9a-f]{64})$/;

/** A file streamed into the store but not yet a blob: commit() makes it one, discard() deletes it. */
export interface StagedBlob {
  /** Its reference once committed (sha256 of every byte written). */
  ref: string;
  size: number;
  commit(): Promise<string>;
  discard(): Promise<void>;
}

export class BlobStore {
  readonly dir: string;
  constructor(dir: string) {
    this.dir = path.resolve(dir);
  }

  pathOf(ref: string): string {
    const m = REF.exec(ref);
    if (!m) throw new BlobNotFoundError(ref);
    return path.join(this.dir, m[1]!.slice(0, 2), m[1]!);
  }

  async put(content: Buffer | string): Promise<string> {
    const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
    const hex = createHash('sha256').update(bytes).digest('hex');
    const ref = `sha256:${hex}`;
    const file = this.pathOf(ref);
    if (await exists(file)) return ref;
    await fs.mkdir(path.dirname(file), { recursive: true });
    const tmp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
    await fs.writeFile(tmp, bytes);
    await fs.rename(tmp, file);
    return ref;
  }

  /**
   * Streams `source` to a temporary file, hashing as it writes (with the stream's back-pressure:
   * at most a chunk or two in memory). Nothing is a blob until commit(); on an error the temporary
   * file is deleted.
   */
  async stage(source: AsyncIterable<Uint8Array>): Promise<StagedBlob> {
    const tmpDir = path.join(this.dir, 'tmp');
    await fs.mkdir(tmpDir, { recursive: true });
    const tmp = path.join(tmpDir, `${randomBytes(8).toString('hex')}.tmp`);
    const hash = createHash('sha256');
    let size = 0;
    try {
      await pipeline(
        source,
        async function* (chunks: AsyncIterable<Uint8Array>) {
          for await (const chunk of chunks) {
            hash.update(chunk);
            size += chunk.length;
            yield chunk;
          }
        },
        createWriteStream(tmp, { flags: 'wx' }),
      );
    } catch (err) {
      await fs.rm(tmp, { force: true });
      throw err;
    }
    const ref = `sha256:${hash.digest('hex')}`;
    let settled = false;
    return {
      ref,
      size,
      commit: async () => {
        if (settled) return ref;
        settled = true;
        const file = this.pathOf(ref);
        if (await exists(file)) {
          await fs.rm(tmp, { force: true });
          return ref;
        }
        await fs.mkdir(path.dirname(file), { recursive: true });
        await fs.rename(tmp, file);
        return ref;
      },
      discard: async () => {
        if (settled) return;
        settled = true;
        await fs.rm(tmp, { force: true });
      },
    };
  }

  async get(ref: string): Promise<Buffer> {
    try {
      return await fs.readFile(this.pathOf(ref));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new BlobNotFoundError(ref);
      throw err;
    }
  }
}

async function exists(file: string): Promise<boolean> {
  try {
    await fs.access(file);
    return true;
  } catch {
    return false;
  }
}
