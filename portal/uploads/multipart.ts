/**
 * A small multipart/form-data (and urlencoded) body reader with limits. The body is read into
 * memory up to `maxBodyBytes`; past that, reading goes on (discarding) up to a hard cap so the
 * browser gets the refusal page instead of a reset connection, then the socket is dropped.
 * Parts are split on the boundary with Buffer.indexOf; no part is ever written anywhere.
 */
import type { IncomingMessage } from 'node:http';

export interface UploadedFile {
  field: string;
  filename: string;
  contentType: string;
  data: Buffer;
}

export interface ParsedBody {
  fields: Map<string, string[]>;
  files: UploadedFile[];
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

export class BodyError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'BodyError';
  }
}

export async function readBody(req: IncomingMessage, maxBodyBytes: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? NaN);
  const hardCap = maxBodyBytes * 4 + 1024 * 1024;
  if (Number.isFinite(declared) && declared > hardCap) {
    req.resume();
    req.socket.setTimeout(5000, () => req.destroy());
    throw new BodyError(`提交的内容过大（超过 ${formatBytes(maxBodyBytes)}）`, 413);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  let over = false;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > hardCap) {
      req.destroy();
      break;
    }
    if (size > maxBodyBytes) {
      over = true;
      chunks.length = 0;
      continue;
    }
    chunks.push(chunk);
  }
  if (over || size > maxBodyBytes) throw new BodyError(`提交的内容过大（超过 ${formatBytes(maxBodyBytes)}）`, 413);
  return Buffer.concat(chunks);
}

export function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${(n / 1024 / 1024).toFixed(n % (1024 * 1024) ? 1 : 0)} MiB`;
  if (n >= 1024) return `${(n / 1024).toFixed(n % 1024 ? 1 : 0)} KiB`;
  return `${n} 字节`;
}

function addField(fields: Map<string, string[]>, name: string, value: string) {
  const list = fields.get(name);
  if (list) list.push(value);
  else fields.set(name, [value]);
}

export async function parseBody(req: IncomingMessage, limits: BodyLimits): Promise<ParsedBody> {
  const type = String(req.headers['content-type'] ?? '');
  const body = await readBody(req, limits.maxBodyBytes);
  if (/^application\/x-www-form-urlencoded/i.test(type)) {
    const fields = new Map<string, string[]>();
    for (const [k, v] of new URLSearchParams(body.toString('utf8'))) addField(fields, k, v);
    return { fields, files: [] };
  }
  const m = /^multipart\/form-data;.*\bboundary=(?:"([^"]{1,70})"|([^\s;]{1,70}))/i.exec(type);
  if (!m) throw new BodyError('不支持的提交格式', 415);
  return parseMultipart(body, m[1] ?? m[2]!, limits);
}

const CRLF = Buffer.from('\r\n');
const HEADER_END = Buffer.from('\r\n\r\n');

export function parseMultipart(body: Buffer, boundary: string, limits: BodyLimits): ParsedBody {
  const fields = new Map<string, string[]>();
  const files: UploadedFile[] = [];
  const delimiter = Buffer.from(`--${boundary}`);
  const maxParts = limits.maxParts ?? 200;
  const maxField = limits.maxFieldBytes ?? 64 * 1024;
  let pos = body.indexOf(delimiter);
  if (pos !== 0) throw new BodyError('提交内容格式有误', 400);
  let parts = 0;
  for (;;) {
    pos += delimiter.length;
    // "--" after a delimiter closes the body.
    if (body[pos] === 0x2d && body[pos + 1] === 0x2d) break;
    if (!body.subarray(pos, pos + 2).equals(CRLF)) throw new BodyError('提交内容格式有误', 400);
    pos += 2;
    const headerEnd = body.indexOf(HEADER_END, pos);
    if (headerEnd < 0 || headerEnd - pos > 8192) throw new BodyError('提交内容格式有误', 400);
    const headers = body.subarray(pos, headerEnd).toString('utf8');
    const next = body.indexOf(Buffer.concat([CRLF, delimiter]), headerEnd + 4);
    if (next < 0) throw new BodyError('提交内容不完整', 400);
    const data = body.subarray(headerEnd + 4, next);
    if (++parts > maxParts) throw new BodyError('提交的栏目过多', 400);
    const disposition = /^content-disposition:\s*form-data(.*)$/im.exec(headers)?.[1] ?? '';
    const name = /;\s*name="([^"]*)"/i.exec(disposition)?.[1];
    const filename = /;\s*filename="([^"]*)"/i.exec(disposition)?.[1];
    if (name === undefined) throw new BodyError('提交内容格式有误', 400);
    if (filename !== undefined) {
      if (filename !== '' || data.length > 0) {
        if (files.length + 1 > limits.maxFiles) throw new BodyError(`附件过多：每次最多 ${limits.maxFiles} 个文件`, 413);
        if (data.length > limits.maxFileBytes) {
          throw new BodyError(`文件“${cleanFilename(filename)}”过大（${formatBytes(data.length)}），单个文件不得超过 ${formatBytes(limits.maxFileBytes)}`, 413);
        }
        const contentType = /^content-type:\s*([^\r\n;]+)/im.exec(headers)?.[1]?.trim() ?? 'application/octet-stream';
        files.push({ field: name, filename: cleanFilename(filename), contentType, data: Buffer.from(data) });
      }
    } else {
      if (data.length > maxField) throw new BodyError('填写的内容过长', 413);
      addField(fields, name, data.toString('utf8'));
    }
    pos = next + 2;
  }
  return { fields, files };
}

/** The base name, without control characters or path separators, at most 120 characters. */
export function cleanFilename(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  // eslint-disable-next-line no-control-regex
  const clean = base.replace(/[\u0000-\u001f\u007f"<>|:*?]/g, '').trim();
  return (clean || '附件').slice(-120);
}

export const field = (body: ParsedBody, name: string): string => body.fields.get(name)?.[0] ?? '';
