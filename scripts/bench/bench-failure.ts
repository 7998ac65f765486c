/** Failures of the benchmark itself, and the progress log it writes to stderr. */

/** A failure the benchmark explains in one line (no stack trace): bad options, a non-200 response. */
export class BenchFailure extends Error {}

/** Writes one progress line to stderr, so stdout carries only the report. */
export function log(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}
