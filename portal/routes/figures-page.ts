/**
 * GET /c/<id>/figures (统计图): the figures at a glance for whoever may read the campaign — a bar
 * per department for its on-time rate, with the lateness and messages behind it, and for a weekly
 * table a small line chart per cumulative figure (the total thick, each department thin).
 *
 * Drawn on the server as inline SVG with presentation attributes only: the portal's
 * Content-Security-Policy (portal/security.ts) allows no script and no inline style, and the page
 * loads nothing from elsewhere. Each chart has a viewBox and width 100%, so it scales to a phone.
 * The numbers come from reports/figures.ts; the data-* attributes carry them for tests and tools.
 */
import type { ServerResponse } from 'node:http';
import { DateTime } from 'luxon';
import { cumulativeTrends, departmentTimeliness, type CumulativeTrend, type DepartmentTimeliness } from '../../reports/figures';
import { sendPage } from '../context';
import { html, type Raw } from '../html';
import type { CampaignView } from './campaign-pages';

const enc = encodeURIComponent;
const COLOURS = ['#1f77b4', '#2ca02c', '#9467bd', '#e377c2', '#8c564b', '#17becf', '#bcbd22', '#ff7f0e'];
const W = 360;
const percent = (r: number | undefined) => (r === undefined ? '—' : `${Math.round(r * 100)}%`);
const n1 = (v: number) => String(Math.round(v * 10) / 10);
const hours = (h: number) => (h < 1 ? `${Math.round(h * 60)}分钟` : `${n1(h)}小时`);

/** One bar per department: its on-time rate (a grey track behind it); "无到期" while nothing is due. */
function rateBars(rows: DepartmentTimeliness[]): Raw {
  const rowH = 30;
  const labelW = 110;
  const barW = W - labelW - 50;
  const h = rows.length * rowH + 8;
  return html`<svg id="ontime-chart" viewBox="0 0 ${W} ${h}" width="100%" role="img" aria-label="各单位按时报送率" font-size="13">
${rows.map((r, i) => {
  const y = 4 + i * rowH;
  const w = r.onTimeRate === undefined ? 0 : Math.round(barW * r.onTimeRate * 10) / 10;
  return html`<g data-department="${r.department}"><text x="0" y="${y + 19}" fill="#222">${r.name}</text>
<rect x="${labelW}" y="${y + 5}" width="${barW}" height="18" fill="#eee"></rect>
<rect class="bar" x="${labelW}" y="${y + 5}" width="${w}" height="18" fill="${r.onTimeRate === undefined ? '#eee' : r.onTimeRate >= 0.8 ? '#2e7d32' : r.onTimeRate >= 0.5 ? '#e0a800' : '#b0302a'}" data-department="${r.department}" data-rate="${r.onTimeRate === undefined ? '' : r.onTimeRate.toFixed(3)}"></rect>
<text x="${labelW + barW + 6}" y="${y + 19}" fill="#222">${r.dueSoFar ? percent(r.onTimeRate) : '无到期'}</text></g>`;
})}</svg>`;
}

function timelinessTable(rows: DepartmentTimeliness[]): Raw {
  const late = (r: DepartmentTimeliness) => (r.meanLateHours === undefined ? '—' : `平均${hours(r.meanLateHours)}，最多${hours(r.maxLateHours!)}（${r.maxLateWorkingDays ? `${r.maxLateWorkingDays}个工作日` : '当天'}）`);
  return html`<table id="timeliness" class="cards-on-phone"><thead><tr><th>单位</th><th>按时率</th><th>按时</th><th>迟报</th><th>未报</th><th>免报</th><th>迟报时长</th><th>提醒</th><th>督办</th><th>催报</th></tr></thead><tbody>
${rows.map(
  (r) => html`<tr data-department="${r.department}"><td class="title">${r.name}</td><td data-label="按时率">${percent(r.onTimeRate)}（${r.onTime}/${r.dueSoFar}）</td><td data-label="按时">${r.onTime}</td><td data-label="迟报">${r.late}</td><td data-label="未报">${r.missing}</td><td data-label="免报">${r.excused}</td><td data-label="迟报时长">${late(r)}</td><td data-label="提醒">${r.reminders}</td><td data-label="督办">${r.escalations}</td><td data-label="催报">${r.chases}</td></tr>`,
)}</tbody></table>`;
}

/** A figure over the occurrences: the total thick in red, each department thin in its colour, a legend beneath. */
function trendChart(t: CumulativeTrend, zone: string, index: number): Raw {
  const left = 44;
  const right = W - 12;
  const top = 12;
  const bottom = 150;
  const all = [...t.total, ...t.departments.flatMap((d) => d.values)].filter((v): v is number => v !== undefined);
  const max = Math.max(1, ...all);
  const n = t.occurrences.length;
  const x = (i: number) => Math.round((left + (n > 1 ? ((right - left) * i) / (n - 1) : 0)) * 10) / 10;
  const y = (v: number) => Math.round((bottom - ((bottom - top) * v) / max) * 10) / 10;
  // A gap where nobody reported: the line is broken there rather than drawn through zero.
  const segments = (values: Array<number | undefined>) => {
    const out: string[][] = [[]];
    values.forEach((v, i) => (v === undefined ? out.push([]) : out.at(-1)!.push(`${x(i)},${y(v)}`)));
    return out.filter((s) => s.length);
  };
  const line = (values: Array<number | undefined>, colour: string, width: number, department?: string) =>
    html`<g class="series" data-series="${department ? 'department' : 'total'}" data-department="${department ?? ''}" data-values="${values.map((v) => (v === undefined ? '' : String(v))).join(',')}" fill="none" stroke="${colour}" stroke-width="${width}">${segments(values).map((s) =>
      s.length > 1 ? html`<polyline points="${s.join(' ')}"></polyline>` : html`<circle cx="${s[0]!.split(',')[0]}" cy="${s[0]!.split(',')[1]}" r="${width + 1}" fill="${colour}"></circle>`,
    )}</g>`;
  const latest = (values: Array<number | undefined>) => values.filter((v) => v !== undefined).at(-1) ?? '—';
  const legend = [{ name: `合计 ${latest(t.total)}`, colour: '#b0302a' }, ...t.departments.map((d, i) => ({ name: `${d.name} ${latest(d.values)}`, colour: COLOURS[i % COLOURS.length]! }))];
  const perRow = 2;
  const legendTop = bottom + 36;
  const h = legendTop + Math.ceil(legend.length / perRow) * 20;
  return html`<div class="trend"><h3>${t.label}${t.unit ? `（${t.unit}）` : ''}</h3>
<svg id="trend-${index}" class="trend-chart" data-column="${t.column}" data-deadline="${t.deadline}" viewBox="0 0 ${W} ${h}" width="100%" role="img" aria-label="${t.label}的走势" font-size="12">
<line x1="${left}" y1="${bottom}" x2="${right}" y2="${bottom}" stroke="#999"></line><line x1="${left}" y1="${top}" x2="${left}" y2="${bottom}" stroke="#999"></line>
<text x="${left - 4}" y="${bottom + 4}" text-anchor="end" fill="#666">0</text><text x="${left - 4}" y="${top + 4}" text-anchor="end" fill="#666">${n1(max)}</text>
${t.occurrences.map((o, i) => html`<text x="${x(i)}" y="${bottom + 18}" text-anchor="${n > 1 && i === n - 1 ? 'end' : n > 1 && i === 0 ? 'start' : 'middle'}" fill="#666">${DateTime.fromISO(o.due, { zone }).toFormat('M月d日')}</text>`)}
${t.departments.map((d, i) => line(d.values, COLOURS[i % COLOURS.length]!, 1.5, d.department))}
${line(t.total, '#b0302a', 3.5)}
${legend.map((l, i) => {
  const lx = (i % perRow) * (W / perRow);
  const ly = legendTop + Math.floor(i / perRow) * 20;
  return html`<rect x="${lx}" y="${ly - 9}" width="14" height="${i === 0 ? 5 : 3}" fill="${l.colour}"></rect><text x="${lx + 20}" y="${ly}" fill="#222">${l.name}</text>`;
})}
</svg></div>`;
}

export function sendFigures(res: ServerResponse, view: CampaignView): void {
  const { plan, status, zone } = view;
  const rows = departmentTimeliness(plan, status.obligations, view.nowMs);
  const trends = cumulativeTrends(plan, status.obligations);
  const byDeadline = [...new Set(trends.map((t) => t.deadline))];
  sendPage(
    res,
    200,
    `${plan.campaign.title} · 统计图`,
    html`<p><a href="/c/${enc(view.campaignId)}">← 返回报送情况</a></p>
<h2>按时报送率</h2>
<p class="muted">按时报送 ÷ 已到截止时间的报送任务（免报不计）；截至 ${DateTime.fromMillis(view.nowMs, { zone }).toFormat('yyyy年M月d日 HH:mm')}。迟报时长按首次报送计，工作日按活动所在地日历。</p>
${rateBars(rows)}
<div class="table-scroll">${timelinessTable(rows)}</div>
${byDeadline.length
  ? byDeadline.map((id) => {
      const mine = trends.filter((t) => t.deadline === id);
      return html`<h2>${mine[0]!.title}：累计数走势</h2><p class="muted">粗线为各单位合计（只计已报送的单位），细线为各单位。</p>${mine.map((t) => trendChart(t, zone, trends.indexOf(t)))}`;
    })
  : html`<p class="muted">本活动没有按周报送的累计数。</p>`}`,
    { nav: view.who.nav },
  );
}
