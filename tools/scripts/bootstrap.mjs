#!/usr/bin/env node
// Bootstrap: installs npm dependencies and builds or finds every real part the project runs
// against — the Temporal CLI (dev server + Web UI), Temporal's Java time-skipping test server and
// Debian's chromium. Idempotent: what is already there is reused. Node built-ins only, so it runs
// before `npm ci`. Writes what it found to .tools/paths.json, which the test harness and the
// start scripts read.
//
//   node tools/scripts/bootstrap.mjs [--quiet] [--skip-browser]
//
// Environment (each one, when set, is used instead of building):
//   TEMPORAL_CLI_PATH          path to a `temporal` binary
//   TEMPORAL_TEST_SERVER_PATH  path to an executable that starts Temporal's test server: `<exe> <port> --enable-time-skipping`
//   CHROMIUM_PATH              path to a chromium binary
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync, chmodSync, statSync, readdirSync } from 'node:fs';
import { dirname, join, delimiter } from 'node:path';
import { fileURLToPath } from 'node:url';

export const TEMPORAL_CLI_MODULE = 'github.com/temporalio/cli/cmd/temporal';
export const TEMPORAL_CLI_VERSION = 'v1.5.1';
export const TEST_SERVER_ARTIFACT = { group: 'io.temporal', artifact: 'temporal-test-server', version: '1.31.0' };
/** Bumped when the wrapper script changes, so bootstrap rewrites it. */
const WRAPPER_REVISION = 2;

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const tools = join(root, '.tools');
const quiet = process.argv.includes('--quiet');
const skipBrowser = process.argv.includes('--skip-browser') || process.env.BOOTSTRAP_SKIP_BROWSER === '1';

class BootstrapError extends Error {
  constructor(message) {
    super(message);
    this.name = 'BootstrapError';
  }
}

function say(msg) {
  if (!quiet) process.stdout.write(`bootstrap: ${msg}\n`);
}
function step(msg) {
  process.stdout.write(`bootstrap: ${msg}\n`);
}

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

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: quiet ? ['ignore', 'pipe', 'pipe'] : 'inherit', encoding: 'utf8', ...opts });
  if (r.error) throw new BootstrapError(`could not run ${cmd}: ${r.error.message}`);
  if (r.status !== 0) {
    const out = quiet ? `\n${(r.stdout ?? '').slice(-2000)}${(r.stderr ?? '').slice(-4000)}` : '';
    throw new BootstrapError(`${cmd} ${args.join(' ')} failed with exit code ${r.status}${out}`);
  }
  return r;
}

function seconds(start) {
  return `${((Date.now() - start) / 1000).toFixed(1)} s`;
}

// ---------------------------------------------------------------------------------------------
function checkNode() {
  const [major, minor] = process.versions.node.split('.').map(Number);
  if (major < 20 || (major === 20 && minor < 3)) {
    throw new BootstrapError(`Node.js >= 20.3 is required; this is ${process.versions.node}. Install a newer Node.js and run again.`);
  }
}

function npmDependencies() {
  const lock = join(root, 'package-lock.json');
  const installed = join(root, 'node_modules', '.package-lock.json');
  if (existsSync(installed) && statSync(installed).mtimeMs >= statSync(lock).mtimeMs) {
    say('npm dependencies: up to date');
    return;
  }
  const t = Date.now();
  step('npm dependencies: running npm ci');
  run('npm', ['ci', '--no-audit', '--no-fund'], { cwd: root });
  step(`npm dependencies: installed in ${seconds(t)}`);
}

function temporalCli() {
  const fromEnv = process.env.TEMPORAL_CLI_PATH;
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new BootstrapError(`TEMPORAL_CLI_PATH is set to ${fromEnv}, but there is no file there.`);
    say(`temporal CLI: using TEMPORAL_CLI_PATH=${fromEnv}`);
    return fromEnv;
  }
  const onPath = which('temporal');
  if (onPath) {
    say(`temporal CLI: using ${onPath} from PATH`);
    return onPath;
  }
  const built = join(tools, 'bin', 'temporal');
  const stamp = join(tools, 'bin', 'temporal.version');
  if (existsSync(built) && existsSync(stamp) && readFileSync(stamp, 'utf8').trim() === TEMPORAL_CLI_VERSION) {
    say(`temporal CLI: ${TEMPORAL_CLI_VERSION} already built at ${built}`);
    return built;
  }
  const go = which('go');
  if (!go) {
    throw new BootstrapError(
      `the Temporal CLI is missing and Go is not installed to build it.\n` +
        `  Either install Go (>= 1.22) and run again, or put a 'temporal' binary on PATH, or set TEMPORAL_CLI_PATH=/path/to/temporal.`,
    );
  }
  const t = Date.now();
  step(`temporal CLI: building ${TEMPORAL_CLI_MODULE}@${TEMPORAL_CLI_VERSION} from the Go module proxy (first time only; a few minutes)`);
  mkdirSync(join(tools, 'bin'), { recursive: true });
  run(go, ['install', `${TEMPORAL_CLI_MODULE}@${TEMPORAL_CLI_VERSION}`], {
    cwd: tools,
    env: { ...process.env, GOBIN: join(tools, 'bin'), GOFLAGS: '-mod=mod', CGO_ENABLED: '0' },
  });
  writeFileSync(stamp, `${TEMPORAL_CLI_VERSION}\n`);
  step(`temporal CLI: built in ${seconds(t)}`);
  return built;
}

function testServer() {
  const fromEnv = process.env.TEMPORAL_TEST_SERVER_PATH;
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new BootstrapError(`TEMPORAL_TEST_SERVER_PATH is set to ${fromEnv}, but there is no file there.`);
    say(`test server: using TEMPORAL_TEST_SERVER_PATH=${fromEnv}`);
    return fromEnv;
  }
  const { group, artifact, version } = TEST_SERVER_ARTIFACT;
  const dir = join(tools, 'test-server');
  const lib = join(dir, 'lib');
  const wrapper = join(dir, 'temporal-test-server');
  const stamp = join(dir, 'version');
  if (existsSync(wrapper) && existsSync(stamp) && readFileSync(stamp, 'utf8').trim() === `${version}+${WRAPPER_REVISION}`) {
    say(`test server: ${artifact} ${version} already resolved at ${wrapper}`);
    return wrapper;
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
  const t = Date.now();
  step(`test server: resolving ${group}:${artifact}:${version} and its dependencies from Maven Central`);
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
  run(mvn, ['-q', '-B', 'dependency:copy-dependencies', '-DincludeScope=runtime', `-DoutputDirectory=${lib}`], { cwd: dir });
  const jars = readdirSync(lib).filter((f) => f.endsWith('.jar'));
  if (!jars.some((f) => f.startsWith(artifact))) throw new BootstrapError(`Maven finished but ${artifact}.jar is not in ${lib}`);
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
  step(`test server: ready in ${seconds(t)} (${jars.length} jars)`);
  return wrapper;
}

function chromium() {
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new BootstrapError(`CHROMIUM_PATH is set to ${fromEnv}, but there is no file there.`);
    return fromEnv;
  }
  const found = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p)) ?? which('chromium');
  if (found) {
    say(`browser: using ${found}`);
    return found;
  }
  if (skipBrowser) return undefined;
  const apt = which('apt-get');
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!apt || !isRoot) {
    throw new BootstrapError(
      `chromium is missing. Install Debian's chromium package (apt-get install chromium) as root, or set CHROMIUM_PATH=/path/to/chromium\n` +
        `  (or set BOOTSTRAP_SKIP_BROWSER=1 to skip the browser tests' prerequisite).`,
    );
  }
  const t = Date.now();
  step("browser: installing Debian's chromium with apt-get (first time only)");
  run('apt-get', ['update', '-qq']);
  run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'chromium'], { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  step(`browser: installed in ${seconds(t)}`);
  return '/usr/bin/chromium';
}

/** Pages and screenshots are Chinese: without a CJK font chromium draws empty boxes. */
function chineseFont() {
  if (skipBrowser) return;
  const fcList = which('fc-list');
  const has = fcList && spawnSync(fcList, [':lang=zh', 'family'], { encoding: 'utf8' }).stdout?.trim();
  if (has) {
    say('fonts: a Chinese font is installed');
    return;
  }
  const apt = which('apt-get');
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!apt || !isRoot) {
    step('fonts: no Chinese font found; install one (e.g. Debian fonts-wqy-microhei) or screenshots show boxes instead of characters');
    return;
  }
  const t = Date.now();
  step("fonts: installing Debian's fonts-wqy-microhei (first time only)");
  run('apt-get', ['update', '-qq']);
  run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'fonts-wqy-microhei'], { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  step(`fonts: installed in ${seconds(t)}`);
}

function main() {
  const t = Date.now();
  checkNode();
  npmDependencies();
  const paths = { temporalCli: temporalCli(), testServer: testServer(), chromium: chromium() };
  chineseFont();
  mkdirSync(tools, { recursive: true });
  writeFileSync(join(tools, 'paths.json'), `${JSON.stringify(paths, null, 2)}\n`);
  try {
    const v = execFileSync(paths.temporalCli, ['--version'], { encoding: 'utf8' }).trim();
    say(`ready (${v}) in ${seconds(t)}`);
  } catch {
    throw new BootstrapError(`${paths.temporalCli} --version failed: the binary is not a working Temporal CLI.`);
  }
}

try {
  main();
} catch (err) {
  if (err instanceof BootstrapError) {
    process.stderr.write(`bootstrap: ${err.message}\n`);
    process.exit(1);
  }
  process.stderr.write(`bootstrap: unexpected failure: ${err?.message ?? err}\n`);
  process.exit(1);
}
