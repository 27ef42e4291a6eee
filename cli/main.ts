/**
 * The `campaign` command: its verbs (cli/verbs/), and the one translation of what escapes them
 * into a line on stderr and an exit code.
 */
import { Command, CommanderError } from 'commander';
import { privateFileModes } from '../store/stores';
import { ExitCode, UserError } from './errors';
import { terminalLines } from './terminal-text';
import { verbs } from './verbs/index';

export function buildProgram(): Command {
  const program = new Command('campaign')
    .description('Deadline orchestration for government campaigns (春风行动 and the like), on Temporal')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  for (const register of verbs) register(program);
  return program;
}

/** Runs the CLI and returns the exit code. Never throws. */
export async function main(argv: string[]): Promise<number> {
  // Whatever a verb writes (plans, attachments, the ledger, the worker's and the portal's files)
  // is for this user only: files 0600, folders 0700 (store/stores.ts says why).
  privateFileModes();
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : ExitCode.ok;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version arrive here too, with exit code 0.
      return err.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
    }
    // A message may quote other people's text (a refusal's reason, a name): each of its lines is
    // printed with its control characters escaped (cli/terminal-text.ts).
    if (err instanceof UserError) {
      process.stderr.write(`campaign: ${terminalLines(err.message)}\n`);
      return err.exitCode;
    }
    const e = err as Error;
    if (isConnectionError(e)) {
      process.stderr.write(`campaign: cannot reach the Temporal server (${terminalLines(e.message)}). Is it running? See README "Quick start".\n`);
      return ExitCode.unavailable;
    }
    process.stderr.write(`campaign: internal error: ${terminalLines(e?.message ?? String(err))}\n`);
    if (process.env.CAMPAIGN_DEBUG) process.stderr.write(`${e?.stack ?? ''}\n`);
    else process.stderr.write('(set CAMPAIGN_DEBUG=1 to see the stack trace)\n');
    return ExitCode.internal;
  }
}

function isConnectionError(e: Error): boolean {
  const msg = `${e?.name ?? ''} ${e?.message ?? ''}`;
  return /ECONNREFUSED|Failed to connect|TransportError|UNAVAILABLE|connection refused/i.test(msg);
}
