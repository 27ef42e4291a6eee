import type { Command } from 'commander';
import { ExitCode, UserError } from '../errors';

/** `campaign worker`: runs the campaign worker until SIGTERM/SIGINT (Ctrl-C), then exits 0. */
export function register(program: Command): void {
  program
    .command('worker')
    .description('run a worker: executes the campaigns (timers, messages, submissions) on TEMPORAL_TASK_QUEUE until Ctrl-C / SIGTERM')
    .action(async () => {
      // Loaded here: the worker SDK (native core, bundler) is only needed by this verb.
      const { runWorker, WorkerStartError } = await import('../../worker/main');
      try {
        await runWorker();
      } catch (err) {
        if (err instanceof WorkerStartError) throw new UserError(err.message, err.unavailable ? ExitCode.unavailable : ExitCode.invalid);
        throw err;
      }
    });
}
