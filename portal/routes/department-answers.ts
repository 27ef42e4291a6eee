/**
 * What a department is told after pressing "submit", and when its page cannot be drawn.
 *
 * A department that sees "系统繁忙" at 17:58 must know whether it has reported. So every answer
 * says which of these it is: the receipt; the first receipt again (the same submission was already
 * received: nothing new recorded); not sent (the portal was too busy to send it: nothing recorded,
 * submitting again is safe); or not known (Temporal did not answer in time and the submission
 * could not be found either: it may still be recorded — submitting again is safe, because the same
 * submission is only ever recorded once and a repeat is answered with the original receipt).
 */
import type { ServerResponse } from 'node:http';
import type { CompiledDeadline, CompiledOccurrence } from '../../deadlines/timeline';
import type { SubmissionReceipt } from '../../obligations/obligations';
import { formatBytes } from '../../obligations/submission-rules';
import { sendPage } from '../context';
import { formatTime, html, lateness, type Raw } from '../html';
import { SUBMISSION_OUTCOMES, type SubmissionOutcome } from '../states';
import type { DeptView } from './department-view';

/** Seconds a department is asked to wait before trying again when Temporal did not answer. */
export const RETRY_AFTER_SECONDS = 10;

const retryAfter = (seconds: number) => ({ 'retry-after': String(seconds) });

/**
 * The receipt page: `recorded` for a submission recorded now, `already-received` for the first
 * receipt of one received before (a repeat, or found after an unanswered attempt).
 */
export function sendReceipt(
  res: ServerResponse,
  view: DeptView,
  deadline: CompiledDeadline,
  occ: CompiledOccurrence,
  receipt: SubmissionReceipt,
  opts: { attachments?: Array<{ name: string; size: number }>; foundAfterTrouble?: boolean; nothing?: boolean } = {},
): void {
  const outcome: SubmissionOutcome = receipt.duplicate ? 'already-received' : 'recorded';
  const dueIso = view.obligations.find((o) => o.occurrence === occ.key)?.due ?? occ.due;
  const what = html`<strong>${view.dept.name}</strong>的《${deadline.title}》${deadline.occurrences.length > 1 ? `（${occ.key.split('@')[1]}）` : ''}`;
  const says = !receipt.duplicate
    ? html`<p>${what}已报送成功。</p>`
    : opts.foundAfterTrouble
      ? html`<p>报送平台刚才没有及时收到后台服务的答复，但经查询，${what}已经收到，以下是回执。无需再次提交。</p>`
      : html`<p>${what}此前已经收到，以下是原回执。这次提交没有产生新版本；如需更正，请返回报送页面重新填写后提交。</p>`;
  const attachments = opts.attachments;
  sendPage(
    res,
    200,
    SUBMISSION_OUTCOMES[outcome],
    html`<div class="ok receipt" data-outcome="${outcome}">${says}</div>
<dl class="meta">
  <dt>报送单位</dt><dd>${view.dept.name}</dd>
  <dt>事项</dt><dd>${deadline.title}</dd>
  <dt>版本</dt><dd>第${receipt.version}版${receipt.duplicate ? '（原回执）' : ''}</dd>
  ${opts.nothing ? html`<dt>内容</dt><dd class="nothing">零报告（本期无相关数据）</dd>` : ''}
  <dt>收到时间</dt><dd>${formatTime(receipt.receivedAt, view.zone)}</dd>
  <dt>是否按时</dt><dd>${receipt.late ? `迟报（${lateness(dueIso, receipt.receivedAt)}）` : '按时'}</dd>
  ${attachments ? html`<dt>附件</dt><dd>${attachments.length ? attachments.map((a) => html`${a.name}（${formatBytes(a.size)}）<br>`) : '无'}</dd>` : ''}
  <dt>回执编号</dt><dd class="muted">${receipt.submissionId}</dd>
</dl>
<p>回执邮件将发送至贵单位联络人邮箱。</p>
<p><a href="/d/${view.token}">返回报送页面</a></p>`,
    { heading: SUBMISSION_OUTCOMES[outcome] },
  );
}

/** Above the form drawn again: the submission was not sent (the portal too busy); the entries are kept below. */
export function notSentNotice(): Raw {
  return html`<div class="alert trouble" data-outcome="not-sent"><p><strong>${SUBMISSION_OUTCOMES['not-sent']}。</strong>报送平台此刻请求过多，未能及时处理这次提交，因此没有发送，系统中没有保存任何内容，不会产生重复报送。</p>
<p>您填写的内容仍在下方表格中（附件需重新选择），请稍等片刻后再按“提交”。</p></div>`;
}

/** Above the form drawn again: Temporal did not answer and the submission could not be found. */
export function unknownNotice(): Raw {
  return html`<div class="alert trouble" data-outcome="unknown"><p><strong>${SUBMISSION_OUTCOMES.unknown}。</strong>报送平台没有及时收到后台服务的答复，也暂时无法查到这份报送，它可能已经收到，也可能没有。</p>
<p>再按一次“提交”是安全的：同一份报送只会记录一次，如果已经收到，将显示原回执，不会产生新版本。请稍等片刻后再按“提交”（附件需重新选择）；也可以稍后打开报送页面，查看“报送事项”中的状态。</p></div>`;
}

/** A post answered before anything was sent (its page could not be read in time, or the portal was too busy). */
export function sendPostNotSent(res: ServerResponse, token: string, seconds: number): void {
  sendPage(
    res,
    503,
    SUBMISSION_OUTCOMES['not-sent'],
    html`<div class="alert trouble" data-outcome="not-sent"><p>报送平台此刻繁忙，没有及时取得贵单位的报送信息，因此这次提交<strong>没有发送</strong>，系统中没有保存任何内容，不会产生重复报送。</p>
<p>请约${seconds}秒后返回报送页面重新提交。</p></div>
<p><a href="/d/${token}">返回报送页面</a></p>`,
    { headers: retryAfter(seconds) },
  );
}

/** A department's page that could not be drawn in time. */
export function sendPageUnavailable(res: ServerResponse, seconds: number): void {
  sendPage(
    res,
    503,
    '暂时无法显示报送页面',
    html`<div class="alert trouble" data-outcome="page-unavailable"><p>报送平台暂时没有收到后台服务的答复，无法显示贵单位的报送事项和状态。此前已经提交的报送不受影响。</p>
<p>请约${seconds}秒后刷新本页。</p></div>`,
    { headers: retryAfter(seconds) },
  );
}

/** The department's page drawn again with what became of its submission on top (503: try again). */
export function sendPageWithNotice(res: ServerResponse, page: Raw, title: string, seconds: number): void {
  sendPage(res, 503, title, page, { headers: retryAfter(seconds) });
}
