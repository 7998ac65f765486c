/** Checks that the service answered as it should, before and after every load run. */
import { BenchFailure } from './bench-failure.js';
import type { LoadResult, ReplayRequest } from './load-protocol.js';
import { sendOnce } from './send-once.js';

/** Throws unless the load run saw only HTTP 200 and no connection errors. */
export function assertAllOk(what: string, result: LoadResult): void {
  const bad = Object.entries(result.statusCounts).filter(([status]) => status !== '200');
  if (bad.length === 0 && result.errors === 0 && result.timeouts === 0 && !result.aborted && result.responses > 0) return;
  throw new BenchFailure(
    `${what}: expected only HTTP 200, got ${JSON.stringify(result.statusCounts)}, ` +
      `${result.errors} connection errors, ${result.timeouts} timeouts${result.aborted ? ', run aborted by the time bound' : ''}.`,
  );
}

function parseJson(what: string, body: string): Record<string, unknown> {
  try {
    return JSON.parse(body) as Record<string, unknown>;
  } catch {
    throw new BenchFailure(`${what}: response is not JSON: ${body.slice(0, 200)}`);
  }
}

/** Sends one request and checks it answers 200 with the fields an operation must return. */
export async function probe(endpoint: string, request: ReplayRequest, what: string, check: (output: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> {
  const response = await sendOnce(endpoint, request);
  if (response.status !== 200) throw new BenchFailure(`${what}: HTTP ${response.status}: ${response.body.slice(0, 300)}`);
  const output = parseJson(what, response.body);
  if (!check(output)) throw new BenchFailure(`${what}: unexpected response ${response.body.slice(0, 300)}`);
  return output;
}
