// What a command-line subcommand gets from the process: streams and the environment, passed in so
// tests run commands in-process with literals.

export interface CliIo {
  stdin: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
}

/** Exit codes (analysis-contract.md): 0 analysed, 1 unreadable/oversized input or failure, 2 usage. */
export const EXIT_OK = 0;
export const EXIT_INPUT = 1;
export const EXIT_USAGE = 2;

export type Subcommand = (args: string[], io: CliIo) => Promise<number>;
