/**
 * `campaign chase <id> --occurrence K [--department D…]`: a chase by hand (催报) — an immediate
 * email to each department still owing the occurrence (the chosen ones, or the whole 未填名单),
 * recorded with who chased. Exactly once per chase id (--chase-id, for a script that retries;
 * a fresh one otherwise), and at most once an hour per department (obligations/chase-rules.ts).
 */
import { randomUUID } from 'node:crypto';
import type { Command } from 'commander';
import { UserError } from '../errors';
import { terminalValues } from '../terminal-text';

interface ChaseOpts {
  occurrence: string;
  department?: string[];
  chaseId?: string;
  json?: boolean;
}

export function register(program: Command): void {
  program
    .command('chase')
    .description('chase by hand (催报): email now every department still owing an occurrence (or the ones named); at most once an hour per department')
    .argument('<id>', 'campaign id (e.g. demo) or workflow id (campaign/demo)')
    .requiredOption('--occurrence <key>', 'the occurrence, e.g. weekly-stats@2024-03-13')
    .option('--department <id...>', 'only these departments (default: every department that has not submitted)')
    .option('--chase-id <id>', 'the chase id (8-64 letters, digits, - or _): the same id again sends nothing more (default: a new one)')
    .option('--json', 'print the outcome as JSON')
    .action(async (id: string, opts: ChaseOpts) => {
      const { withCampaigns, runningPlan, zoneOf, languageOf, assertRunning } = await import('../context');
      const { campaignTime } = await import('../../reports/audit-history');
      const { ChaseRefusedError } = await import('../../client/campaign-client');
      const { describeChaseRefusal } = await import('../../obligations/chase-rules');
      await withCampaigns(opts, async (ctx) => {
        const info = await ctx.campaigns.info(id);
        assertRunning(info, 'chases');
        const plan = await runningPlan(ctx, info);
        const zone = zoneOf(info, plan);
        const lang = languageOf(plan);
        const names = new Map(plan?.departments.map((d) => [d.id, d.name]) ?? []);
        const name = (d: string) => terminalValues({ n: names.get(d) ? `${names.get(d)} (${d})` : d }).n;
        let outcome;
        try {
          outcome = await ctx.campaigns.chase(id, { chaseId: opts.chaseId ?? randomUUID(), occurrence: opts.occurrence, ...(opts.department?.length ? { departments: opts.department } : {}) }, ctx.by);
        } catch (err) {
          if (err instanceof ChaseRefusedError) throw new UserError(describeChaseRefusal(err.chaseRefusal, lang, (iso) => campaignTime(iso, zone, lang), name));
          throw err;
        }
        const o = outcome;
        ctx.out.result(o, () => {
          const lines = [o.duplicate ? `chase ${o.chaseId} was already sent at ${campaignTime(o.at, zone, lang)}: nothing sent again` : `chased ${o.chased.length} department(s) for ${terminalValues({ k: o.occurrence }).k}: ${o.chased.map(name).join(', ')}`];
          for (const s of o.skipped) lines.push(`  skipped ${name(s.department)}: ${s.reason === 'too-soon' ? `chased within the hour, next chase possible at ${campaignTime(s.nextAt!, zone, lang)}` : 'has submitted or is excused'}`);
          return lines.join('\n');
        });
      });
    });
}
