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
