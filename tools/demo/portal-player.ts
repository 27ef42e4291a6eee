/**
 * A department at the collection portal, over plain HTTP, as its browser would be: it opens its own
 * link (from the email it received), reads the page's CSRF token, and posts the web form — or
 * downloads the statistics table as an XLSX template, fills it with exceljs the way a person fills
 * it in Excel, and uploads it. The portal's own receipt page says whether it was on time.
 */
import ExcelJS from 'exceljs';
import type { CompiledForm, CompiledPlan } from '../../deadlines/timeline';
import { flattenColumns } from '../../obligations/form-data';
import type { Action } from './schedule';
import { formValues, pngAttachment, reportText, textAttachment } from './values';

export type SubmitOutcome =
  | { ok: true; late: boolean; version: string; via: Action['via']; attachment?: string; ms?: Record<string, number> }
  | { ok: false; reason: string; status?: number; ms?: Record<string, number> };

const entities: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", nbsp: ' ' };
function textOf(htmlText: string): string {
  return htmlText
    .replace(/<[^>]+>/g, ' ')
    .replace(/&(#\d+|#39|amp|lt|gt|quot|nbsp);/g, (m, e: string) => entities[e] ?? (e.startsWith('#') ? String.fromCharCode(Number(e.slice(1))) : m))
    .replace(/\s+/g, ' ')
    .trim();
}

/** The reasons a portal page gives (alert boxes and the messages beside the fields). */
export function pageProblems(page: string): string {
  const parts: string[] = [];
  for (const m of page.matchAll(/<div class="(?:alert[^"]*|error)"[^>]*>([\s\S]*?)<\/div>/g)) parts.push(textOf(m[1]!));
  const text = parts.filter(Boolean).join(' ') || textOf(/<main>([\s\S]*?)<\/main>/.exec(page)?.[1] ?? page);
  return text.length > 300 ? `${text.slice(0, 297)}…` : text;
}

export class PortalPlayer {
  private readonly csrf = new Map<string, string>();

  constructor(
    readonly portalUrl: string,
    readonly plan: CompiledPlan,
  ) {}

  private async fetch(path: string, init: RequestInit = {}): Promise<Response> {
    const res = await fetch(`${this.portalUrl}${path}`, {
      ...init,
      // A browser posting the portal's own form sends its origin (checked by the portal).
      headers: { origin: this.portalUrl, 'user-agent': 'campaign-demo (npm run demo)', ...(init.headers ?? {}) },
      signal: AbortSignal.timeout(60_000),
    });
    return res;
  }

  /** Whether the department has its page open already. */
  isOpen(token: string): boolean {
    return this.csrf.has(token);
  }

  /** Opens the department's page (its link) and keeps the form's CSRF token. */
  async open(token: string): Promise<{ ok: true } | { ok: false; reason: string; status: number }> {
    const res = await this.fetch(`/d/${token}`);
    const page = await res.text();
    if (res.status !== 200) return { ok: false, reason: pageProblems(page), status: res.status };
    const csrf = /name="csrf" value="([^"]+)"/.exec(page)?.[1];
    if (!csrf) return { ok: false, reason: 'the department page has no form token', status: res.status };
    this.csrf.set(token, csrf);
    return { ok: true };
  }

  async submit(action: Action, token: string): Promise<SubmitOutcome> {
    const plan = this.plan;
    const deadline = plan.deadlines.find((d) => d.id === action.deadline)!;
    const deptIndex = plan.departments.findIndex((d) => d.id === action.department);
    const dept = plan.departments[deptIndex]!;
    const occIndex = deadline.occurrences.findIndex((o) => o.key === action.occurrence);
    const ms: Record<string, number> = {};
    let t = Date.now();
    const lap = (name: string) => {
      ms[name] = Date.now() - t;
      t = Date.now();
    };
    // The first time, the department opens its link; later it submits from the page it has open
    // (the portal checks again that the occurrence takes submissions).
    if (!this.csrf.has(token)) {
      const opened = await this.open(token);
      lap('open');
      if (!opened.ok) return opened;
    }
    const csrf = this.csrf.get(token);
    if (!csrf) return { ok: false, reason: 'the department page has no form token' };
    const body = new FormData();
    body.set('csrf', csrf);
    body.set('deadline', deadline.id);
    body.set('occurrence', action.occurrence);
    const form = deadline.submit.form ? plan.forms.find((f) => f.id === deadline.submit.form) : undefined;
    let path = `/d/${token}/submit`;
    let attachment: string | undefined;
    if (form && action.via === 'xlsx') {
      const filled = await this.fillTemplate(token, deadline.id, action.occurrence, form, formValues(form, deptIndex, occIndex));
      lap('template');
      if (!filled.ok) return filled;
      body.set('xlsx', new Blob([new Uint8Array(filled.data)], { type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' }), `${deadline.id}-${dept.id}.xlsx`);
      path = `/d/${token}/upload`;
    } else {
      if (form) for (const [k, v] of Object.entries(formValues(form, deptIndex, occIndex))) body.set(`v.${k}`, String(v));
      body.set('report', deadline.submit.report ? reportText(deadline, dept, plan.campaign.language) : '');
      const file = action.attach === 'txt' ? textAttachment(deadline, dept) : action.attach === 'png' ? pngAttachment(dept, deptIndex) : undefined;
      if (file) {
        body.append('attachments', new Blob([new Uint8Array(file.data)], { type: file.type }), file.name);
        attachment = file.name;
      }
    }
    const res = await this.fetch(path, { method: 'POST', body });
    const page = await res.text();
    lap('post');
    if (res.status !== 200 || !page.includes('class="ok receipt"')) {
      this.csrf.delete(token);
      return { ok: false, reason: pageProblems(page), status: res.status, ms };
    }
    const onTime = /<dt>是否按时<\/dt><dd>([^<]*)<\/dd>/.exec(page)?.[1] ?? '';
    const version = /<dt>版本<\/dt><dd>([^<]*)<\/dd>/.exec(page)?.[1] ?? '';
    return { ok: true, late: onTime.startsWith('迟报'), version, via: form && action.via === 'xlsx' ? 'xlsx' : 'form', ...(attachment ? { attachment } : {}), ms };
  }

  /** Downloads the department's template for one occurrence and fills its data row. */
  private async fillTemplate(token: string, deadlineId: string, occurrence: string, form: CompiledForm, values: Record<string, number | string>): Promise<{ ok: true; data: Buffer } | { ok: false; reason: string }> {
    const res = await this.fetch(`/d/${token}/template/${encodeURIComponent(deadlineId)}.xlsx?occurrence=${encodeURIComponent(occurrence)}`);
    if (res.status !== 200) return { ok: false, reason: `template download: ${pageProblems(await res.text())}` };
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await res.arrayBuffer()) as ArrayBuffer);
    // The template's hidden meta sheet says where the data row and each column are.
    const meta = new Map<string, ExcelJS.CellValue[]>();
    wb.getWorksheet('meta')?.eachRow((row) => {
      const cells = (row.values as ExcelJS.CellValue[]).slice(1);
      meta.set(String(cells[0] ?? ''), cells.slice(1));
    });
    const sheet = wb.getWorksheet(String(meta.get('sheet')?.[0] ?? '')) ?? wb.worksheets[0];
    const dataRow = Number(meta.get('dataRow')?.[0] ?? 5);
    const first = Number(meta.get('firstColumn')?.[0] ?? 2);
    const columns = (meta.get('columns') ?? []).map(String);
    if (!sheet || columns.length === 0) return { ok: false, reason: 'the downloaded template has no column map' };
    const types = new Map(flattenColumns(form.columns).map((c) => [c.column.id, c.column.type]));
    columns.forEach((id, i) => {
      const v = values[id];
      if (v === undefined || v === '') return;
      // Numbers as numbers (as Excel stores what a person types), text as text.
      sheet.getCell(dataRow, first + i).value = types.get(id) === 'count' || types.get(id) === 'amount' ? Number(v) : String(v);
    });
    return { ok: true, data: Buffer.from(await wb.xlsx.writeBuffer()) };
  }
}
