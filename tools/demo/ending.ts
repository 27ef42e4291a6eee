/**
 * The end of a demo: copies the final summary (XLSX, JSON, CSV) beside the demo's log as
 * <campaign>-summary.*, prints the engine's totals, the messages the inbox received and where
 * everything is, then stops — or, with --keep (the default on a terminal), keeps serving the inbox,
 * portal and Web UI until Ctrl-C.
 */
import { createWriteStream } from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { anyTimeDeadlines } from '../../deadlines/timeline';
import type { CampaignResult } from '../../workflows/campaign.messages';
import { wallDuration } from './display';
import type { EventBoard } from './events';
import { rel } from './options';
import type { DemoRun } from './play';
import { say, session, shutdown } from './session';

/** `board` is absent when the campaign had finished before this demo started (nothing was played). */
export async function finish(run: DemoRun, result: CampaignResult, board: EventBoard | undefined): Promise<void> {
  const { stack, plan, runStartMs, urlLines, opts, workflowId } = run;
  session.resumeHint = undefined;
  const { blobs } = stack.stores!;
  const id = plan.campaign.id;
  const demoDir = path.join(opts.dataDir, 'demo');
  const copy = async (ref: string | undefined, ext: string): Promise<{ file: string; blob: string } | undefined> => {
    if (!ref) return undefined;
    const file = path.join(demoDir, `${id}-summary.${ext}`);
    await pipeline(blobs.open(ref), createWriteStream(file));
    return { file, blob: ref };
  };
  const xlsx = await copy(result.summary.xlsx, 'xlsx');
  const json = await copy(result.summary.json, 'json');
  await copy(result.summary.csv, 'csv');

  // "Any time" channels (随时报送) are not obligations: the engine leaves them out of the totals.
  let openReports = 0;
  try {
    const status = await stack.campaigns!.status(workflowId);
    const anyTime = anyTimeDeadlines(plan);
    openReports = status.obligations.filter((o) => o.inPlan && anyTime.has(o.deadline) && o.versions.length > 0).length;
  } catch {
    /* the breakdown is a nicety */
  }
  const t = result.totals;
  say();
  say(`Campaign ${id} completed${board ? ` — ${wallDuration(Date.now() - runStartMs)} after it started` : ''}.`);
  say(`  obligations  ${t.obligations}: ${t.onTime} on time, ${t.late} late, ${t.excused} excused, ${t.missing} missing${openReports ? `; and ${openReports} “any time” report${openReports === 1 ? '' : 's'} (not counted as obligations)` : ''}`);
  if (board) say(`  messages     ${board.messageTotal} in the demo inbox: ${board.countsText(', ')}`);
  if (xlsx) say(`  summary XLSX ${rel(xlsx.file)}   (in the database as ${xlsx.blob})`);
  if (json) say(`  summary JSON ${rel(json.file)}`);
  say(`  also: the coordinator's email with the XLSX attached in the demo inbox; every table at ${stack.urls.portal}/c/${encodeURIComponent(id)}`);
  say();
  for (const l of urlLines) say(l);
  say();
  session.finished = true;
  if (opts.exitAtEnd) {
    await shutdown(0);
  } else {
    say('Everything keeps running so you can look around (inbox, portal, Web UI). Ctrl-C stops it.');
  }
}
