/**
 * The portal's content sniffer reads a file as it streams past (portal/uploads/sniff.ts): a
 * disguised file is known from its first bytes, an Office file by the zip directory at its end, a
 * text file by UTF-8 decoded chunk by chunk — whatever the chunk boundaries, and with the
 * extension allow-list (and its wording) from the submission rules.
 */
import { randomBytes } from 'node:crypto';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { ContentSniffer, sniffFile } from '../../portal/uploads/sniff';

function streamed(name: string, data: Buffer, chunk: number, language: 'zh-CN' | 'en' = 'zh-CN') {
  const s = new ContentSniffer(name, language);
  let early: ReturnType<ContentSniffer['early']>;
  let readBeforeEarly = 0;
  for (let i = 0; i < data.length; i += chunk) {
    s.push(data.subarray(i, i + chunk));
    if (!early) {
      early = s.early();
      readBeforeEarly = Math.min(data.length, i + chunk);
    }
  }
  return { early, readBeforeEarly, result: s.result() };
}

async function workbook(rows: number): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('表');
  for (let i = 0; i < rows; i++) ws.addRow([i, randomBytes(24).toString('hex')]);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

describe('the streaming content sniffer', () => {
  it('accepts an .xlsx read in small chunks, even one larger than the tail it keeps, and refuses the same bytes named .docx', async () => {
    const xlsx = await workbook(40_000);
    expect(xlsx.length).toBeGreaterThan(1024 * 1024);
    expect(streamed('表.xlsx', xlsx, 4096).result).toEqual({ ok: true, ext: '.xlsx', type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' });
    expect(streamed('表.docx', xlsx, 65_536).result).toEqual({ ok: false, reason: '文件“表.docx”的内容与扩展名.docx不符，已拒收' });
    expect(sniffFile('表.xlsx', await workbook(3)).ok).toBe(true);
  });

  it('decodes text across chunk boundaries: a character split in two is fine, a stray byte is not', () => {
    const text = Buffer.from('联络员：张三\n电话 010-0000000\n'.repeat(50));
    expect(streamed('说明.txt', text, 7).result).toMatchObject({ ok: true, ext: '.txt' });
    const broken = Buffer.concat([text, Buffer.from([0xff]), text]);
    expect(streamed('说明.txt', broken, 7).result).toEqual({ ok: false, reason: '文件“说明.txt”的内容与扩展名.txt不符，已拒收' });
  });

  it('knows a disguised executable from its first bytes, before the rest is read', () => {
    const mz = Buffer.concat([Buffer.from('MZ\x90\x00\x03\x00\x00\x00', 'latin1'), Buffer.alloc(1024 * 1024)]);
    const r = streamed('报告.pdf', mz, 16);
    expect(r.early).toEqual({ ok: false, reason: '文件“报告.pdf”是可执行程序，不是.pdf文件，已拒收' });
    expect(r.readBeforeEarly).toBe(16);
    expect(streamed('图.png', Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(100)]), 50).early).toEqual({ ok: false, reason: '文件“图.png”的内容与扩展名.png不符，已拒收' });
  });

  it('refuses a kind not on the allow-list at once, in the submission rules’ words and the plan’s language', () => {
    expect(new ContentSniffer('setup.exe').early()).toEqual({ ok: false, reason: '文件“setup.exe”的类型不允许上传；仅接受 .pdf .jpg .jpeg .png .doc .docx .xls .xlsx .txt 文件' });
    expect(new ContentSniffer('setup.exe', 'en').early()).toEqual({ ok: false, reason: "file 'setup.exe' is not a kind that can be attached; accepted: .pdf .jpg .jpeg .png .doc .docx .xls .xlsx .txt" });
    expect(sniffFile('空.pdf', Buffer.alloc(0))).toEqual({ ok: false, reason: '文件“空.pdf”是空文件' });
  });
});
