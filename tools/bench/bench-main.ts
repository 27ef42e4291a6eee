/**
 * How a benchmark file runs on its own (tools/bench/run.ts starts each in a process of its own):
 * `--name value` options from the command line, the result written as JSON to `--out` (or stdout),
 * and exit code 1 with the error when it fails.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

export function argValue(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** A number option, undefined when absent. */
export function numberArg(name: string): number | undefined {
  const v = argValue(name);
  return v === undefined ? undefined : Number(v);
}

/** Runs `run` when the file at `moduleUrl` (its import.meta.url) is the program started, and writes its result. */
export function runAsMain(moduleUrl: string, what: string, run: () => unknown): void {
  if (!process.argv[1] || moduleUrl !== pathToFileURL(path.resolve(process.argv[1])).href) return;
  void (async () => {
    const text = JSON.stringify(await run(), null, 2);
    const out = argValue('--out');
    if (out) writeFileSync(out, text);
    else process.stdout.write(`${text}\n`);
    process.exit(0);
  })().catch((err: unknown) => {
    process.stderr.write(`${what} failed: ${(err as Error)?.stack ?? String(err)}\n`);
    process.exit(1);
  });
}
