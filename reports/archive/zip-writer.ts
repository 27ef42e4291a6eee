/**
 * Writes the archive's ZIP as a stream, one file after the other, each hashed (SHA-256) on its way
 * in, and closes it with the manifest of every file: `manifest.json` (path, size, sha256) and
 * `MANIFEST.sha256` (the same, in the format `sha256sum -c` checks).
 *
 * Never the whole archive in memory: a file given as a stream (an attachment from the blob store)
 * passes through in chunks, the next file is started only when the previous one is written, and the
 * ZIP is piped to its destination with back-pressure (a slow download holds the writer back).
 *
 * The same files in the same order make the same bytes: every entry carries the same date (given:
 * the campaign's end), no other time and no machine's detail goes in (archiver's ZIP entries hold
 * no owner or extended timestamps; the names are UTF-8 with the ZIP's flag for it).
 */
import { createHash } from 'node:crypto';
import { PassThrough, Readable, Transform, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import archiver from 'archiver';

export interface ManifestFile {
  path: string;
  size: number;
  sha256: string;
}

/** A name the archive refuses (it would escape the folder it is unpacked into, or repeat another). */
export class ArchivePathError extends Error {
  constructor(path: string, why: string) {
    super(`archive entry '${path}': ${why}`);
    this.name = 'ArchivePathError';
  }
}

export const MANIFEST_JSON = 'manifest.json';
export const MANIFEST_SHA256 = 'MANIFEST.sha256';

export class ArchiveWriter {
  private readonly archive: archiver.Archiver;
  private readonly piped: Promise<void>;
  /** Rejects when the ZIP or its destination fails (a download cut off): no entry waits for ever then. */
  private readonly broken: Promise<never>;
  private readonly files: ManifestFile[] = [];
  private failure: Error | undefined;

  /** `date`: every entry's modification time (its UTC fields are what unzip shows). */
  constructor(
    out: Writable,
    private readonly date: Date,
  ) {
    this.archive = archiver('zip', { zlib: { level: 9 } });
    this.archive.on('warning', (err: Error) => (this.failure ??= err));
    this.archive.on('error', (err: Error) => (this.failure ??= err));
    this.piped = pipeline(this.archive, out);
    this.broken = this.piped.then(
      () => new Promise<never>(() => undefined),
      (err: Error) => {
        this.failure ??= err;
        throw this.failure;
      },
    );
    // Seen by add() and finish(); these handlers keep a failure meanwhile from being an unhandled rejection.
    this.piped.catch(() => undefined);
    this.broken.catch(() => undefined);
  }

  /** Adds one file and resolves once it is in the ZIP (its hash known). */
  async add(path: string, content: Buffer | string | Readable): Promise<void> {
    if (this.failure) throw this.failure;
    if (!path || path.startsWith('/') || path.split('/').some((s) => s === '' || s === '.' || s === '..') || /[\\\0]/.test(path)) throw new ArchivePathError(path, 'not a plain relative path');
    if (this.files.some((f) => f.path === path) || path === MANIFEST_JSON || path === MANIFEST_SHA256) throw new ArchivePathError(path, 'named twice');
    const hash = createHash('sha256');
    let size = 0;
    const source = typeof content === 'string' || Buffer.isBuffer(content) ? Readable.from([Buffer.from(content)]) : content;
    const hashed = new Transform({
      transform(chunk: Buffer, _enc, done) {
        hash.update(chunk);
        size += chunk.length;
        done(null, chunk);
      },
    });
    const written = new Promise<void>((resolve, reject) => {
      const onEntry = (entry: { name: string }) => {
        if (entry.name !== path) return;
        this.archive.off('entry', onEntry);
        this.archive.off('error', reject);
        resolve();
      };
      this.archive.on('entry', onEntry);
      this.archive.once('error', reject);
    });
    const into = new PassThrough();
    this.archive.append(into, { name: path, date: this.date });
    try {
      await Promise.race([Promise.all([pipeline(source, hashed, into), written]), this.broken]);
    } catch (err) {
      // Stops reading the source (a blob's stream) too.
      into.destroy(err as Error);
      source.destroy(err as Error);
      throw this.failure ?? err;
    }
    if (this.failure) throw this.failure;
    this.files.push({ path, size, sha256: hash.digest('hex') });
  }

  /** Writes the manifest, ends the ZIP and resolves when the destination has it all. */
  async finish(about: Record<string, unknown>): Promise<{ bytes: number; files: ManifestFile[] }> {
    const files = [...this.files];
    const manifest = { ...about, algorithm: 'SHA-256', files };
    this.archive.append(Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`), { name: MANIFEST_JSON, date: this.date });
    this.archive.append(Buffer.from(files.map((f) => `${f.sha256}  ${f.path}\n`).join('')), { name: MANIFEST_SHA256, date: this.date });
    await Promise.race([this.archive.finalize(), this.broken]);
    await this.piped;
    if (this.failure) throw this.failure;
    return { bytes: this.archive.pointer(), files };
  }

  /** Stops writing after a failure: the destination gets an error, not a ZIP that looks whole. */
  abort(err: Error): void {
    this.failure ??= err;
    this.archive.abort();
    this.archive.destroy(err);
  }
}
