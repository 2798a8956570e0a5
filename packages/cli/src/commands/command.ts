/** One subcommand of `mlobs`. */
export interface Command {
  readonly name: string;
  /** One line for the command list of `mlobs --help`. */
  readonly summary: string;
  /** The text of `mlobs <name> --help`. */
  readonly help: string;
  /** Runs with the arguments after the command's name; resolves to the exit code. */
  run(args: string[]): Promise<number>;
}
