/**
 * Errors a CLI verb reports to the user: a message in the user's terms and an exit code, never a
 * stack trace. Anything else that escapes a verb is an internal error (exit 70) and is reported
 * with one line plus a hint to rerun with CAMPAIGN_DEBUG=1 for the stack.
 */
export const ExitCode = {
  ok: 0,
  /** The input was wrong (bad plan, unknown department...). */
  invalid: 1,
  /** Bad command line. */
  usage: 2,
  /** A server (Temporal, SMTP) could not be reached. */
  unavailable: 69,
  internal: 70,
} as const;

export class UserError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = ExitCode.invalid,
  ) {
    super(message);
    this.name = 'UserError';
  }
}
