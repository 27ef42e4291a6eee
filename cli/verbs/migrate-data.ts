import path from 'node:path';
import type { Command } from 'commander';

/**
 * `campaign migrate-data [--ledger-dir <dir>] [--json]`: imports, once, what an earlier version kept
 * as files in the data folder (blobs/, mail-ledger/) into the database this environment names, then
 * renames those folders *.imported. The worker, the portal and the other verbs refuse to run beside
 * such folders until then (store/earlier-data.ts says why). Safe to run again.
 */
export function register(program: Command): void {
  program
    .command('migrate-data')
    .description('import the files an earlier version kept in the data folder (blobs/, mail-ledger/) into the database, then rename them *.imported; safe to run again')
    .option('--ledger-dir <dir>', 'the earlier delivery ledger, when MAIL_LEDGER_DIR put it outside the data folder (default: MAIL_LEDGER_DIR when set)')
    .option('--json', 'print the counts as JSON')
    .action(async (opts: { ledgerDir?: string; json?: boolean }) => {
      const { loadEnv, Output } = await import('../context');
      const { ExitCode, UserError } = await import('../errors');
      const { terminalText } = await import('../terminal-text');
      const { findEarlierData, importEarlierData, isEmpty } = await import('../../store/earlier-data');
      const { openDatabase } = await import('../../store/database/open');
      const { DatabaseError } = await import('../../store/database/database');
      const { secureDataDir } = await import('../../store/stores');
      const env = loadEnv();
      const out = new Output(!!opts.json);
      const found = findEarlierData(env, { ledgerDir: opts.ledgerDir ?? (process.env.MAIL_LEDGER_DIR?.trim() || undefined) });
      if (isEmpty(found)) {
        out.result({ imported: false }, () => `nothing to import: no blobs/ or mail-ledger/ folder of an earlier version in ${path.resolve(env.CAMPAIGN_DATA_DIR)}`);
        return;
      }
      secureDataDir(env);
      let db;
      try {
        db = await openDatabase(env);
      } catch (err) {
        if (err instanceof DatabaseError) throw new UserError(err.message, ExitCode.unavailable);
        throw err;
      }
      out.note(`importing into ${db.location}…`);
      let report;
      try {
        report = await importEarlierData(db, found);
      } finally {
        await db.close();
      }
      const { blobs, deliveries } = report;
      out.result({ imported: true, ...report }, () => {
        const lines = [
          `files:              ${blobs.imported} imported, ${blobs.present} already in the database${blobs.unfinished ? `, ${blobs.unfinished} unfinished uploads left out (never stored)` : ''}`,
          `delivery records:   ${deliveries.imported} imported, ${deliveries.present} already in the database`,
        ];
        for (const r of [...(blobs.renamed ? [blobs.renamed] : []), ...deliveries.renamed]) lines.push(`renamed ${terminalText(r.from)} to ${terminalText(r.to)}`);
        const notImported = [...blobs.refused, ...deliveries.skipped];
        if (notImported.length) {
          lines.push(`not imported (${notImported.length}; the files are kept in the renamed folders):`);
          for (const s of notImported.slice(0, 20)) lines.push(`  ${terminalText(s.file)}: ${terminalText(s.reason)}`);
          if (notImported.length > 20) lines.push(`  … and ${notImported.length - 20} more (--json lists them all)`);
        }
        for (const folder of deliveries.runsNotRecovered) {
          lines.push(`run folder ${terminalText(folder)}: its name was cut, the campaign run it stood for cannot be told; its records are kept under that name (a retry in that run sends again, with the same Message-ID)`);
        }
        return lines;
      });
    });
}
