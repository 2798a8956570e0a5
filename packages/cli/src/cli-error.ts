/** Exit code of a run that failed: unreadable input, a bad SQL statement, a file in the way. */
export const EXIT_FAILURE = 1;
/** Exit code of a command line that cannot be run: an unknown command or option, a missing argument. */
export const EXIT_USAGE = 2;

/**
 * An error the user can act on, printed as one line on stderr (no stack trace) before the command
 * exits with `exitCode`.
 */
export class CliError extends Error {
  override readonly name = "CliError";
  constructor(
    message: string,
    readonly exitCode: number = EXIT_FAILURE,
  ) {
    super(message);
  }
}

/** A command line that cannot be run; exits with 2 after the command's usage line. */
export function usageError(message: string): CliError {
  return new CliError(message, EXIT_USAGE);
}
