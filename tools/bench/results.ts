/**
 * The shape of tools/bench/results.json: every benchmark run (when, where, how busy the machine
 * was, its result or its error), the machine and the versions; run.ts writes it, report.ts reads it.
 */

export type RunName =
  | 'ledgerSqlite'
  | 'ledgerPostgres'
  | 'burstSqlite'
  | 'burstPostgres'
  | 'burstCold'
  | 'rehearsalSqlite'
  | 'rehearsalPostgres'
  | 'rehearsalSnapshots'
  | 'rehearsalTuned'
  | 'compile'
  | 'rush';

export interface Machine {
  cores: number;
  cpuModel: string;
  memoryBytes: number;
  platform: string;
  loadAverageAtStart: number[];
}

export interface Run<T> {
  name: string;
  args: string[];
  startedAt: string;
  wallMs: number;
  /** 1-minute load average when the run started and when it ended (the machine may be shared). */
  load: [number, number];
  /** Other test runs (vitest processes) on the machine when the run started and when it ended. */
  otherTestRuns?: [number, number];
  /** The machine it ran on (absent in runs kept from before it was recorded: the file's machine then). */
  machine?: Machine;
  result?: T;
  error?: string;
}

export interface Results {
  date: string;
  totalWallMs: number;
  machine: Machine;
  versions: {
    /** The commit measured (git, or BENCH_COMMIT for an exported tree). */
    commit?: string;
    node: string;
    temporalSdk: Record<string, string>;
    temporalCli: string;
    testServer: string;
    postgres?: string;
    betterSqlite3?: string;
    pg?: string;
  };
  runs: Partial<Record<RunName, Run<unknown>>>;
  /** The earlier round's runs (the delivery ledger in files), no longer run: kept for comparison. */
  earlier: { rehearsal?: Run<unknown>; burst?: Run<unknown>; burstCold?: Run<unknown> };
}

