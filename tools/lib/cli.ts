import { parseArgs, type ParseArgsConfig } from "node:util";

/**
 * Runs a CLI's main function: its return value is the exit code; an error is printed as one
 * `ERROR - ...` line (its message names the file and the fix) and exits 1, without a stack trace
 * unless DEBUG is set.
 */
export async function runMain(main: () => Promise<number>): Promise<never> {
  let code: number;
  try {
    code = await main();
  } catch (err) {
    const e = err as Error;
    console.error(`ERROR - ${e.message}`);
    if (process.env.DEBUG) console.error(e.stack);
    code = (e as { exitCode?: number }).exitCode ?? 1;
  }
  process.exit(code);
}

/** An error the user fixes by changing the command line or its input; the CLI exits 2. */
export class UsageError extends Error {
  readonly exitCode = 2;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    Object.defineProperty(this, "name", { value: "UsageError", enumerable: false });
  }
}

/** `parseArgs` (pass `strict: true`), with its errors turned into a UsageError that ends with `usage`. */
export function parseCli<T extends ParseArgsConfig>(config: T, usage: string): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (err) {
    throw new UsageError(`${(err as Error).message}. ${usage}`, { cause: err });
  }
}
