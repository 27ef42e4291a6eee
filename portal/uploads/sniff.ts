/**
 * What an uploaded file really is: the extension must be on the allowlist AND the bytes must
 * match it (magic numbers; for .docx/.xlsx the zip's own file list; for .txt valid UTF-8 text).
 * Executables (MZ, ELF, Mach-O, scripts with #!) are refused whatever their name.
 */
export const ALLOWED_EXTENSIONS = ['.pdf', '.jpg', '.jpeg', '.png', '.doc', '.docx', '.xls', '.xlsx', '.txt'] as const;

const CONTENT_TYPES: Record<string, string> = {
  '.pdf': 'application/pdf',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.png': 'image/png',
  '.doc': 'application/msword',
  '.docx': 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  '.xls': 'application/vnd.ms-excel',
  '.xlsx': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  '.txt': 'text/plain; charset=utf-8',
};

export type SniffResult = { ok: true; type: string; ext: string } | { ok: false; reason: string };

const starts = (data: Buffer, bytes: number[] | string) => {
  const b = typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : Buffer.from(bytes);
  return data.length >= b.length && data.subarray(0, b.length).equals(b);
};

function isExecutable(data: Buffer): boolean {
  return (
    starts(data, 'MZ') ||
    starts(data, '\x7fELF') ||
    starts(data, [0xfe, 0xed, 0xfa, 0xce]) ||
    starts(data, [0xfe, 0xed, 0xfa, 0xcf]) ||
    starts(data, [0xcf, 0xfa, 0xed, 0xfe]) ||
    starts(data, [0xce, 0xfa, 0xed, 0xfe]) ||
    starts(data, [0xca, 0xfe, 0xba, 0xbe]) ||
    starts(data, '#!')
  );
}

/** File names in a zip's central directory, or undefined when it is not a readable zip. */
export function zipEntryNames(data: Buffer): string[] | undefined {
  if (!starts(data, [0x50, 0x4b, 0x03, 0x04])) return undefined;
  // End of central directory: signature 0x06054b50 within the last 64 KiB + 22 bytes.
  const from = Math.max(0, data.length - 65_557);
  let eocd = -1;
  for (let i = data.length - 22; i >= from; i--) {
    if (data.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) return undefined;
  const count = data.readUInt16LE(eocd + 10);
  let p = data.readUInt32LE(eocd + 16);
  const names: string[] = [];
  for (let n = 0; n < count && n < 10_000; n++) {
    if (p + 46 > data.length || data.readUInt32LE(p) !== 0x02014b50) return undefined;
    const nameLen = data.readUInt16LE(p + 28);
    const extraLen = data.readUInt16LE(p + 30);
    const commentLen = data.readUInt16LE(p + 32);
    if (p + 46 + nameLen > data.length) return undefined;
    names.push(data.subarray(p + 46, p + 46 + nameLen).toString('utf8'));
    p += 46 + nameLen + extraLen + commentLen;
  }
  return names;
}

function isUtf8Text(data: Buffer): boolean {
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(data);
    // eslint-disable-next-line no-control-regex
    return !/[\u0000-\u0008\u000b\u000e-\u001f\u007f]/.test(text);
  } catch {
    return false;
  }
}

export function extensionOf(filename: string): string {
  const m = /\.[A-Za-z0-9]{1,8}$/.exec(filename);
  return m ? m[0].toLowerCase() : '';
}

export function sniffFile(filename: string, data: Buffer): SniffResult {
  const ext = extensionOf(filename);
  if (!(ALLOWED_EXTENSIONS as readonly string[]).includes(ext)) {
    return { ok: false, reason: `文件“${filename}”的类型不允许上传；仅接受 ${ALLOWED_EXTENSIONS.join(' ')} 文件` };
  }
  if (isExecutable(data)) return { ok: false, reason: `文件“${filename}”是可执行程序，不是${ext}文件，已拒收` };
  if (data.length === 0) return { ok: false, reason: `文件“${filename}”是空文件` };
  const mismatch: SniffResult = { ok: false, reason: `文件“${filename}”的内容与扩展名${ext}不符，已拒收` };
  let good = false;
  switch (ext) {
    case '.pdf':
      good = starts(data, '%PDF-');
      break;
    case '.png':
      good = starts(data, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
      break;
    case '.jpg':
    case '.jpeg':
      good = starts(data, [0xff, 0xd8, 0xff]);
      break;
    case '.doc':
    case '.xls':
      good = starts(data, [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]);
      break;
    case '.docx':
    case '.xlsx': {
      const names = zipEntryNames(data);
      const inner = ext === '.docx' ? 'word/document.xml' : 'xl/workbook.xml';
      good = !!names && names.includes('[Content_Types].xml') && names.includes(inner);
      break;
    }
    case '.txt':
      good = isUtf8Text(data);
      break;
  }
  return good ? { ok: true, type: CONTENT_TYPES[ext]!, ext } : mismatch;
}
