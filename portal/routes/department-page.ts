/**
 * A department's page as it is drawn: its obligations with their states, and a form for each
 * occurrence it can submit for now (the web form, and the Excel template to download and upload).
 *
 * Each form carries an idempotency key, drawn when the page is drawn (portal/routes/submission-ids.ts:
 * the submission posted from it is recorded once under an id made from that key). A page drawn
 * again with the department's entries (a refusal, a submission not sent or whose fate is unknown)
 * gives both forms of that occurrence the key it was posted with. Where the deadline has a
 * statistics table, a separate small form submits a 零报告 (nothing to report this period), with a
 * tick that confirms it; a 零报告 is marked as such in the table and on the card.
 */
import type { CompiledDeadline, CompiledOccurrence, CompiledPlan } from '../../deadlines/timeline';
import { flattenColumns, numberNotationRule, type FormValues } from '../../obligations/form-data';
import { ATTACHMENT_EXTENSIONS, formatBytes } from '../../obligations/submission-rules';
import type { ObligationView } from '../../workflows/department-shard.messages';
import type { Ctx } from '../context';
import { campaignTime, formatTime, html, lateness, raw, type Raw } from '../html';
import { departmentCsrf } from '../security';
import { displayState, isChannel, STATE_LABELS } from '../states';
import type { DeptView } from './department-view';
import { newKey } from './submission-ids';

type FieldNote = { field: string; message: string };

export interface FormState {
  values: Record<string, string>;
  report: string;
  errors: FieldNote[];
  warnings: FieldNote[];
  confirmed: string[];
  messages: string[];
  /** The idempotency keys the forms were posted with (new ones are drawn when absent). */
  keys?: { submit?: string; upload?: string; nothing?: string };
}

export const emptyState = (): FormState => ({ values: {}, report: '', errors: [], warnings: [], confirmed: [], messages: [] });

export function deadlineOf(plan: CompiledPlan, id: string): CompiledDeadline | undefined {
  return plan.deadlines.find((d) => d.id === id);
}

/** Occurrences the department can submit for now: open, not excused; late ones while still owed. */
export function submittable(view: DeptView): Array<{ deadline: CompiledDeadline; occ: CompiledOccurrence; ob: ObligationView }> {
  const out = [];
  if (view.nowMs > Date.parse(view.plan.campaign.periodEnd) || view.info.state === 'cancelled' || view.info.state === 'completed') return [];
  for (const ob of view.obligations) {
    const deadline = deadlineOf(view.plan, ob.deadline);
    const occ = deadline?.occurrences.find((o) => o.key === ob.occurrence);
    if (!deadline || !occ || ob.status === 'excused') continue;
    if (Date.parse(occ.opens) > view.nowMs) continue;
    const pastDue = Date.parse(ob.due) < view.nowMs;
    if (pastDue && ob.status !== 'pending') continue;
    out.push({ deadline, occ, ob });
  }
  return out.sort((a, b) => Date.parse(a.ob.due) - Date.parse(b.ob.due));
}

// --- rendering ---------------------------------------------------------------------------------

/** The element id of an occurrence's form card (the table's 填报 links point at it). */
const cardId = (occurrenceKey: string) => `occ-${occurrenceKey.replace(/[^A-Za-z0-9_-]/g, '-')}`;

/**
 * The page; `notice` (what became of a submission) goes first. The obligations are a table on a
 * wide screen and, below 600 px (a phone opening the link from its email), one card per row: each
 * cell says what it is (data-label), dates never break inside.
 */
export function renderPage(ctx: Ctx, view: DeptView, states: Map<string, FormState>, notice?: Raw): Raw {
  const { plan, zone } = view;
  const rows = [...view.obligations].sort((a, b) => Date.parse(a.due) - Date.parse(b.due) || a.deadline.localeCompare(b.deadline));
  const open = submittable(view);
  const fillable = new Set(open.map((x) => x.occ.key));
  const ended = view.info.state === 'completed' || view.info.state === 'cancelled';
  return html`${notice ?? ''}
<dl class="meta">
  <dt>报送单位</dt><dd id="department-name">${view.dept.name}</dd>
  <dt>活动</dt><dd>${plan.campaign.title}</dd>
  <dt>${ended ? '活动状态' : '当前时间'}</dt><dd id="campaign-time">${campaignTime(view.info, zone)}</dd>
</dl>
<div class="notice">本页面链接为贵单位专用，请勿转发。</div>
<h2>报送事项</h2>
<table id="obligations" class="cards-on-phone">
<thead><tr><th>事项</th><th>截止时间</th><th>状态</th><th>报送时间</th><th>版本</th><th>操作</th></tr></thead>
<tbody>
${rows.map((o) => {
  const d = deadlineOf(plan, o.deadline);
  const st = displayState(plan, o, view.nowMs);
  const first = o.versions[0];
  const latest = o.versions.at(-1);
  return html`<tr data-occurrence="${o.occurrence}" data-state="${st}"><td data-label="事项" class="title">${d?.title ?? o.deadline}${d && d.occurrences.length > 1 ? html` <span class="muted">${o.occurrence.split('@')[1]}</span>` : ''}</td>
<td data-label="截止时间">${
    st === 'channel' || isChannel(plan, o)
      ? html`<span class="muted">报送期内随时，至</span><span class="when due">${formatTime(o.due, zone)}</span>`
      : html`<span class="when due">${formatTime(o.due, zone)}</span>${o.extendedTo ? html` <span class="muted">（已延期）</span>` : ''}`
  }</td>
<td data-label="状态"><span class="state st-${st}">${STATE_LABELS[st]}</span>${o.excused ? html` <span class="muted">${o.excused.reason}</span>` : ''}</td>
<td data-label="报送时间">${first ? html`<span class="when">${formatTime(first.receivedAt, zone)}</span>` : html`<span class="muted">—</span>`}${first?.late ? html` <span class="muted">迟报${lateness(o.due, first.receivedAt)}</span>` : ''}</td>
<td data-label="版本">${latest ? html`第${latest.version}版${latest.nothing ? html` <span class="state st-nothing">零报告</span>` : ''}` : html`<span class="muted">—</span>`}</td>
<td data-label="操作">${fillable.has(o.occurrence) ? html`<a class="button" href="#${cardId(o.occurrence)}">${latest ? '更正' : '填报'}</a>` : html`<span class="muted">—</span>`}</td></tr>`;
})}
</tbody>
</table>
${open.length === 0 ? html`<p class="muted">${ended ? '活动已结束，不再接受报送。' : '目前没有需要报送的事项。'}</p>` : ''}
${open.map(({ deadline, occ, ob }) => renderForm(ctx, view, deadline, occ, ob, states.get(occ.key) ?? emptyState()))}
`;
}

function renderForm(ctx: Ctx, view: DeptView, deadline: CompiledDeadline, occ: CompiledOccurrence, ob: ObligationView, state: FormState): Raw {
  const form = deadline.submit.form ? view.plan.forms.find((f) => f.id === deadline.submit.form) : undefined;
  const csrf = departmentCsrf(ctx.config.secret, view.token);
  const base = `/d/${view.token}`;
  const errorsOf = (id: string) => state.errors.filter((e) => e.field === id);
  const warningOf = (id: string) => state.warnings.find((w) => w.field === id);
  const known = new Set(form ? flattenColumns(form.columns).map((c) => c.column.id) : []);
  const general = [...state.messages, ...state.errors.filter((e) => !known.has(e.field)).map((e) => e.message)];
  const latest = ob.versions.at(-1);
  const pastDue = Date.parse(ob.due) < view.nowMs;
  return html`
<section class="card" id="${cardId(occ.key)}" data-occurrence="${occ.key}">
<h2>${deadline.title}${deadline.occurrences.length > 1 ? `（${occ.key.split('@')[1]}）` : ''}</h2>
${deadline.kind === 'open'
  ? html`<p><span class="state st-channel">随时可报送</span> 报送期内随时，至 <strong class="when">${formatTime(ob.due, view.zone)}</strong></p>`
  : html`<p>截止时间：<strong class="when">${formatTime(ob.due, view.zone)}</strong>${pastDue ? html` <span class="state st-overdue">已逾期，仍可补报（记为迟报）</span>` : ''}</p>`}
${deadline.quote ? html`<p class="muted">通知原文：${deadline.quote}</p>` : ''}
${deadline.description ? html`<p>${deadline.description}</p>` : ''}
${latest ? html`<p class="ok">已于 ${formatTime(latest.receivedAt, view.zone)} 报送第${latest.version}版${latest.nothing ? '（零报告）' : ''}；如需更正，可重新提交（保留全部版本）。</p>` : ''}
${general.length ? html`<div class="alert form-errors">${general.map((m) => html`<p>${m}</p>`)}</div>` : ''}
<form method="post" action="${base}/submit" enctype="multipart/form-data">
<input type="hidden" name="csrf" value="${csrf}">
<input type="hidden" name="deadline" value="${deadline.id}">
<input type="hidden" name="occurrence" value="${occ.key}">
<input type="hidden" name="key" value="${state.keys?.submit ?? newKey()}">
${form ? html`<h3>${form.title}</h3>` : ''}
${form
  ? flattenColumns(form.columns).map(({ column, parent }) => {
      const name = `v.${column.id}`;
      const errs = errorsOf(column.id);
      const warn = warningOf(column.id);
      const id = `f-${occ.key}-${column.id}`.replace(/[^A-Za-z0-9_-]/g, '-');
      const value = state.values[column.id] ?? (latest?.values?.[column.id] !== undefined && latest.values[column.id] !== null ? displayValue(latest.values[column.id]!) : '');
      const label = `${parent ? `其中：${column.label}` : column.label}${column.unit ? `（${column.unit}）` : ''}`;
      const input =
        column.type === 'names'
          ? html`<textarea id="${id}" name="${name}" data-field="${column.id}">${value}</textarea>`
          : html`<input id="${id}" type="text" name="${name}" data-field="${column.id}" value="${value}"${column.type === 'count' || column.type === 'amount' ? raw(' inputmode="decimal"') : ''}>`;
      return html`<div class="field${parent ? ' sub' : ''}${errs.length ? ' has-error' : ''}" data-field="${column.id}">
<label for="${id}">${label}${column.cumulative ? html` <span class="muted">（累计数）</span>` : ''}</label>
${input}
${column.type === 'count' || column.type === 'amount' ? html`<div class="muted hint" data-rule-for="${column.id}">${numberNotationRule(view.plan.campaign.language, column.type)}</div>` : ''}
${errs.map((e) => html`<div class="error" data-error-for="${column.id}">${e.message}</div>`)}
${warn ? html`<div class="warning" data-warning-for="${column.id}">${warn.message}<br><label><input type="checkbox" name="confirm" value="${column.id}"> 确认无误</label></div>` : ''}
${!warn && state.confirmed.includes(column.id) ? html`<input type="hidden" name="confirm" value="${column.id}">` : ''}
</div>`;
    })
  : ''}
<div class="field"><label for="report-${occ.key}">${deadline.submit.report ? '报送内容' : '说明（可选）'}</label>
<textarea id="report-${occ.key}" name="report">${state.report}</textarea></div>
${deadline.submit.attachments
  ? html`<div class="field"><label for="att-${occ.key}">附件（可选）</label>
<input id="att-${occ.key}" type="file" name="attachments" multiple accept="${ATTACHMENT_EXTENSIONS.join(',')}">
<div class="muted">接受 ${ATTACHMENT_EXTENSIONS.join(' ')}；每个文件不超过 ${formatBytes(ctx.config.maxUploadBytes)}，最多 ${ctx.config.maxFiles} 个。${state.errors.length || state.warnings.length || state.messages.length ? '如需附件，请重新选择。' : ''}</div></div>`
  : ''}
<button type="submit">提交</button>
</form>
${form
  ? html`<form method="post" action="${base}/submit" enctype="multipart/form-data" class="nothing-form">
<input type="hidden" name="csrf" value="${csrf}">
<input type="hidden" name="deadline" value="${deadline.id}">
<input type="hidden" name="occurrence" value="${occ.key}">
<input type="hidden" name="key" value="${state.keys?.nothing ?? newKey()}">
<input type="hidden" name="nothing" value="1">
<h3>本期无数据？</h3>
<label><input type="checkbox" name="confirm-nothing" value="1" required> 本期无相关数据，提交零报告</label>
<button type="submit" class="secondary">提交零报告</button>
</form>`
  : ''}
${form
  ? html`<h3>或：下载Excel模板，填好后上传</h3>
<p><a href="${base}/template/${deadline.id}.xlsx?occurrence=${encodeURIComponent(occ.key)}" class="template-link">下载《${form.title}》模板（.xlsx）</a></p>
<form method="post" action="${base}/upload" enctype="multipart/form-data" class="upload-form">
<input type="hidden" name="csrf" value="${csrf}">
<input type="hidden" name="deadline" value="${deadline.id}">
<input type="hidden" name="occurrence" value="${occ.key}">
<input type="hidden" name="key" value="${state.keys?.upload ?? newKey()}">
<input type="file" name="xlsx" accept=".xlsx" aria-label="已填好的模板">
<button type="submit">上传模板并提交</button>
</form>`
  : ''}
</section>`;
}

function displayValue(v: FormValues[string]): string {
  return Array.isArray(v) ? v.join('、') : v === null ? '' : String(v);
}
