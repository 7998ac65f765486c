/**
 * The figures of the asymmetric and HMAC section: one summary per target and concurrency, beside
 * the raw adapter rate measured before it and the HTTP floor at the same concurrency.
 */
import type { AsymmetricTarget, AsymmetricTargetId } from './asymmetric-targets.js';
import { summariseCells, type CellSummary } from './cell-summary.js';
import type { Measurements } from './measurement-rounds.js';
import type { Settings } from './settings.js';
import { median } from './stats.js';
import type { Target } from './symmetric-targets.js';

/** Medians of a target's raw adapter loops before one concurrency group. */
export interface RawAdapterRate {
  readonly opsPerSecond: number;
  readonly meanMicros: number;
  readonly cpuMicros: number;
}

export type AsymmetricSummary = CellSummary & { readonly id: AsymmetricTargetId; readonly tier: AsymmetricTarget['tier'] };

export interface AsymmetricRatio {
  readonly operation: Target;
  readonly tier: AsymmetricTarget['tier'];
  readonly concurrency: number;
  readonly rawOpsPerSecond: number;
  readonly rawMeanMicros: number;
  readonly rawCpuMicros: number;
  /** req/s ÷ the HTTP floor's req/s at the same concurrency. */
  readonly ofHttpFloor: number;
  /** req/s ÷ raw adapter ops/s. */
  readonly ofRawAdapter: number;
  /** Server CPU per request minus the CPU of one raw adapter operation, in microseconds. */
  readonly serverCpuMicrosAboveRaw: number;
}

export interface AsymmetricResults {
  readonly rawAsymmetricFor: (target: AsymmetricTargetId, concurrency: number) => RawAdapterRate;
  /** By concurrency then target. */
  readonly summaries: readonly AsymmetricSummary[];
  readonly ratios: readonly AsymmetricRatio[];
}

/** @param httpSummaries the symmetric section's summaries, where the HTTP floor rows are */
export function summariseAsymmetric(settings: Settings, measured: Measurements, httpSummaries: readonly CellSummary[]): AsymmetricResults {
  const { cells, rawAsymmetricRuns } = measured;
  const rawAsymmetricFor = (target: AsymmetricTargetId, concurrency: number): RawAdapterRate => {
    const runs = rawAsymmetricRuns.filter((r) => r.target === target && r.concurrency === concurrency);
    return {
      opsPerSecond: median(runs.map((r) => r.opsPerSecond)),
      meanMicros: median(runs.map((r) => r.meanMicros)),
      cpuMicros: median(runs.map((r) => (r.cpuMs * 1000) / Math.max(r.ops, 1))),
    };
  };
  const summaries = settings.concurrencies.flatMap((c) => settings.asymmetric.map((t) => ({ ...summariseCells(cells, t.label, c), id: t.id, tier: t.tier })));
  const ratios = summaries.map((s) => {
    const floor = httpSummaries.find((f) => f.target === 'HTTP floor' && f.concurrency === s.concurrency);
    const rawRate = rawAsymmetricFor(s.id, s.concurrency);
    return {
      operation: s.target,
      tier: s.tier,
      concurrency: s.concurrency,
      rawOpsPerSecond: rawRate.opsPerSecond,
      rawMeanMicros: rawRate.meanMicros,
      rawCpuMicros: rawRate.cpuMicros,
      ofHttpFloor: s.requestsPerSecond / (floor?.requestsPerSecond ?? Number.NaN),
      ofRawAdapter: s.requestsPerSecond / rawRate.opsPerSecond,
      serverCpuMicrosAboveRaw: s.serverCpuMicrosPerRequest - rawRate.cpuMicros,
    };
  });
  return { rawAsymmetricFor, summaries, ratios };
}
