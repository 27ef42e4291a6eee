/**
 * Content-addressed blob storage: submitted files, attachments, compiled plans and summaries.
 * Workflows hold references (`sha256:<hex>`), never bytes — Temporal payloads stay small.
 *
 * Local folder by default (CAMPAIGN_DATA_DIR/blobs); it must be a shared filesystem when workers
 * and the portal run on several machines. Writes are atomic (temporary file + rename) and a blob
 * is written before any workflow is told its reference.
 */
import { createHash, randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';

export class BlobNotFoundError extends Error {
  constructor(ref: string) {
    super(`no blob ${ref} in the store`);
    this.name = 'BlobNotFoundError';
  }
}

const REF = /^sha256:([0-9a-f]{64})$/;

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
    try {
      await fs.access(file);
      return ref;
    } catch {
      /* not stored yet */
    }
    await fs.mkdir(path.dirname(file), { recursive: true });
    const tmp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
    await fs.writeFile(tmp, bytes);
    await fs.rename(tmp, file);
    return ref;
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
