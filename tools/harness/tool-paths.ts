/**
 * Where the real tools are: what tools/scripts/bootstrap.mjs found or built (.tools/paths.json),
 * an environment variable winning. Bootstrap sets up only what a command needs (the demo has no
 * Java test server), so each tool is looked up when it is asked for, and a missing one is named
 * with the bootstrap call that provides it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const projectRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface ToolPaths {
  temporalCli: string;
  testServer: string;
  chromium?: string;
  /** The folder of PostgreSQL's server programs (initdb, postgres), e.g. /usr/lib/postgresql/15/bin. */
  postgresBin: string;
}

export type ToolName = keyof ToolPaths;

export class ToolsMissingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ToolsMissingError';
  }
}

/** Each tool: its variable, what to call it, and the smallest `bootstrap.mjs --for` that sets it up. */
const TOOLS: Record<ToolName, { variable: string; what: string; bootstrapFor: string }> = {
  temporalCli: { variable: 'TEMPORAL_CLI_PATH', what: 'the Temporal CLI', bootstrapFor: 'demo' },
  testServer: { variable: 'TEMPORAL_TEST_SERVER_PATH', what: "Temporal's Java time-skipping test server", bootstrapFor: 'scale' },
  chromium: { variable: 'CHROMIUM_PATH', what: 'chromium', bootstrapFor: 'test' },
  postgresBin: { variable: 'POSTGRES_BIN_DIR', what: "PostgreSQL's server programs (initdb, postgres)", bootstrapFor: 'faults' },
};

function recorded(): Partial<ToolPaths> {
  const file = join(projectRoot, '.tools', 'paths.json');
  return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
}

/** The path of one tool, or undefined when bootstrap has not set it up. */
export function optionalToolPath(name: ToolName): string | undefined {
  return process.env[TOOLS[name].variable] ?? recorded()[name];
}

/** The path of one tool; throws ToolsMissingError, saying how to set it up, when it is not there. */
export function toolPath(name: ToolName): string {
  const { variable, what, bootstrapFor } = TOOLS[name];
  const p = optionalToolPath(name);
  const setUp = `run \`node tools/scripts/bootstrap.mjs --for ${bootstrapFor}\` (or \`npm run bootstrap\` for everything), or set ${variable}`;
  if (!p) throw new ToolsMissingError(`${what} is not set up yet: ${setUp}.`);
  if (!existsSync(p)) throw new ToolsMissingError(`${what} was at ${p} but is gone: ${setUp}.`);
  return p;
}

/**
 * All the tools, each looked up (and checked) only when read: `toolPaths().testServer` needs the
 * test server set up, not the Temporal CLI. chromium is optional (undefined when not set up).
 */
export function toolPaths(): ToolPaths {
  return {
    get temporalCli() {
      return toolPath('temporalCli');
    },
    get testServer() {
      return toolPath('testServer');
    },
    get chromium() {
      return optionalToolPath('chromium');
    },
    get postgresBin() {
      return toolPath('postgresBin');
    },
  };
}
