/**
 * The one error for a bad setting, whichever variable it is (Temporal, storage, mail, portal): each
 * problem one plain sentence naming the variable. Non-retryable in the activities' retry policy
 * (workflows/policies.ts); the worker and the CLI print it without a stack trace.
 */
export class ConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[], heading = 'The settings are not valid') {
    super(`${heading}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}
