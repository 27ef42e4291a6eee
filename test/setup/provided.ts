// Values the global set-ups hand to test files through vitest's provide/inject.
declare module 'vitest' {
  export interface ProvidedContext {
    /** host:port of the dev server started for this run (devserver project). */
    temporalAddress: string;
    /** Web UI of that dev server. */
    temporalUiUrl: string;
    /** Executable that starts Temporal's Java test server (timeskip project). */
    testServerPath: string;
    /**
     * postgres://… of the throw-away PostgreSQL started for this run (unit, devserver, faults): the
     * superuser, trusted on loopback. Test files take a database of their own from it
     * (test/support/databases.ts freshPostgresDatabase), not this one.
     */
    databaseUrl: string;
  }
}
export {};
