/**
 * Server-rendered HTML for the portal (zh-CN): escaping, the page layout, the style sheet (served
 * from /static/portal.css: the Content-Security-Policy allows no inline style or script), the
 * date formatting in the campaign's time zone, and text others typed shown with its invisible
 * marks visible (revealed).
 */
import { DateTime } from 'luxon';
import { splitInvisibleMarks } from '../obligations/typed-text';

export function esc(value: unknown): string {
  return String(value ?? '').replace(/[&<>"'`]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A template tag that escapes every interpolation except values wrapped with raw(). */
export class Raw {
  constructor(readonly html: string) {}
  toString() {
    return this.html;
  }
}
export const raw = (html: string) => new Raw(html);

export function html(strings: TemplateStringsArray, ...values: unknown[]): Raw {
  let out = strings[0]!;
  values.forEach((v, i) => {
    out += render(v) + strings[i + 1]!;
  });
  return new Raw(out);
}

function render(v: unknown): string {
  if (v instanceof Raw) return v.html;
  if (Array.isArray(v)) return v.map(render).join('');
  if (v === undefined || v === null || v === false) return '';
  return esc(v);
}

/**
 * Text a department or another coordinator typed (a report, a text column, a file name recorded
 * before names were cleaned), escaped, with each bidi control or zero-width character shown as its
 * code in a marked box instead of acting on the text around it: "报告⟦U+202E⟧fdp.exe".
 */
export function revealed(text: unknown): Raw {
  const pieces = splitInvisibleMarks(String(text ?? ''));
  return new Raw(pieces.map((p, i) => (i % 2 ? `<span class="invisible-mark" title="不可见的控制字符">${p}</span>` : esc(p))).join(''));
}

export function layout(title: string, body: Raw, opts: { heading?: string; nav?: Raw } = {}): string {
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${esc(title)}</title>
<link rel="stylesheet" href="/static/portal.css">
</head>
<body>
<header><span class="brand">春风行动 · 报送平台</span>${opts.nav ? opts.nav.html : ''}</header>
<main>
<h1>${esc(opts.heading ?? title)}</h1>
${body.html}
</main>
</body>
</html>
`;
}

export function formatTime(iso: string | undefined, zone: string): string {
  if (!iso) return '';
  const t = DateTime.fromISO(iso, { zone });
  if (!t.isValid) return iso;
  const weekday = ['一', '二', '三', '四', '五', '六', '日'][t.weekday - 1];
  return `${t.toFormat('yyyy年M月d日')}（星期${weekday}）${t.toFormat('HH:mm')}`;
}

/**
 * What a page says for "now": the campaign's time while it runs; once it is over (completed or
 * cancelled) its end, not a clock that keeps running (a rehearsal's clock runs on for ever).
 */
export function campaignTime(info: { state: string; campaignNow: string; periodEnd: string }, zone: string): string {
  if (info.state === 'completed') return `活动已结束（报送期截至${formatTime(info.periodEnd, zone)}）`;
  if (info.state === 'cancelled') return '活动已取消';
  return formatTime(info.campaignNow, zone);
}

export function shortTime(iso: string | undefined, zone: string): string {
  if (!iso) return '';
  const t = DateTime.fromISO(iso, { zone });
  return t.isValid ? t.toFormat('M月d日 HH:mm') : iso;
}

/** "迟报 3小时20分" from the due instant and the submission instant. */
export function lateness(dueIso: string, atIso: string): string {
  const ms = Date.parse(atIso) - Date.parse(dueIso);
  if (!(ms > 0)) return '';
  const minutes = Math.round(ms / 60_000);
  const d = Math.floor(minutes / 1440);
  const h = Math.floor((minutes % 1440) / 60);
  const m = minutes % 60;
  return `${d ? `${d}天` : ''}${h ? `${h}小时` : ''}${!d && m ? `${m}分` : ''}` || '不足1分钟';
}

export const CSS = `
*{box-sizing:border-box}
body{margin:0;font-family:"Noto Sans CJK SC","Microsoft YaHei","PingFang SC","WenQuanYi Micro Hei",sans-serif;color:#222;background:#f6f6f4;font-size:15px}
header{background:#b0302a;color:#fff;padding:10px 24px;display:flex;gap:24px;align-items:center}
header a{color:#fff}
.brand{font-weight:bold;font-size:17px}
.who{margin-left:auto;font-size:14px}
header .inline-form{margin:0}
header button{background:#fff;color:#b0302a;padding:3px 12px;font-size:14px}
main{max-width:1180px;margin:0 auto;padding:16px 24px 48px}
h1{font-size:22px;margin:8px 0 16px}
h2{font-size:18px;margin:24px 0 8px;border-left:4px solid #b0302a;padding-left:8px}
h3{font-size:16px;margin:16px 0 8px}
table{border-collapse:collapse;background:#fff;margin:8px 0 16px}
th,td{border:1px solid #ccc;padding:6px 10px;text-align:left;vertical-align:top}
th{background:#eee}
td.num{text-align:right}
.state{display:inline-block;padding:1px 8px;border-radius:3px;font-size:13px;white-space:nowrap}
.st-submitted{background:#d8f0d2;color:#1d5e12}
.st-late{background:#ffe2bf;color:#8a4a00}
.st-excused{background:#e4e4e4;color:#555}
.st-pending{background:#fff;color:#333;border:1px solid #bbb}
.st-overdue{background:#f8d0cc;color:#9c1c12}
.st-future{background:#f3f3f3;color:#888}
.st-channel{background:#e6f0fa;color:#1f4e79}
.st-nothing{background:#eef0f7;color:#3a4a78;border:1px dashed #8c96b8}
.nothing-form{margin-top:14px;padding-top:10px;border-top:1px dashed #ccc}
td.st-submitted{background:#e8f7e4}
td.st-late{background:#fff0dc}
td.st-excused{background:#efefef}
td.st-overdue{background:#fbe3e0}
.card{background:#fff;border:1px solid #ddd;border-radius:4px;padding:12px 16px;margin:12px 0}
.field{margin:10px 0}
.field label{display:block;font-weight:bold;margin-bottom:3px}
.field.sub{margin-left:28px}
.field input[type=text],.field input[type=number],.field textarea,.field input[type=password]{width:320px;max-width:100%;padding:5px 6px;border:1px solid #999;border-radius:3px;font-size:15px}
.field textarea{width:560px;height:90px}
.field.has-error input,.field.has-error textarea{border:2px solid #c0392b;background:#fff5f4}
.error{color:#b0201a;font-size:14px;margin-top:3px}
.warning{color:#8a4a00;background:#fff4e0;border:1px solid #f0c070;padding:4px 8px;font-size:14px;margin-top:3px}
.notice{background:#fff4e0;border:1px solid #f0c070;padding:8px 12px;margin:10px 0}
.alert{background:#fdecea;border:1px solid #e0a09a;color:#8d1a12;padding:10px 14px;margin:10px 0}
.ok{background:#e8f7e4;border:1px solid #9ccf90;color:#1d5e12;padding:10px 14px;margin:10px 0}
button,.button{background:#b0302a;color:#fff;border:0;padding:7px 18px;border-radius:3px;font-size:15px;cursor:pointer;text-decoration:none;display:inline-block}
.muted{color:#777;font-size:13px}
.invisible-mark{font-family:monospace;font-size:12px;color:#8d1a12;border:1px dashed #c0392b;padding:0 2px;margin:0 1px}
.inline-form{display:inline-block;margin:4px 8px 4px 0}
.inline-form input[type=text]{width:200px}
dl.meta{display:grid;grid-template-columns:max-content 1fr;gap:4px 12px}
dl.meta dt{color:#666}
dl.meta dd{margin:0}
.when{white-space:nowrap}
.table-scroll{overflow-x:auto;max-width:100%;margin:8px 0 16px}
.table-scroll table{margin:0}
#matrix th,#matrix td{white-space:nowrap}
#matrix th.group{text-align:center;white-space:normal;min-width:8em}
#matrix .dept{position:sticky;left:0;z-index:1;background:#eee;min-width:7em}
#matrix thead .dept{z-index:2}
td.st-channel{background:#f0f6fc}
@media (max-width:600px){
main{padding:8px 12px 32px}
header{padding:10px 12px;gap:12px;flex-wrap:wrap}
h1{font-size:20px}
table.cards-on-phone,table.cards-on-phone tbody,table.cards-on-phone tr,table.cards-on-phone td{display:block;width:100%}
table.cards-on-phone{background:none;border:0}
table.cards-on-phone thead{display:none}
table.cards-on-phone tr{background:#fff;border:1px solid #ddd;border-radius:4px;margin:0 0 10px;padding:8px 12px}
table.cards-on-phone td{border:0;padding:3px 0;display:flex;gap:10px;align-items:baseline;flex-wrap:wrap}
table.cards-on-phone td::before{content:attr(data-label);color:#666;font-size:13px;flex:0 0 4.5em}
table.cards-on-phone td.title{font-weight:bold;font-size:16px}
table.cards-on-phone td.title::before{content:none}
table.cards-on-phone td .button{padding:9px 22px}
button,.button{min-height:40px}
.field input[type=text],.field textarea{width:100%}
.field.sub{margin-left:14px}
input[type=file]{max-width:100%}
.card{padding:10px 12px}
}
`;
