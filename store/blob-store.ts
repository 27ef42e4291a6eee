/**
 * Content-addressed blob storage: submitted files, attachments, uploaded templates, shard outcomes
 * and summaries. Workflows hold references (`sha256:<hex>`), never bytes — Temporal payloads stay
 * small.
 *
 * The bytes live in the database (store/database/: SQLite on one machine, PostgreSQL shared by
 * several), cut into chunks of {@link CHUNK_BYTES}, so that no file is ever held whole in memory on
 * its way in or out:
 * - `put` stores bytes already in memory (a summary just written), in one transaction;
 * - `stage` streams an upload in: each chunk is written under an upload id (a `blob_uploads` row) as
 *   it arrives, hashed on the way; `commit` then, in ONE transaction, adopts the chunks under the
 *   reference, or deletes them when a blob with that reference already exists (the same file
 *   uploaded twice is one blob); `discard` deletes them. An upload whose process died before either
 *   is swept when a store is opened an hour later ({@link BlobStore.sweepAbandonedUploads});
 * - `open` streams a blob out chunk by chunk (downloads); `get` reads it whole (small JSON, plans).
 *
 * A blob is written before any workflow is told its reference, and never changes or disappears.
 */
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { type Database, nowMs } from './database/database';

export class BlobNotFoundError extends Error {
  constructor(ref: string) {
    super(`no blob ${ref} in the store`);
    this.name = 'BlobNotFoundError';
  }
}

/** An upload's chunks were swept (it was older than an hour) before it was committed. */
export class BlobUploadLostError extends Error {
  constructor(id: string) {
    super(`the upload ${id} is no longer in the store (abandoned uploads are removed after an hour): send the file again`);
    this.name = 'BlobUploadLostError';
  }
}

/** The size of every chunk but a blob's last. */
export const CHUNK_BYTES = 256 * 1024;

/** An upload neither committed nor discarded this long after it started is abandoned. */
export const ABANDONED_UPLOAD_MS = 60 * 60 * 1000;

const REF = /^sha256:[0-9a-f]{64}$/;

/** The reference of some content: what `put` returns for it (and `stage` for the same bytes). */
export function blobRef(content: Buffer | string): string {
  return `sha256:${createHash('sha256').update(content).digest('hex')}`;
}

/** A file streamed into the store but not yet a blob: commit() makes it one, discard() deletes it. */
export interface StagedBlob {
  /** Its reference once committed (sha256 of every byte written). */
  ref: string;
  size: number;
  commit(): Promise<string>;
  discard(): Promise<void>;
}

const INSERT_CHUNK = `INSERT INTO blob_chunks (blob, seq, data) VALUES ($1, $2, $3)`;

export class BlobStore {
  constructor(private readonly db: Database) {}

  async put(content: Buffer | string): Promise<string> {
    const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
    const ref = blobRef(bytes);
    if (await this.has(ref)) return ref;
    await this.db.transaction(async (tx) => {
      // A concurrent put of the same bytes waits here for the other's commit, then finds the row.
      const created = await tx.run(`INSERT INTO blobs (ref, size, created_at) VALUES ($1, $2, ${nowMs(tx.dialect)}) ON CONFLICT (ref) DO NOTHING`, [ref, bytes.length]);
      if (!created) return;
      for (let seq = 0, at = 0; at < bytes.length; seq++, at += CHUNK_BYTES) await tx.run(INSERT_CHUNK, [ref, seq, bytes.subarray(at, at + CHUNK_BYTES)]);
    });
    return ref;
  }

  /**
   * Streams `source` into the store, a chunk at a time (with the source's back-pressure: one chunk's
   * buffer and the piece being copied into it in memory). Nothing is a blob until commit(); when the
   * source fails, what was written is deleted and the error is thrown.
   */
  async stage(source: AsyncIterable<Uint8Array>): Promise<StagedBlob> {
    const id = `upload:${randomBytes(16).toString('hex')}`;
    await this.db.run(`INSERT INTO blob_uploads (id, started_at) VALUES ($1, ${nowMs(this.db.dialect)})`, [id]);
    const hash = createHash('sha256');
    let size = 0;
    let seq = 0;
    try {
      // One chunk's buffer, filled and written again and again: the database has copied it when the insert resolves.
      const chunk = Buffer.allocUnsafe(CHUNK_BYTES);
      let filled = 0;
      for await (const piece of source) {
        const bytes = Buffer.isBuffer(piece) ? piece : Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength);
        hash.update(bytes);
        size += bytes.length;
        for (let at = 0; at < bytes.length; ) {
          const copied = bytes.copy(chunk, filled, at, Math.min(bytes.length, at + CHUNK_BYTES - filled));
          filled += copied;
          at += copied;
          if (filled === CHUNK_BYTES) {
            await this.db.run(INSERT_CHUNK, [id, seq++, chunk]);
            filled = 0;
          }
        }
      }
      if (filled > 0) await this.db.run(INSERT_CHUNK, [id, seq++, chunk.subarray(0, filled)]);
    } catch (err) {
      await this.deleteUpload(id).catch(() => undefined);
      throw err;
    }
    const ref = `sha256:${hash.digest('hex')}`;
    let settled: Promise<unknown> | undefined;
    return {
      ref,
      size,
      commit: async () => {
        await (settled ??= this.adopt(id, ref, size));
        return ref;
      },
      discard: async () => {
        await (settled ??= this.deleteUpload(id));
      },
    };
  }

  /** The whole blob. */
  async get(ref: string): Promise<Buffer> {
    await this.size(ref);
    const rows = await this.db.all<{ data: Buffer }>(`SELECT data FROM blob_chunks WHERE blob = $1 ORDER BY seq`, [ref]);
    return Buffer.concat(rows.map((r) => r.data));
  }

  /** Its size in bytes; BlobNotFoundError when there is no such blob. */
  async size(ref: string): Promise<number> {
    const row = REF.test(ref) ? await this.db.get<{ size: number }>(`SELECT size FROM blobs WHERE ref = $1`, [ref]) : undefined;
    if (!row) throw new BlobNotFoundError(ref);
    return Number(row.size);
  }

  async has(ref: string): Promise<boolean> {
    return REF.test(ref) && (await this.db.get(`SELECT 1 AS one FROM blobs WHERE ref = $1`, [ref])) !== undefined;
  }

  /**
   * The blob as a stream, read a chunk at a time as the reader takes them (a slow download holds one
   * chunk or two, not the file). A missing blob is the stream's error (BlobNotFoundError): call
   * {@link size} first to answer it before sending anything.
   */
  open(ref: string): Readable {
    let seq = 0;
    let expected: number | undefined;
    let sent = 0;
    const next = async (): Promise<Buffer | null> => {
      expected ??= await this.size(ref);
      const row = await this.db.get<{ data: Buffer }>(`SELECT data FROM blob_chunks WHERE blob = $1 AND seq = $2`, [ref, seq]);
      if (!row) {
        if (sent !== expected) throw new Error(`the blob ${ref} is incomplete in the store (${sent} of ${expected} bytes)`);
        return null;
      }
      seq++;
      sent += row.data.length;
      return row.data;
    };
    const stream: Readable = new Readable({
      read() {
        next().then(
          (chunk) => stream.push(chunk),
          (err: Error) => stream.destroy(err),
        );
      },
    });
    return stream;
  }

  /**
   * Deletes the uploads started more than `olderThanMs` ago (by the database's clock) and never
   * committed nor discarded: their process died. Returns how many.
   */
  async sweepAbandonedUploads(olderThanMs = ABANDONED_UPLOAD_MS): Promise<number> {
    const old = await this.db.all<{ id: string }>(`SELECT id FROM blob_uploads WHERE started_at < ${nowMs(this.db.dialect)} - $1`, [olderThanMs]);
    for (const { id } of old) await this.deleteUpload(id);
    return old.length;
  }

  /**
   * One transaction: the upload's chunks become the blob's, or go when the blob already exists.
   * An upload swept meanwhile (its row gone) may have lost chunks: never adopted, its rest deleted.
   */
  private async adopt(id: string, ref: string, size: number): Promise<void> {
    const adopted = await this.db.transaction(async (tx) => {
      const held = await tx.run(`DELETE FROM blob_uploads WHERE id = $1`, [id]);
      const created = held ? await tx.run(`INSERT INTO blobs (ref, size, created_at) VALUES ($1, $2, ${nowMs(tx.dialect)}) ON CONFLICT (ref) DO NOTHING`, [ref, size]) : 0;
      if (created) await tx.run(`UPDATE blob_chunks SET blob = $1 WHERE blob = $2`, [ref, id]);
      else await tx.run(`DELETE FROM blob_chunks WHERE blob = $1`, [id]);
      return held > 0;
    });
    if (!adopted) throw new BlobUploadLostError(id);
  }

  private async deleteUpload(id: string): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.run(`DELETE FROM blob_chunks WHERE blob = $1`, [id]);
      await tx.run(`DELETE FROM blob_uploads WHERE id = $1`, [id]);
    });
  }
}
