#!/usr/bin/env node
// `npm run load -- [options]`: the load generator (see LOAD_USAGE). Progress goes to stderr, the summary (or the
// JSON with --json) to stdout, and the JSON result to bench-results/ (or --out).
import { fdLimitWarning, openFileLimit } from '../load/fd-limit.js';
import { LOAD_USAGE, parseLoadArgs, type LoadOptions } from '../load/load-options.js';
import { formatLoadResult, writeLoadResult } from '../load/load-report.js';
import { runLoad } from '../load/load-run.js';

async function main(): Promise<number> {
  let options: LoadOptions | 'help';
  try {
    options = parseLoadArgs(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${LOAD_USAGE}\n`);
    return 2;
  }
  if (options === 'help') {
    process.stdout.write(`${LOAD_USAGE}\n`);
    return 0;
  }
  const warning = fdLimitWarning(options.devices, options.target.kind === 'in-process', await openFileLimit());
  if (warning) process.stderr.write(`${warning}\n`);
  const started = Date.now();
  const result = await runLoad(options, (line) => process.stderr.write(`[${((Date.now() - started) / 1000).toFixed(1)} s] ${line}\n`));
  const path = await writeLoadResult(result, options.outPath);
  process.stdout.write(options.json ? `${JSON.stringify(result, null, 2)}\n` : formatLoadResult(result));
  process.stderr.write(`result written to ${path}\n`);
  return result.devices.connected === result.devices.requested ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
