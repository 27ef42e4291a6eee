// Values the global set-ups hand to test files through vitest's provide/inject.
declare module 'vitest' {
  export interface ProvidedContext {
    /** host:port of the dev server started for this run (devserver project). */
    temporalAddress: string;
    /** Web UI of that dev server. */
    temporalUiUrl: string;
    /** Executable that starts Temporal's Java test server (timeskip project). */
    testServerPath: string;
  }
}
export {};
