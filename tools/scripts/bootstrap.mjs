#!/usr/bin/env node
// Bootstrap: installs the npm dependencies and builds or finds the real parts a README command runs
// against — and only those that command needs: `npm run demo` and `npm start` need the Temporal CLI
// (dev server + Web UI), not the Java test server, chromium, fonts or PostgreSQL; `npm test` needs
// everything.
// Idempotent: what is already there is reused. Node built-ins only, so it runs before `npm ci`.
// Records what it found in .tools/paths.json (tools/harness/tool-paths.ts reads it); a later call
// for another command adds what an earlier one skipped and keeps the rest.
//
//   node tools/scripts/bootstrap.mjs [--for demo|start|faults|scale|bench|test|all] [--quiet] [--skip-browser]
//
// One line per step, with its elapsed time; a line every 20 s while a long step (the Go build)
// runs. What npm, go, mvn and apt-get print goes to .tools/bootstrap.log; only when one of them
// fails is the end of its output shown here. --quiet leaves out the steps that had nothing to do.
//
// Environment (each one, when set, is used instead of building):
//   TEMPORAL_CLI_PATH          path to a `temporal` binary
//   TEMPORAL_TEST_SERVER_PATH  path to an executable that starts Temporal's test server: `<exe> <port> --enable-time-skipping`
//   CHROMIUM_PATH              path to a chromium binary
//   POSTGRES_BIN_DIR           folder of PostgreSQL's server programs (initdb, postgres)
//   BOOTSTRAP_SKIP_BROWSER=1   same as --skip-browser
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { appendFileSync, chmodSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { delimiter, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const TEMPORAL_CLI_MODULE = 'github.com/temporalio/cli/cmd/temporal';
export const TEMPORAL_CLI_VERSION = 'v1.5.1';
export const TEST_SERVER_ARTIFACT = { group: 'io.temporal', artifact: 'temporal-test-server', version: '1.31.0' };
/** Bumped when the wrapper script changes, so bootstrap rewrites it. */
const WRAPPER_REVISION = 2;
const HEARTBEAT_MS = 20_000;
const TAIL_LINES = 40;

/** What each command needs; `all` (the default) is everything. */
const NEEDS = {
  demo: ['npm', 'temporalCli'],
  start: ['npm', 'temporalCli'],
  faults: ['npm', 'temporalCli', 'postgresBin'],
  scale: ['npm', 'testServer'],
  bench: ['npm', 'temporalCli', 'testServer', 'postgresBin'],
  test: ['npm', 'temporalCli', 'testServer', 'chromium', 'font', 'postgresBin'],
  all: ['npm', 'temporalCli', 'testServer', 'chromium', 'font', 'postgresBin'],
};
const STEP_NAMES = {
  npm: 'npm dependencies',
  temporalCli: 'temporal CLI',
  testServer: 'test server',
  chromium: 'chromium',
  font: 'Chinese font',
  postgresBin: 'PostgreSQL server',
};
/** The steps that find a tool, by their key in .tools/paths.json. */
const TOOL_STEPS = ['temporalCli', 'testServer', 'chromium', 'postgresBin'];

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const tools = join(root, '.tools');
const logFile = join(tools, 'bootstrap.log');
const shownLog = relative(process.cwd(), logFile).startsWith('..') ? logFile : relative(process.cwd(), logFile);

class BootstrapError extends Error {
  /** @param {string} message @param {string} [tail] the end of the failed command's output */
  constructor(message, tail) {
    super(message);
    this.name = 'BootstrapError';
    this.tail = tail;
  }
}

class UsageError extends Error {}

function parseArgs(argv) {
  const opts = { purposes: ['all'], quiet: false, skipBrowser: process.env.BOOTSTRAP_SKIP_BROWSER === '1' };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--quiet') opts.quiet = true;
    else if (a === '--skip-browser') opts.skipBrowser = true;
    else if (a === '--for' || a.startsWith('--for=')) {
      const value = a === '--for' ? argv[++i] : a.slice('--for='.length);
      const purposes = (value ?? '').split(',').filter(Boolean);
      const unknown = purposes.filter((p) => !Object.hasOwn(NEEDS, p));
      if (!purposes.length || unknown.length) throw new UsageError(`--for takes ${Object.keys(NEEDS).join('|')} (several with commas), not '${value ?? ''}'`);
      opts.purposes = purposes;
    } else throw new UsageError(`unknown argument '${a}'`);
  }
  return opts;
}

const line = (text) => process.stdout.write(`bootstrap: ${text}\n`);
const seconds = (start) => `${((Date.now() - start) / 1000).toFixed(1)} s`;

function which(cmd) {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const p = join(dir, cmd);
    try {
      if (statSync(p).isFile()) return p;
    } catch {
      /* not there */
    }
  }
  return undefined;
}

const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;

// --- package managers: their output to the log file --------------------------------------------

let logStarted = false;

/**
 * Runs a package manager with its output appended to the log file (started afresh by the first
 * command of each bootstrap), printing a line every HEARTBEAT_MS while it runs. On failure the
 * end of its output becomes part of the error.
 */
async function run(step, doing, cmd, args, opts = {}) {
  mkdirSync(tools, { recursive: true });
  if (!logStarted) {
    writeFileSync(logFile, `bootstrap ${new Date().toISOString()}\n`);
    line(`package-manager output goes to ${shownLog}`);
    logStarted = true;
  }
  appendFileSync(logFile, `\n=== ${step}: ${cmd} ${args.join(' ')}\n`);
  const from = statSync(logFile).size;
  const fd = openSync(logFile, 'a');
  const t = Date.now();
  const beat = setInterval(() => line(`${step} … still ${doing} (${seconds(t)})`), HEARTBEAT_MS);
  try {
    const outcome = await new Promise((resolve) => {
      const child = spawn(cmd, args, { ...opts, stdio: ['ignore', fd, fd] });
      child.once('error', (err) => resolve(`could not start: ${err.message}`));
      child.once('exit', (code, signal) => resolve(code === 0 ? undefined : signal ? `killed by ${signal}` : `exit code ${code}`));
    });
    if (outcome) throw new BootstrapError(`${cmd} ${args.join(' ')} failed (${outcome})`, tailOf(from));
  } finally {
    clearInterval(beat);
    closeSync(fd);
  }
}

function tailOf(from) {
  const text = readFileSync(logFile).subarray(from).toString('utf8').trimEnd();
  return text.split('\n').slice(-TAIL_LINES).join('\n');
}

let aptUpdated = false;
async function aptInstall(step, pkg) {
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  if (!aptUpdated) await run(step, 'updating the apt package lists', 'apt-get', ['update'], { env });
  aptUpdated = true;
  await run(step, `installing ${pkg} with apt-get`, 'apt-get', ['install', '-y', '--no-install-recommends', pkg], { env });
}

// --- the steps: each returns what it did (and the tool's path, for those that find one) ----------

function checkNode() {
  const [major, minor] = process.versions.node.split('.').map(Number);
  if (major < 20 || (major === 20 && minor < 3)) {
    throw new BootstrapError(`Node.js >= 20.3 is required; this is ${process.versions.node}. Install a newer Node.js and run again.`);
  }
}

async function npmDependencies(ctx) {
  const lock = join(root, 'package-lock.json');
  const installed = join(root, 'node_modules', '.package-lock.json');
  if (existsSync(installed) && statSync(installed).mtimeMs >= statSync(lock).mtimeMs) return { outcome: 'up to date', idle: true };
  ctx.begin('running npm ci');
  await run(ctx.name, 'running npm ci', 'npm', ['ci', '--no-audit', '--no-fund'], { cwd: root });
  return { outcome: 'installed by npm ci' };
}

async function temporalCli(ctx) {
  const fromEnv = process.env.TEMPORAL_CLI_PATH;
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new BootstrapError(`TEMPORAL_CLI_PATH is set to ${fromEnv}, but there is no file there.`);
    return { outcome: `using TEMPORAL_CLI_PATH=${fromEnv}`, path: fromEnv, idle: true };
  }
  const onPath = which('temporal');
  if (onPath) return { outcome: `using ${onPath} from PATH`, path: onPath, idle: true };
  const built = join(tools, 'bin', 'temporal');
  const stamp = join(tools, 'bin', 'temporal.version');
  if (existsSync(built) && existsSync(stamp) && readFileSync(stamp, 'utf8').trim() === TEMPORAL_CLI_VERSION) {
    return { outcome: `${TEMPORAL_CLI_VERSION} already built at ${relative(root, built)}`, path: built, idle: true };
  }
  const go = which('go');
  if (!go) {
    throw new BootstrapError(
      `the Temporal CLI is missing and Go is not installed to build it.\n` +
        `  Either install Go (>= 1.22) and run again, or put a 'temporal' binary on PATH, or set TEMPORAL_CLI_PATH=/path/to/temporal.`,
    );
  }
  ctx.begin(`building ${TEMPORAL_CLI_MODULE}@${TEMPORAL_CLI_VERSION} from the Go module proxy (first time only; a few minutes)`);
  mkdirSync(join(tools, 'bin'), { recursive: true });
  await run(ctx.name, 'building', go, ['install', `${TEMPORAL_CLI_MODULE}@${TEMPORAL_CLI_VERSION}`], {
    cwd: tools,
    env: { ...process.env, GOBIN: join(tools, 'bin'), GOFLAGS: '-mod=mod', CGO_ENABLED: '0' },
  });
  writeFileSync(stamp, `${TEMPORAL_CLI_VERSION}\n`);
  return { outcome: `built ${TEMPORAL_CLI_VERSION}`, path: built };
}

async function testServer(ctx) {
  const fromEnv = process.env.TEMPORAL_TEST_SERVER_PATH;
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new BootstrapError(`TEMPORAL_TEST_SERVER_PATH is set to ${fromEnv}, but there is no file there.`);
    return { outcome: `using TEMPORAL_TEST_SERVER_PATH=${fromEnv}`, path: fromEnv, idle: true };
  }
  const { group, artifact, version } = TEST_SERVER_ARTIFACT;
  const dir = join(tools, 'test-server');
  const lib = join(dir, 'lib');
  const wrapper = join(dir, 'temporal-test-server');
  const stamp = join(dir, 'version');
  if (existsSync(wrapper) && existsSync(stamp) && readFileSync(stamp, 'utf8').trim() === `${version}+${WRAPPER_REVISION}`) {
    return { outcome: `${artifact} ${version} already resolved at ${relative(root, wrapper)}`, path: wrapper, idle: true };
  }
  const java = which('java');
  const mvn = which('mvn');
  const missing = [!java && 'Java (a JRE >= 11)', !mvn && 'Maven (mvn)'].filter(Boolean);
  if (missing.length) {
    throw new BootstrapError(
      `Temporal's time-skipping test server needs ${missing.join(' and ')}, which ${missing.length > 1 ? 'are' : 'is'} not installed.\n` +
        `  Either install ${missing.join(' and ')} and run again, or set TEMPORAL_TEST_SERVER_PATH to an executable that runs\n` +
        `  ${group}:${artifact}:${version} (main class io.temporal.testserver.TestServer).`,
    );
  }
  ctx.begin(`resolving ${group}:${artifact}:${version} and its dependencies from Maven Central`);
  mkdirSync(lib, { recursive: true });
  writeFileSync(
    join(dir, 'pom.xml'),
    `<?xml version="1.0" encoding="UTF-8"?>
<!-- Written by tools/scripts/bootstrap.mjs: resolves Temporal's test server for TestWorkflowEnvironment.createTimeSkipping. -->
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.campaign</groupId>
  <artifactId>temporal-test-server-runtime</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency><groupId>${group}</groupId><artifactId>${artifact}</artifactId><version>${version}</version></dependency>
  </dependencies>
</project>
`,
  );
  await run(ctx.name, 'resolving with Maven', mvn, ['-B', 'dependency:copy-dependencies', '-DincludeScope=runtime', `-DoutputDirectory=${lib}`], { cwd: dir });
  const jars = readdirSync(lib).filter((f) => f.endsWith('.jar'));
  if (!jars.some((f) => f.startsWith(artifact))) throw new BootstrapError(`Maven finished but ${artifact}.jar is not in ${lib} (see ${shownLog})`);
  writeFileSync(
    wrapper,
    `#!/bin/sh
# Starts Temporal's Java test server (${group}:${artifact}:${version}). Written by tools/scripts/bootstrap.mjs.
# Usage: temporal-test-server <port> [--enable-time-skipping]
# C1-only JIT and class-data sharing: the SDK gives the server 5 s to start, even on a busy machine.
exec "${java}" -Xss1m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xshare:auto -cp "${lib}/*" io.temporal.testserver.TestServer "$@"
`,
  );
  chmodSync(wrapper, 0o755);
  writeFileSync(stamp, `${version}+${WRAPPER_REVISION}\n`);
  return { outcome: `${artifact} ${version} resolved (${jars.length} jars)`, path: wrapper };
}

async function chromium(ctx) {
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new BootstrapError(`CHROMIUM_PATH is set to ${fromEnv}, but there is no file there.`);
    return { outcome: `using CHROMIUM_PATH=${fromEnv}`, path: fromEnv, idle: true };
  }
  const found = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p)) ?? which('chromium');
  if (found) return { outcome: `using ${found}`, path: found, idle: true };
  if (ctx.skipBrowser) return { outcome: 'skipped (--skip-browser): the browser tests will not run', idle: true };
  if (!which('apt-get') || !isRoot()) {
    throw new BootstrapError(
      `chromium is missing. Install Debian's chromium package (apt-get install chromium) as root, or set CHROMIUM_PATH=/path/to/chromium\n` +
        `  (or set BOOTSTRAP_SKIP_BROWSER=1 to skip the browser tests' prerequisite).`,
    );
  }
  ctx.begin("installing Debian's chromium with apt-get (first time only)");
  await aptInstall(ctx.name, 'chromium');
  return { outcome: "installed Debian's chromium", path: '/usr/bin/chromium' };
}

/** Pages and screenshots are Chinese: without a CJK font chromium draws empty boxes. */
async function chineseFont(ctx) {
  if (ctx.skipBrowser) return { outcome: 'skipped (--skip-browser)', idle: true };
  const fcList = which('fc-list');
  const has = fcList && spawnSync(fcList, [':lang=zh', 'family'], { encoding: 'utf8' }).stdout?.trim();
  if (has) return { outcome: `installed (${has.split('\n')[0]})`, idle: true };
  if (!which('apt-get') || !isRoot()) {
    return { outcome: 'none found; install one (e.g. Debian fonts-wqy-microhei) or screenshots show boxes instead of characters', idle: false };
  }
  ctx.begin("installing Debian's fonts-wqy-microhei (first time only)");
  await aptInstall(ctx.name, 'fonts-wqy-microhei');
  return { outcome: "installed Debian's fonts-wqy-microhei" };
}

/** The newest /usr/lib/postgresql/<major>/bin holding the server, where Debian's packages put it. */
function installedPostgres() {
  const dir = '/usr/lib/postgresql';
  const majors = existsSync(dir) ? readdirSync(dir).filter((v) => /^\d+$/.test(v) && existsSync(join(dir, v, 'bin', 'postgres'))) : [];
  majors.sort((a, b) => Number(b) - Number(a));
  return majors.length ? join(dir, majors[0], 'bin') : undefined;
}

/**
 * The storage runs on PostgreSQL when workers run on several machines; its tests start a throw-away
 * server (tools/harness/postgres.ts) from Debian's server programs.
 */
async function postgresServer(ctx) {
  const fromEnv = process.env.POSTGRES_BIN_DIR;
  if (fromEnv) {
    if (!existsSync(join(fromEnv, 'postgres')) || !existsSync(join(fromEnv, 'initdb'))) {
      throw new BootstrapError(`POSTGRES_BIN_DIR is set to ${fromEnv}, but there are no 'postgres' and 'initdb' programs there.`);
    }
    return { outcome: `using POSTGRES_BIN_DIR=${fromEnv}`, path: fromEnv, idle: true };
  }
  const found = installedPostgres();
  if (found) return { outcome: `using ${found}`, path: found, idle: true };
  if (!which('apt-get') || !isRoot()) {
    throw new BootstrapError(
      `PostgreSQL's server is missing. Install Debian's postgresql package (apt-get install postgresql) as root,\n` +
        `  or set POSTGRES_BIN_DIR to the folder holding its 'initdb' and 'postgres' programs.`,
    );
  }
  ctx.begin("installing Debian's postgresql with apt-get (first time only)");
  await aptInstall(ctx.name, 'postgresql');
  const installed = installedPostgres();
  if (!installed) throw new BootstrapError(`apt-get installed postgresql, but there is no /usr/lib/postgresql/<major>/bin/postgres (see ${shownLog})`);
  return { outcome: `installed Debian's postgresql (${installed})`, path: installed };
}

const STEPS = { npm: npmDependencies, temporalCli, testServer, chromium, font: chineseFont, postgresBin: postgresServer };

// --- .tools/paths.json ---------------------------------------------------------------------------

/** This run's tools over the ones an earlier run recorded (dropped when their file is gone). */
function recordPaths(found) {
  const file = join(tools, 'paths.json');
  let before = {};
  try {
    before = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    /* first run, or unreadable: start afresh */
  }
  const paths = {};
  for (const key of TOOL_STEPS) {
    const p = Object.hasOwn(found, key) ? found[key] : before[key];
    if (typeof p === 'string' && existsSync(p)) paths[key] = p;
  }
  mkdirSync(tools, { recursive: true });
  writeFileSync(file, `${JSON.stringify(paths, null, 2)}\n`);
  return paths;
}

// ---------------------------------------------------------------------------------------------------

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const t = Date.now();
  checkNode();
  const wanted = new Set(opts.purposes.flatMap((p) => NEEDS[p]));
  const skipped = Object.keys(STEPS).filter((s) => !wanted.has(s));
  const purpose = opts.purposes.join(', ');
  if (!opts.quiet) line(`for ${purpose}: ${[...wanted].map((s) => STEP_NAMES[s]).join(', ')}${skipped.length ? ` (not needed: ${skipped.map((s) => STEP_NAMES[s]).join(', ')})` : ''}`);
  const found = {};
  for (const key of Object.keys(STEPS).filter((s) => wanted.has(s))) {
    const name = STEP_NAMES[key];
    const started = Date.now();
    const ctx = { name, skipBrowser: opts.skipBrowser, begin: (what) => line(`${name} … ${what}`) };
    let r;
    try {
      r = await STEPS[key](ctx);
    } catch (err) {
      err.step = name;
      err.elapsed = seconds(started);
      throw err;
    }
    if (TOOL_STEPS.includes(key)) found[key] = r.path;
    if (!(opts.quiet && r.idle)) line(`${name} … ${r.outcome}${r.idle ? ` (${seconds(started)})` : ` in ${seconds(started)}`}`);
  }
  const paths = recordPaths(found);
  if (wanted.has('temporalCli')) {
    let version;
    try {
      version = execFileSync(paths.temporalCli, ['--version'], { encoding: 'utf8' }).trim().split('\n')[0];
    } catch {
      throw new BootstrapError(`${paths.temporalCli} --version failed: the binary is not a working Temporal CLI.`);
    }
    line(`ready for ${purpose} in ${seconds(t)} — Temporal CLI ready (${version})`);
  } else line(`ready for ${purpose} in ${seconds(t)}`);
}

main().catch((err) => {
  if (err instanceof UsageError) {
    process.stderr.write(`bootstrap: ${err.message}\nusage: node tools/scripts/bootstrap.mjs [--for ${Object.keys(NEEDS).join('|')}] [--quiet] [--skip-browser]\n`);
    process.exit(2);
  }
  const where = err?.step ? `${err.step} … failed after ${err.elapsed}: ` : '';
  const what = err instanceof BootstrapError ? err.message : `unexpected failure: ${err?.stack ?? err}`;
  process.stderr.write(`bootstrap: ${where}${what}\n`);
  if (err?.tail) process.stderr.write(`--- the last lines of its output (all of it in ${shownLog}) ---\n${err.tail}\n---\n`);
  process.exit(1);
});
