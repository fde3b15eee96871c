/** A failure the CLI reports as one line on stderr, with exit code 2, and no stack. */
export class CliError extends Error {}

/** Prints `<name>: <message>` on stderr and exits with 2, the code of every CLI failure. */
export function exitWithError(name: string, message: string): never {
  console.error(`${name}: ${message}`);
  process.exit(2);
}

/** Runs a CLI body; any failure, expected or not, becomes one line on stderr (never a stack). */
export async function runCli(name: string, main: () => Promise<void>): Promise<void> {
  try {
    await main();
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const line = message.split('\n').find((l) => l.trim() !== '');
    exitWithError(name, line?.trim() ?? 'failed');
  }
}
