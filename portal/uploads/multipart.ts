/**
 * Request bodies (multipart/form-data and urlencoded) read with busboy, within limits enforced
 * while the body streams in: no upload is ever held whole in memory.
 *
 * Each file streams through the content sniffer (sniff.ts) into the blob store's staging area
 * (BlobStore.stage: hashed while written, chunk by chunk, to the database under an upload id); it
 * becomes a blob only when the caller commits it, after the submission was accepted — a refusal
 * deletes every staged file. A file over the per-file limit, one file too many or a body over the
 * total limit is refused at the byte that breaks the limit: its staged chunks are deleted, the rest of the body is discarded
 * (never kept) up to the total limit so that the browser can show the refusal page, and past that
 * the connection is closed after the answer.
 *
 * A file's name is the one the submission rules keep (attachmentFileName: base name, no control,
 * bidi or zero-width characters, cut between graphemes with its extension kept).
 *
 * Only a field named in `inMemory` (the XLSX template, which reports/xlsx.ts reads from bytes) is
 * collected in memory, within the same per-file limit.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { PassThrough, type Readable } from 'node:stream';
import busboy from 'busboy';
import type { Language } from '../../deadlines/timeline';
import { attachmentFileName, describeRefusal, formatBytes, refusal } from '../../obligations/submission-rules';
import type { BlobStore, StagedBlob } from '../../store/blob-store';
import { ContentSniffer, type SniffResult } from './sniff';

export { formatBytes };

export interface UploadedFile {
  field: string;
  filename: string;
  /** As the browser declared it (the stored type comes from the sniffed content). */
  contentType: string;
  size: number;
  /** What the bytes are; a refused file was not kept. */
  sniff: SniffResult;
  /** The file staged in the blob store (accepted content only): commit() keeps it. */
  blob?: StagedBlob;
  /** The bytes, for a field read into memory (`inMemory`). */
  data?: Buffer;
}

export interface ParsedBody {
  fields: Map<string, string[]>;
  files: UploadedFile[];
  /** Deletes every staged file (call when the submission is refused). */
  discard(): Promise<void>;
}

export interface BodyLimits {
  /** Whole request body. */
  maxBodyBytes: number;
  /** One file. */
  maxFileBytes: number;
  /** Number of (non-empty) files. */
  maxFiles: number;
  /** Number of parts (fields + files). */
  maxParts?: number;
  /** One text field. */
  maxFieldBytes?: number;
}

export interface BodyOptions {
  /** Where files are staged; without a store no file is accepted. */
  store?: BlobStore;
  /** Fields whose file is collected in memory instead of staged. */
  inMemory?: readonly string[];
  /** The language of the refusals the submission rules word (the plan's). */
  language?: Language;
}

export class BodyError extends Error {
  constructor(
    message: string,
    readonly status: number,
    /** True when the rest of the body was not read: answer, then close the connection. */
    readonly unread = false,
  ) {
    super(message);
    this.name = 'BodyError';
  }
}

/**
 * After a BodyError with the body unread: the answer says the connection closes; once it is sent
 * the portal stops sending (the client reads the answer) and, a moment later, drops the connection
 * — the rest of the body is discarded meanwhile, never kept.
 */
export function closeAfterAnswer(req: IncomingMessage, res: ServerResponse): void {
  res.setHeader('connection', 'close');
  res.once('finish', () => {
    req.socket.end();
    setTimeout(() => req.destroy(), 1000).unref();
  });
  req.resume();
}

/** All text fields together (the report, the figures and the hidden fields of one form). */
const MAX_FIELDS_TOTAL_BYTES = 1024 * 1024;

function addField(fields: Map<string, string[]>, name: string, value: string) {
  const list = fields.get(name);
  if (list) list.push(value);
  else fields.set(name, [value]);
}

export async function parseBody(req: IncomingMessage, limits: BodyLimits, opts: BodyOptions = {}): Promise<ParsedBody> {
  const language = opts.language ?? 'zh-CN';
  const tooLarge = () => new BodyError(`提交的内容过大（超过 ${formatBytes(limits.maxBodyBytes)}）`, 413, true);
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (Number.isFinite(declared) && declared > limits.maxBodyBytes) throw tooLarge();
  let bb: busboy.Busboy;
  try {
    bb = busboy({
      headers: req.headers,
      defParamCharset: 'utf8',
      // One byte over the limit is what busboy reports ('limit'): a file of exactly maxFileBytes is accepted.
      limits: { fileSize: limits.maxFileBytes + 1, fieldSize: limits.maxFieldBytes ?? 256 * 1024, fields: limits.maxParts ?? 200, parts: limits.maxParts ?? 200, headerPairs: 20 },
    });
  } catch {
    req.resume();
    throw new BodyError('不支持的提交格式', 415);
  }

  return new Promise<ParsedBody>((resolve, reject) => {
    const fields = new Map<string, string[]>();
    const receiving: Array<Promise<UploadedFile | undefined>> = [];
    const stopping: Array<() => void> = [];
    let refused: BodyError | undefined;
    let failure: unknown;
    let finished = false;
    let fileCount = 0;
    let fieldBytes = 0;
    let received = 0;
    const refuse = (e: BodyError) => {
      refused ??= e;
    };

    /** `stopped`: the body was not read to its end (limit, malformed, client gone). */
    const finish = async (stopped: boolean) => {
      if (finished) return;
      finished = true;
      // A file still streaming when the body stopped ends here, and is not kept.
      if (stopped) for (const stop of stopping) stop();
      const files = (await Promise.all(receiving)).filter((f): f is UploadedFile => !!f);
      const discard = async () => {
        await Promise.all(files.map((f) => f.blob?.discard()));
      };
      if (refused || failure !== undefined) {
        await discard().catch(() => undefined);
        if (refused) reject(refused.unread || req.complete ? refused : new BodyError(refused.message, refused.status, true));
        else reject(failure as Error);
        return;
      }
      resolve({ fields, files, discard });
    };

    const count = (chunk: Buffer) => {
      received += chunk.length;
      if (received > limits.maxBodyBytes && !finished) {
        // Past the total limit: stop reading; the answer goes out and the connection closes.
        req.unpipe(bb);
        req.off('data', count);
        req.pause();
        refused = refused ? new BodyError(refused.message, refused.status, true) : tooLarge();
        bb.destroy();
        void finish(true);
      }
    };
    req.on('data', count);
    req.once('aborted', () => {
      failure ??= new BodyError('提交内容不完整', 400, true);
      bb.destroy();
      void finish(true);
    });

    bb.on('field', (name, value, info) => {
      fieldBytes += Buffer.byteLength(value);
      if (info.valueTruncated || info.nameTruncated || fieldBytes > MAX_FIELDS_TOTAL_BYTES) return refuse(new BodyError('填写的内容过长', 413));
      addField(fields, name, value);
    });
    bb.on('file', (name, stream, info) => {
      // A file cut short (the body stopped, or was malformed) ends with an error: 'close' settles it.
      stream.on('error', () => undefined);
      const filename = attachmentFileName(info.filename ?? '');
      if (!info.filename || refused) {
        // An empty file input, or nothing more is kept after a refusal.
        stream.resume();
        return;
      }
      if (++fileCount > limits.maxFiles) {
        refuse(new BodyError(describeRefusal(refusal('too-many-attachments', { count: fileCount, max: limits.maxFiles }), language), 413));
        stream.resume();
        return;
      }
      const file = { field: name, filename, contentType: info.mimeType || 'application/octet-stream' };
      const tooBig = () => refuse(new BodyError(describeRefusal(refusal('attachment-too-large', { name: filename, max: limits.maxFileBytes }), language), 413));
      const receipt = opts.inMemory?.includes(name) ? collect(stream, file, tooBig, language) : stage(stream, file, opts.store, tooBig, language);
      stopping.push(receipt.stop);
      receiving.push(receipt.done);
    });
    bb.on('partsLimit', () => refuse(new BodyError('提交的栏目过多', 400)));
    bb.on('fieldsLimit', () => refuse(new BodyError('提交的栏目过多', 400)));
    bb.on('error', () => {
      refuse(new BodyError('提交内容格式有误', 400));
      void finish(true);
    });
    bb.once('close', () => void finish(false));
    req.pipe(bb);
  });
}

type FileHeader = Pick<UploadedFile, 'field' | 'filename' | 'contentType'>;

/** A file streaming in: `done` settles when it was received (or refused); `stop` ends it early. */
interface Receipt {
  done: Promise<UploadedFile | undefined>;
  stop: () => void;
}

/**
 * Streams one file through the sniffer into the store's staging area. The first bytes decide a
 * disguised file (nothing more is written); the per-file limit deletes the staged file at once.
 */
function stage(stream: Readable, header: FileHeader, store: BlobStore | undefined, tooBig: () => void, language: Language): Receipt {
  const sniffer = new ContentSniffer(header.filename, language);
  const feed = new PassThrough();
  // Ended with an error on a refusal: BlobStore.stage sees it (and deletes the chunks it wrote).
  feed.on('error', () => undefined);
  let size = 0;
  let verdict: SniffResult | undefined = sniffer.early();
  let cut = false;
  let fed = false;
  const end = (why?: Error) => {
    stream.resume();
    if (fed) return;
    fed = true;
    if (why) feed.destroy(why);
    else feed.end();
  };
  const staged = store && !verdict ? store.stage(feed) : undefined;
  if (!staged) stream.resume();
  const ended = new Promise<void>((resolve) => {
    stream.once('end', resolve);
    stream.once('close', resolve);
  });
  stream.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (!staged || verdict || cut) return;
    sniffer.push(chunk);
    verdict = sniffer.early();
    if (verdict) return end();
    if (!feed.write(chunk)) {
      stream.pause();
      feed.once('drain', () => stream.resume());
    }
  });
  stream.once('limit', () => {
    cut = true;
    tooBig();
    end(new Error('over the per-file limit'));
  });
  stream.once('end', () => end());
  const stop = () => {
    cut = true;
    end(new Error('the body stopped'));
  };
  const done = (async (): Promise<UploadedFile | undefined> => {
    const blob = await staged?.catch(() => undefined);
    await ended;
    if (cut) {
      await blob?.discard();
      return undefined;
    }
    const sniff = verdict ?? (store ? sniffer.result() : { ok: false as const, reason: '此处不接受文件' });
    if (!sniff.ok) await blob?.discard();
    return { ...header, size, sniff, ...(sniff.ok && blob ? { blob } : {}) };
  })();
  return { done, stop };
}

/** Collects one file in memory (bounded by the per-file limit), sniffing it as it comes. */
function collect(stream: Readable, header: FileHeader, tooBig: () => void, language: Language): Receipt {
  const sniffer = new ContentSniffer(header.filename, language);
  const chunks: Buffer[] = [];
  let cut = false;
  stream.on('data', (chunk: Buffer) => {
    if (cut) return;
    chunks.push(chunk);
    sniffer.push(chunk);
  });
  stream.once('limit', () => {
    cut = true;
    chunks.length = 0;
    tooBig();
  });
  const done = new Promise<UploadedFile | undefined>((resolve) => {
    const settle = () => {
      if (cut) return resolve(undefined);
      const data = Buffer.concat(chunks);
      resolve({ ...header, size: data.length, sniff: sniffer.result(), data });
    };
    stream.once('end', settle);
    stream.once('close', settle);
  });
  return {
    done,
    stop: () => {
      cut = true;
      chunks.length = 0;
      stream.resume();
    },
  };
}

export const field = (body: ParsedBody, name: string): string => body.fields.get(name)?.[0] ?? '';
