/** Medians and totals of a target's cells across rounds, the rows of the report tables. */
import type { CellResult } from './cell-runner.js';
import { median } from './stats.js';
import type { Target } from './symmetric-targets.js';

/** The rounds of one target at one concurrency, pooled. */
export interface CellSummary {
  readonly target: Target;
  readonly concurrency: number;
  readonly rounds: number;
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly errors: number;
  readonly responses: number;
  readonly serverCpuMicrosPerRequest: number;
  readonly generatorCpuMicrosPerRequest: number;
  /** DynamoDB requests in all rounds. */
  readonly dynamoRequests: number;
  /** DynamoDB requests in all rounds, by DynamoDB operation. */
  readonly dynamoByOperation: Readonly<Record<string, number>>;
  readonly otherBusyCores: number;
}

/** Pools the rounds of one target at one concurrency: medians of rates, latencies and CPU; sums of counts. */
export function summariseCells(cells: readonly CellResult[], target: Target, concurrency: number): CellSummary {
  const matching = cells.filter((cell) => cell.target === target && cell.concurrency === concurrency);
  const totalDynamo: Record<string, number> = {};
  for (const cell of matching) {
    for (const [name, count] of Object.entries(cell.dynamoRequests.byTarget)) totalDynamo[name] = (totalDynamo[name] ?? 0) + count;
  }
  return {
    target,
    concurrency,
    rounds: matching.length,
    requestsPerSecond: median(matching.map((c) => c.requestsPerSecond)),
    p50Ms: median(matching.map((c) => c.latencyMs.p50)),
    p99Ms: median(matching.map((c) => c.latencyMs.p99)),
    errors: matching.reduce((sum, c) => sum + c.errors, 0),
    responses: matching.reduce((sum, c) => sum + c.responses, 0),
    serverCpuMicrosPerRequest: median(matching.map((c) => c.serverCpuMicrosPerRequest)),
    generatorCpuMicrosPerRequest: median(matching.map((c) => c.generatorCpuMicrosPerRequest)),
    dynamoRequests: matching.reduce((sum, c) => sum + c.dynamoRequests.total, 0),
    dynamoByOperation: totalDynamo,
    otherBusyCores: median(matching.map((c) => c.otherBusyCores)),
  };
}
