import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';

interface ArchiveOpts {
  out?: string;
  run?: string;
  json?: boolean;
}

/**
 * `campaign archive <id> [--out file.zip] [--run <run>] [--json]`: the archive (归档) of a finished
 * campaign as one ZIP (reports/archive/). From the database alone — no Temporal needed — so it works
 * after retention has removed the histories. A campaign that finished before records were kept has
 * none: then, and only then, its histories are read from Temporal (the record is saved, so the next
 * archive needs Temporal no more), with a note saying so.
 *
 * The ZIP is written next to its destination under a temporary name and renamed when complete: a
 * failure leaves no file that looks like an archive.
 */
export function register(program: Command): void {
  program
    .command('archive')
    .description('one ZIP of a finished campaign for the records (归档): plan, timeline, every submission version and attachment, every message sent, the summaries, the audit history, an index page and a SHA-256 manifest — from the database, so it works after Temporal has removed the histories')
    .argument('<id>', 'campaign id (e.g. demo) or workflow id (campaign/demo)')
    .option('--out <file>', 'where to write the ZIP (default: <campaign id>-archive.zip in the current folder)')
    .option('--run <run>', 'a particular run of the campaign (<workflow id>@<first run id>, as in the delivery ledger); default its latest finished run')
    .option('--json', 'print what was written as JSON')
    .action(async (id: string, opts: ArchiveOpts) => {
      const { loadEnv, openStoresFor, connectTemporal, Output, userErrorOf } = await import('../context');
      const { UserError, ExitCode } = await import('../errors');
      const { terminalText } = await import('../terminal-text');
      const { campaignRecordFor, writeCampaignArchive, CampaignRecordMissingError, CampaignNotFinishedError } = await import('../../reports/archive/index');
      const { BlobNotFoundError } = await import('../../store/blob-store');
      const env = loadEnv();
      const out = new Output(!!opts.json);
      const stores = await openStoresFor(env);
      let connection: { close(): Promise<void> } | undefined;
      const file = path.resolve(opts.out ?? `${id.replace(/^campaign\//, '').replace(/[^\w.\u4e00-\u9fff-]+/g, '_')}-archive.zip`);
      const partial = `${file}.part-${process.pid}`;
      let zipFile: ReturnType<typeof createWriteStream> | undefined;
      try {
        let found;
        try {
          found = await campaignRecordFor(stores, id, { run: opts.run });
        } catch (err) {
          if (!(err instanceof CampaignRecordMissingError) || opts.run) throw err;
          out.note(`campaign: no record of a finished '${terminalText(id)}' in the database (${stores.db.location}): it finished before campaign records were kept, or it has not finished. Reading its histories from Temporal (${env.TEMPORAL_ADDRESS})…`);
          let connected;
          try {
            connected = await connectTemporal(env);
          } catch (cause) {
            throw new UserError(`no record of a finished campaign '${id}' in the database, and Temporal cannot be reached to read its histories (${(cause as Error).message})`, ExitCode.unavailable);
          }
          connection = connected.connection;
          try {
            found = await campaignRecordFor(stores, id, { temporal: connected.client });
          } catch (e) {
            if ((e as Error)?.name === 'WorkflowNotFoundError' || /workflow (execution )?not found/i.test((e as Error)?.message ?? '')) {
              throw new UserError(`no record of a finished campaign '${id}' in the database, and no histories of it on the Temporal server (never run there, or removed by retention): it cannot be archived`);
            }
            throw e;
          }
          out.note(`campaign: recorded now from the histories; later archives of it need Temporal no more.`);
        }
        zipFile = createWriteStream(partial, { flags: 'wx' });
        const result = await writeCampaignArchive(stores, id, zipFile, { run: found.record.run });
        await rename(partial, file);
        const { record } = result;
        out.result({ file, bytes: result.bytes, files: result.files.length, campaignId: record.campaignId, run: record.run, finishedAt: record.finishedAt, recordedNow: found.recordedNow, audit: record.auditRef ? 'kept' : record.auditProblem }, () => [
          `${terminalText(record.title)} (${terminalText(record.campaignId)}): ${terminalText(file)}`,
          `  ${result.files.length} files, ${(result.bytes / 1024).toFixed(1)} KiB; manifest.json and MANIFEST.sha256 give each file's SHA-256 (sha256sum -c MANIFEST.sha256)`,
          ...(record.auditRef ? [] : [`  no audit history in it: ${terminalText(record.auditProblem ?? 'not kept')}`]),
        ]);
      } catch (err) {
        zipFile?.destroy();
        await rm(partial, { force: true }).catch(() => undefined);
        if (err instanceof CampaignRecordMissingError || err instanceof CampaignNotFinishedError) throw new UserError(err.message);
        if (err instanceof BlobNotFoundError) throw new UserError(`${err.message}: the database does not hold every file this campaign's record names (was it copied in part?)`);
        throw userErrorOf(err, env);
      } finally {
        await connection?.close().catch(() => undefined);
        await stores.close().catch(() => undefined);
      }
    });
}
