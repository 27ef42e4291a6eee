/**
 * The demo's command line: which plan, at what pace, resume or start afresh, stop at the end or
 * keep serving; and how the demo names plans, paces and paths back to the user.
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { parseRehearsal } from '../../obligations/clock';
import { projectRoot } from '../harness/tool-paths';

export const DEFAULT_PLAN = 'definitions/shanxi-2024.yaml';
export const DEFAULT_SCALE = '1d=4s';

export const USAGE = `usage: npm run demo -- [--plan FILE] [--scale 1d=4s] [--resume | --fresh] [--exit | --keep]

  --plan FILE    the plan to play (default ${DEFAULT_PLAN}); a bare name means definitions/NAME.yaml
  --scale MAP    campaign time to wall time (default ${DEFAULT_SCALE}: a campaign day in four seconds)
  --resume       continue the campaign a previous demo left running (no question asked)
  --fresh        start the campaign afresh, ending the one a previous demo left running
  --exit         stop everything when the campaign ends (the default without a terminal)
  --keep         keep serving the inbox, portal and Web UI after the end, until Ctrl-C
  --data-dir DIR data folder (default .data)

Ports: TEMPORAL_PORT 7233, TEMPORAL_UI_PORT 8233, INBOX_SMTP_PORT 2525, INBOX_HTTP_PORT 8025, PORTAL_PORT 8080.`;

export class UsageError extends Error {}

export interface Options {
  planFile: string;
  scaleText: string;
  scale: number;
  resume: boolean;
  fresh: boolean;
  exitAtEnd: boolean;
  dataDir: string;
}

export function parseOptions(argv: string[], tty: boolean): Options | 'help' {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        plan: { type: 'string' },
        scale: { type: 'string' },
        resume: { type: 'boolean' },
        fresh: { type: 'boolean' },
        exit: { type: 'boolean' },
        keep: { type: 'boolean' },
        'data-dir': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      allowPositionals: true,
      strict: true,
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const v = parsed.values;
  if (v.help) return 'help';
  if (parsed.positionals.length > 1 || (parsed.positionals.length === 1 && v.plan)) throw new UsageError(`unexpected argument '${parsed.positionals.at(-1)}'`);
  if (v.resume && v.fresh) throw new UsageError('--resume and --fresh exclude each other');
  if (v.exit && v.keep) throw new UsageError('--exit and --keep exclude each other');
  let planFile = v.plan ?? parsed.positionals[0] ?? DEFAULT_PLAN;
  const isFile = (p: string) => existsSync(p) && statSync(p).isFile();
  if (!isFile(planFile) && /^[A-Za-z0-9_.-]+$/.test(planFile)) {
    const named = path.join('definitions', planFile.endsWith('.yaml') ? planFile : `${planFile}.yaml`);
    if (isFile(named)) planFile = named;
  }
  const scaleText = v.scale ?? DEFAULT_SCALE;
  const r = parseRehearsal(scaleText);
  if ('error' in r) throw new UsageError(r.error.replace('--rehearse', '--scale'));
  return {
    planFile,
    scaleText,
    scale: r.scale,
    resume: !!v.resume,
    fresh: !!v.fresh,
    exitAtEnd: v.exit ? true : v.keep ? false : !tty,
    dataDir: path.resolve(v['data-dir'] ?? path.join(projectRoot, '.data')),
  };
}


/** "1d=4s" for a clock scale. */
export function scaleName(scale: number): string {
  const s = scale * 86_400;
  return s >= 1 ? `1d=${+s.toFixed(2)}s` : `1d=${+(s * 1000).toFixed(0)}ms`;
}

/** A path as short as it can be shown: relative to the working folder when inside it. */
export const rel = (p: string) => {
  const r = path.relative(process.cwd(), p);
  return r && !r.startsWith('..') ? r : p;
};
