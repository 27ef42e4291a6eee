/**
 * The coordinator's 归档 button: the finished campaign's archive (reports/archive) as one ZIP,
 * streamed as it is built. Built from the database's record of the campaign, so it works after
 * Temporal's retention removed the histories; a campaign finished before records were kept is
 * recorded now from Temporal (once), as `campaign archive` does. One build at a time per portal:
 * compressing costs CPU the departments' submissions need more.
 */
import type { ServerResponse } from 'node:http';
import { CampaignNotFinishedError, CampaignRecordMissingError, campaignRecordFor, writeCampaignArchive } from '../../reports/archive';
import { contentDisposition, sendRefusal, type Ctx } from '../context';
import { applySecurityHeaders } from '../security';
import type { CampaignView } from './campaign-pages';

let building = false;

export async function sendArchive(ctx: Ctx, res: ServerResponse, view: CampaignView): Promise<void> {
  const stores = ctx.deps.records;
  if (!stores) return sendRefusal(res, 503, '无法归档', '此报送平台没有打开活动数据库，无法生成归档。');
  if (building) return sendRefusal(res, 503, '正在生成归档', '另一个归档正在生成，请稍后再试。');
  building = true;
  try {
    let run: string;
    try {
      ({ record: { run } } = await campaignRecordFor(stores, view.campaignId, { temporal: ctx.deps.campaigns.temporal }));
    } catch (err) {
      if (err instanceof CampaignNotFinishedError || err instanceof CampaignRecordMissingError) {
        return sendRefusal(res, 409, '活动尚未结束', '活动结束、汇总完成后才能归档。');
      }
      throw err;
    }
    applySecurityHeaders(res);
    res.statusCode = 200;
    res.setHeader('content-type', 'application/zip');
    res.setHeader('content-disposition', contentDisposition(`${view.campaignId}-归档.zip`, `${view.campaignId}-archive.zip`));
    res.setHeader('cache-control', 'no-store');
    await writeCampaignArchive(stores, view.campaignId, res, { run });
  } finally {
    building = false;
  }
}
