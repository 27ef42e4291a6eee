/**
 * What the demo's departments write: plausible statistics (cumulative figures that grow from one
 * week to the next, "其中" sub-figures below their parent), report texts, and small attachments.
 * Deterministic from (department index, occurrence index).
 *
 * Pure (zlib for the PNG).
 */
import { deflateSync } from 'node:zlib';
import type { CompiledDeadline, CompiledDepartment, CompiledForm, FormColumn } from '../../deadlines/timeline';
import { flattenColumns } from '../../obligations/form-data';

const PLACES = ['城区', '郊区', '开发区', '高新区', '新区'];

/** One department's row for the form, for the occurrence at `occIndex` (0-based), keyed by column id. */
export function formValues(form: CompiledForm, deptIndex: number, occIndex: number): Record<string, number | string> {
  const out: Record<string, number | string> = {};
  const week = occIndex + 1;
  const base = 3 + ((deptIndex * 7) % 11);
  const valueOf = (c: FormColumn, j: number, parentValue?: number): number | string => {
    switch (c.type) {
      case 'count': {
        const v = base * week * (1 + (j % 4)) + (c.cumulative ? 0 : j);
        return parentValue !== undefined ? Math.floor(parentValue * 0.4) : v;
      }
      case 'amount': {
        const v = Math.round(base * week * (12.5 + j) * 100) / 100;
        return parentValue !== undefined ? Math.round(parentValue * 40) / 100 : v;
      }
      case 'names':
        return PLACES.slice(0, 1 + ((deptIndex + occIndex + j) % 3)).join('、');
      case 'text':
        return '按计划推进';
    }
  };
  flattenColumns(form.columns).forEach(({ column, parent }, j) => {
    const p = parent ? out[parent.id] : undefined;
    // A column named like "不…/未…" (not done) stays empty once the department has caught up.
    const caughtUp = column.type === 'names' && /^(未|不)/.test(column.label) && occIndex >= 1;
    out[column.id] = caughtUp ? '' : valueOf(column, j, typeof p === 'number' ? p : undefined);
  });
  return out;
}

export function reportText(deadline: CompiledDeadline, dept: CompiledDepartment, language: 'zh-CN' | 'en'): string {
  const contact = dept.contacts[0]?.email ?? '';
  if (language === 'en') {
    return `${dept.name} — ${deadline.title}.\nSubmitted through the collection portal by the campaign demo (npm run demo). Contact: ${contact}.`;
  }
  if (/联系人|联系方式/.test(deadline.title)) {
    return `${dept.name}春风行动联系人：联络员（就业促进科），电话：0000-0000000（演示），电子邮箱：${contact}。`;
  }
  return `${dept.name}关于“${deadline.title}”的报送（演示数据，由 npm run demo 通过报送平台提交）。\n一、工作开展情况：按通知要求组织实施，各项工作有序推进。\n二、主要数据：详见统计表。\n三、困难问题和意见建议：无。`;
}

/** A small UTF-8 text file (the report as an attachment). */
export function textAttachment(deadline: CompiledDeadline, dept: CompiledDepartment): { name: string; type: string; data: Buffer } {
  return { name: `${deadline.id}-${dept.id}.txt`, type: 'text/plain', data: Buffer.from(`${dept.name}\n${deadline.title}\n\n（演示附件）\n`, 'utf8') };
}

/** A valid 8×8 PNG in the department's colour (a "photo" for a deadline that takes attachments only). */
export function pngAttachment(dept: CompiledDepartment, deptIndex: number): { name: string; type: string; data: Buffer } {
  const size = 8;
  const [r, g, b] = [(deptIndex * 67) % 256, (deptIndex * 131 + 80) % 256, (deptIndex * 199 + 160) % 256];
  const rows = Buffer.alloc(size * (1 + size * 3));
  for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) rows.set([r, g, b], y * (1 + size * 3) + 1 + x * 3);
  const chunk = (type: string, body: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(body.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(Buffer.concat([Buffer.from(type, 'latin1'), body])));
    return Buffer.concat([len, Buffer.from(type, 'latin1'), body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  const data = Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(rows)), chunk('IEND', Buffer.alloc(0))]);
  return { name: `photo-${dept.id}.png`, type: 'image/png', data };
}

function crc32(buf: Buffer): number {
  let c = ~0;
  for (const byte of buf) {
    c ^= byte;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}
