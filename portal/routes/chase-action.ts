/**
 * The chase button (一键催报) of the coordinator's matrix: per deadline occurrence, a form that
 * carries a random chase id (one per page shown, so a double click or a resent POST is the same
 * chase and sends nothing more) and chases the departments ticked in that column, or — none
 * ticked — the whole 未填名单. The rules (who is owed a chase, at most one an hour) are the
 * shard's (obligations/chase-rules.ts); this page only words its answer. Only those who may act
 * see the form (routes/coordinator.ts refuses the POST to everyone else).
 */
import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { ChaseRefusedError } from '../../client/campaign-client';
import { CHASE_ID_PATTERN, describeChaseRefusal } from '../../obligations/chase-rules';
import { sendPage, sendRefusal, type Ctx } from '../context';
import { formatTime, html, type Raw } from '../html';
import type { ParsedBody } from '../uploads/multipart';
import { field } from '../uploads/multipart';
import { displayState, occurrenceLabel } from '../states';
import type { StatusMatrix } from '../../client/campaign-client';
import type { CompiledPlan } from '../../deadlines/timeline';
import type { SignedIn } from './coordinator-login';

/** What of a campaign's page the chase needs (routes/campaign-pages.ts CampaignView has it). */
interface CampaignView { campaignId: string; status: StatusMatrix; plan: CompiledPlan; zone: string; nowMs: number; who: SignedIn; mayAct: boolean }

const enc = encodeURIComponent;

/** The form id of an occurrence's chase form: the cells' tick boxes name it (form="…"). */
const chaseFormId = (occurrenceKey: string) => `chase-${occurrenceKey.replace(/[^A-Za-z0-9_@.-]/g, '_')}`;

/** Whether a matrix cell's state is one a chase is for (opened, not submitted, not excused). */
export const chaseable = (state: string) => state === 'pending' || state === 'overdue';

/**
 * The chase buttons above the matrix, for those who may act: one per occurrence with departments
 * still owing it, counting them; '' for the others and when nobody owes anything.
 */
export function chaseBar(view: CampaignView): Raw | '' {
  if (!view.mayAct || !['running', 'paused', 'scheduled'].includes(view.status.info.state)) return '';
  const owing = new Map<string, number>();
  for (const o of view.status.obligations) if (o.inPlan && chaseable(displayState(view.plan, o, view.nowMs))) owing.set(o.occurrence, (owing.get(o.occurrence) ?? 0) + 1);
  const occurrences = view.plan.deadlines.flatMap((d) => d.occurrences.map((occ) => occ.key)).filter((k) => owing.has(k));
  if (!occurrences.length) return '';
  return html`<div class="chase-bar" id="chase-bar"><span class="muted">一键催报（勾选单位则只催勾选的，否则催全部未报送单位；同一单位一小时内只可催报一次）：</span>${occurrences.map(
    (key) =>
      html`<form method="post" action="/c/${enc(view.campaignId)}/chase" id="${chaseFormId(key)}" class="inline-form" data-occurrence="${key}"><input type="hidden" name="csrf" value="${view.who.csrf}"><input type="hidden" name="occurrence" value="${key}"><input type="hidden" name="chase" value="${randomUUID()}"><button type="submit">催报 ${occurrenceLabel(view.plan, key)}（${owing.get(key)}）</button></form> `,
  )}</div>`;
}

/** The matrix's obligations by `<occurrence>|<department>`, built once per page. */
const byCell = new WeakMap<CampaignView, Map<string, StatusMatrix['obligations'][number]>>();

/**
 * A matrix cell's chase part: how often the department was chased by hand for the occurrence
 * (readers see it too), and — for those who may act, where a chase is for — a tick box joining
 * that occurrence's chase form.
 */
export function chaseTick(view: CampaignView, departmentId: string, occurrenceKey: string, state: string): Raw | '' {
  let cells = byCell.get(view);
  if (!cells) byCell.set(view, (cells = new Map(view.status.obligations.map((o) => [`${o.occurrence}|${o.department}`, o]))));
  const chased = cells.get(`${occurrenceKey}|${departmentId}`)?.chases?.length ?? 0;
  return html`${chased ? html`<br><span class="muted chased">已催报${chased}次</span>` : ''}${
    view.mayAct && chaseable(state) ? html`<br><label class="muted"><input type="checkbox" form="${chaseFormId(occurrenceKey)}" name="department" value="${departmentId}"> 催报</label>` : ''
  }`;
}

/** POST /c/<id>/chase: the chase sent (or the same chase again, or refused), in words. */
export async function handleChase(ctx: Ctx, res: ServerResponse, view: CampaignView, body: ParsedBody): Promise<void> {
  const occurrence = field(body, 'occurrence');
  const chaseId = field(body, 'chase');
  const departments = (body.fields.get('department') ?? []).filter(Boolean);
  const back = html`<p><a href="/c/${enc(view.campaignId)}">返回报送情况</a></p>`;
  const names = new Map(view.plan.departments.map((d) => [d.id, d.name]));
  const name = (d: string) => names.get(d) ?? d;
  if (!CHASE_ID_PATTERN.test(chaseId)) return sendRefusal(res, 400, '未能催报', describeChaseRefusal({ code: 'bad-chase-id' }, 'zh-CN'), back);
  if (departments.some((d) => !names.has(d))) return sendRefusal(res, 404, '单位不存在', '活动中没有这个单位。', back);
  try {
    const o = await ctx.deps.campaigns.chase(view.campaignId, { chaseId, occurrence, ...(departments.length ? { departments } : {}) }, view.who.by);
    const soon = o.skipped.filter((s) => s.reason === 'too-soon');
    sendPage(
      res,
      200,
      o.duplicate ? '此次催报已发送过' : '催报已发送',
      html`<div class="notice" id="chase-result"><p>${
        o.duplicate ? `这次催报已于${formatTime(o.at, view.zone)}发送过，未再次发送。` : `已向${o.chased.length}个单位发送“${occurrenceLabel(view.plan, o.occurrence)}”的催报邮件：${o.chased.map(name).join('、')}。`
      }</p>${soon.length ? html`<p>一小时内已催报过，本次未发送：${soon.map((s) => `${name(s.department)}（${formatTime(s.nextAt, view.zone)}后可再催报）`).join('、')}。</p>` : ''}</div>${back}`,
      { nav: view.who.nav },
    );
  } catch (err) {
    if (err instanceof ChaseRefusedError) {
      const status = err.chaseRefusal.code === 'too-soon' ? 429 : 409;
      return sendRefusal(res, status, '未能催报', describeChaseRefusal(err.chaseRefusal, 'zh-CN', (iso) => formatTime(iso, view.zone), name), back);
    }
    throw err;
  }
}
