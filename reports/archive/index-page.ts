/**
 * The archive's front page, `index.html`: what an office keeps in its 归档 and opens years later
 * without any server — the campaign's title, period, office and departments, then per deadline and
 * occurrence every department's outcome with links to the files of each version it submitted
 * (relative links into the unpacked archive), how many messages were sent, and where the plan,
 * the timeline, the summaries, the delivery record and the audit history are.
 *
 * One self-contained page: no script, no style sheet or font fetched from anywhere. Every text that
 * comes from the plan or a department is escaped. Pure: the same data gives the same page.
 */
import { DateTime } from 'luxon';
import type { CompiledPlan } from '../../deadlines/timeline';
import { campaignTime } from '../audit-history';
import type { ArchiveData, ObligationFiles } from './contents';
import { messageCounts } from './deliveries';

/** The archive's files the page links to, beyond the submissions. */
export interface ArchiveLinks {
  plan: string;
  planVersions: string[];
  notice?: string;
  timeline: string[];
  obligations: string;
  decisions: string;
  deliveries: string[];
  summaries: string[];
  audit: string[];
  manifest: string[];
}

function esc(s: unknown): string {
  return String(s ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A relative link to a file in the archive (each path segment percent-encoded). */
function href(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}

function link(path: string, text = path): string {
  return `<a href="${esc(href(path))}">${esc(text)}</a>`;
}

function day(iso: string, zone: string): string {
  return DateTime.fromISO(iso, { setZone: true }).setZone(zone).toFormat('yyyy年M月d日');
}

const STATUS: Record<string, string> = { submitted: '按时报送', late: '逾期报送', pending: '未报送', excused: '免报' };

const STYLE = `body{font-family:"PingFang SC","Microsoft YaHei","Noto Sans CJK SC",sans-serif;margin:2em auto;max-width:1100px;padding:0 1em;color:#222;line-height:1.5}
table{border-collapse:collapse;margin:.5em 0 1.5em;width:100%}th,td{border:1px solid #bbb;padding:.3em .5em;text-align:left;vertical-align:top}
th{background:#f0f0f0}.late{color:#a40}.pending{color:#b00}.excused{color:#666}.note{color:#555;font-size:.9em}h2{border-bottom:2px solid #444;margin-top:2em}
@media print{a{color:inherit;text-decoration:none}}`;

export function indexPage(data: ArchiveData, submissions: readonly ObligationFiles[], links: ArchiveLinks): string {
  const { plan, record } = data;
  const zone = plan.campaign.timezone;
  const names = new Map(plan.departments.map((d) => [d.id, d.name]));
  const counts = messageCounts(data.deliveries);
  const perObligation = new Map<string, Set<string>>();
  for (const r of data.deliveries) {
    if (!perObligation.has(r.key)) perObligation.set(r.key, new Set());
    perObligation.get(r.key)!.add(r.messageId);
  }
  const byKey = new Map(submissions.map((s) => [`${s.obligation.occurrence}|${s.obligation.department}`, s]));
  const out: string[] = [];
  const p = (s: string) => out.push(s);

  p(`<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n<title>${esc(plan.campaign.title)} · 归档</title>\n<style>${STYLE}</style>\n</head>\n<body>`);
  p(`<h1>${esc(plan.campaign.title)}</h1>`);
  p('<table>');
  p(`<tr><th>活动编号</th><td>${esc(plan.campaign.id)}</td></tr>`);
  p(`<tr><th>活动期间</th><td>${esc(day(plan.campaign.periodStart, zone))} 至 ${esc(day(plan.campaign.periodEnd, zone))}（${esc(zone)}）</td></tr>`);
  p(`<tr><th>牵头单位</th><td>${esc(plan.campaign.office.name)}（${esc(plan.campaign.office.contacts.map((c) => c.email).join('、'))}）</td></tr>`);
  p(`<tr><th>最终汇总</th><td>${esc(campaignTime(record.finishedAt, zone))}</td></tr>`);
  p(`<tr><th>发送邮件</th><td>${counts.messages} 封，收件人次 ${counts.recipients}（已发送 ${counts.sent}，发送失败 ${counts.failed}${counts.unfinished ? `，未完成 ${counts.unfinished}` : ''}）：${link(links.deliveries[0]!)}</td></tr>`);
  p(`<tr><th>运行编号</th><td>${esc(record.run)}</td></tr>`);
  p('</table>');

  p(`<h2>参与单位（${plan.departments.length} 个）</h2>`);
  p('<table><tr><th>编号</th><th>单位</th><th>联络人</th><th>分管领导</th></tr>');
  for (const d of plan.departments) {
    const who = (cs: CompiledPlan['departments'][number]['contacts']) => esc(cs.map((c) => (c.name ? `${c.name} ${c.email}` : c.email)).join('、'));
    p(`<tr><td>${esc(d.id)}</td><td>${esc(d.name)}</td><td>${who(d.contacts)}</td><td>${who(d.leaders)}</td></tr>`);
  }
  p('</table>');

  p('<h2>报送情况</h2>');
  for (const d of plan.deadlines) {
    p(`<h3>${esc(d.title)}</h3>`);
    if (d.quote) p(`<p class="note">通知原文：${esc(d.quote)}</p>`);
    for (const occ of d.occurrences) {
      p(`<p><b>${d.kind === 'open' ? '随时报送，活动结束前' : '截止'}：${esc(campaignTime(occ.due, zone))}</b>（${esc(occ.key)}）</p>`);
      p('<table><tr><th>单位</th><th>状态</th><th>报送的版本与文件</th><th>相关邮件（封）</th></tr>');
      for (const dept of d.departments) {
        const files = byKey.get(`${occ.key}|${dept}`);
        const o = files?.obligation;
        const status = o?.status ?? 'pending';
        let state = STATUS[status] ?? status;
        if (o?.excused) state += `：${o.excused.reason}`;
        if (o?.extendedTo) state += `（延期至 ${campaignTime(o.extendedTo, zone)}）`;
        const versions = (files?.versions ?? []).map((v) => {
          const parts = [link(v.record, `第${v.version.version}版 ${campaignTime(v.version.receivedAt, zone)}${v.version.late ? '（逾期）' : ''}`)];
          if (v.report) parts.push(link(v.report, '报送内容'));
          for (const a of v.attachments) parts.push(link(a.path, a.path.slice(a.path.lastIndexOf('/') + 1)));
          return parts.join(' · ');
        });
        const messages = perObligation.get(`${occ.key}/${dept}`)?.size ?? 0;
        p(`<tr><td>${esc(names.get(dept) ?? dept)}</td><td class="${esc(status)}">${esc(state)}</td><td>${versions.join('<br>') || '—'}</td><td>${messages}</td></tr>`);
      }
      p('</table>');
    }
  }
  const removed = submissions.filter((s) => !s.obligation.inPlan && s.versions.length);
  if (removed.length) {
    p('<h3>从计划中移除的报送（修改计划前已收到）</h3><ul>');
    for (const s of removed) for (const v of s.versions) p(`<li>${esc(names.get(s.obligation.department) ?? s.obligation.department)} · ${esc(s.obligation.occurrence)} · ${link(v.record, `第${v.version.version}版`)}</li>`);
    p('</ul>');
  }

  p('<h2>审核意见</h2>');
  p(`<p>本系统尚无审核（退回、通过）功能，未记录审核意见：${link(links.decisions)}</p>`);

  p('<h2>文件</h2><ul>');
  p(`<li>计划（编译后）：${link(links.plan)}${links.planVersions.length ? `；历次修改：${links.planVersions.map((f) => link(f)).join('、')}` : ''}</li>`);
  if (links.notice) p(`<li>通知原文摘录：${link(links.notice)}</li>`);
  p(`<li>时间表：${links.timeline.map((f) => link(f)).join('、')}</li>`);
  p(`<li>各项报送的最终状态：${link(links.obligations)}</li>`);
  p(`<li>汇总表：${links.summaries.map((f) => link(f)).join('、')}</li>`);
  p(`<li>邮件发送记录（每个收件人一行）：${links.deliveries.map((f) => link(f)).join('、')}</li>`);
  if (links.audit.length) {
    const a = data.audit!;
    const when = a.complete ? `至活动结束（${campaignTime(a.capturedAt, zone)}）` : `取自最终汇总发出时（${campaignTime(a.capturedAt, zone)}），其后活动结束一条不在其中`;
    p(`<li>审计记录（${a.entries.length} 条，${esc(when)}）：${links.audit.map((f) => link(f)).join('、')}</li>`);
  } else p(`<li>审计记录：未能保存${record.auditProblem ? `（${esc(record.auditProblem)}）` : ''}</li>`);
  p(`<li>文件清单及 SHA-256：${links.manifest.map((f) => link(f)).join('、')}</li>`);
  p('</ul>');
  p(`<p class="note">本归档根据数据库中的活动记录生成（${record.source === 'final-summary' ? '最终汇总发出时记录' : '由 Temporal 历史补记'}），不依赖 Temporal 的历史保留期。时间均为活动所在时区（${esc(zone)}）。</p>`);
  p('</body>\n</html>\n');
  return out.join('\n');
}
