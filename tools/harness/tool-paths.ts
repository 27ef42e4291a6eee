import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const projectRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface ToolPaths {
  temporalCli: string;
  testServer: string;
  chromium?: string;
}

export class ToolsMissingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ToolsMissingError';
  }
}

/** The tools found or built by tools/scripts/bootstrap.mjs (environment variables win). */
export function toolPaths(): ToolPaths {
  const file = join(projectRoot, '.tools', 'paths.json');
  const fromFile: Partial<ToolPaths> = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
  const temporalCli = process.env.TEMPORAL_CLI_PATH ?? fromFile.temporalCli;
  const testServer = process.env.TEMPORAL_TEST_SERVER_PATH ?? fromFile.testServer;
  const chromium = process.env.CHROMIUM_PATH ?? fromFile.chromium;
  if (!temporalCli || !testServer) {
    throw new ToolsMissingError('the Temporal tools are not set up yet: run `npm run bootstrap` (or `npm test`, which runs it) first.');
  }
  for (const [name, p] of Object.entries({ temporalCli, testServer })) {
    if (!existsSync(p)) throw new ToolsMissingError(`${name} was at ${p} but is gone: run \`npm run bootstrap\` again.`);
  }
  return { temporalCli, testServer, chromium };
}
