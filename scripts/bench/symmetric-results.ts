/**
 * The figures of the HTTP floor and symmetric section: the raw PKCS#11 rate, one summary per target
 * and concurrency, ratios to both floors, and how often the hot path called DynamoDB.
 */
import { cacheTtlFromEnv } from '../../src/composition/core-deps.js';
import { summariseCells, type CellSummary } from './cell-summary.js';
import type { Measurements } from './measurement-rounds.js';
import type { Settings } from './settings.js';
import { median } from './stats.js';
import type { Target } from './symmetric-targets.js';

export interface SymmetricRatio {
  readonly operation: Target;
  readonly concurrency: number;
  /** req/s ÷ the HTTP floor's req/s at the same concurrency. */
  readonly ofHttpFloor: number;
  /** req/s ÷ raw PKCS#11 encrypt ops/s measured before that concurrency group. */
  readonly ofRawPkcs11: number;
}

/** DynamoDB requests the service made during a target's cells, against the KMS requests it served. */
export interface DynamoWarmCheck {
  readonly operation: Target;
  readonly concurrency: number;
  readonly kmsRequests: number;
  readonly dynamoRequests: number;
  readonly byOperation: Readonly<Record<string, number>>;
  readonly perRequest: number;
}

export interface SymmetricResults {
  /** Median raw PKCS#11 AES-GCM encrypt rate over every run. */
  readonly rawOpsPerSecond: number;
  readonly rawMeanMicros: number;
  /** Median raw PKCS#11 encrypt rate of the runs before one concurrency group. */
  readonly rawFor: (concurrency: number) => number;
  /** HTTP floor and symmetric targets, by concurrency then target. */
  readonly summaries: readonly CellSummary[];
  readonly ratios: readonly SymmetricRatio[];
  readonly ttlMs: number;
  readonly warmCheck: readonly DynamoWarmCheck[];
  /** Whether any target called DynamoDB about once per request or more often (at least 1 per 100). */
  readonly hotPathReadsDynamo: boolean;
}

/** @param targets the HTTP floor and the selected symmetric operations, in the order of the report */
export function summariseSymmetric(settings: Settings, targets: readonly Target[], measured: Measurements): SymmetricResults {
  const { cells, raws } = measured;
  const rawOpsPerSecond = median(raws.map((r) => r.opsPerSecond));
  const rawMeanMicros = median(raws.map((r) => r.meanMicros));
  const rawFor = (concurrency: number): number => median(raws.filter((r) => r.concurrency === concurrency).map((r) => r.opsPerSecond));
  const summaries = settings.concurrencies.flatMap((c) => targets.map((t) => summariseCells(cells, t, c)));
  const ratios = summaries
    .filter((s) => s.target !== 'HTTP floor')
    .map((s) => {
      const floor = summaries.find((f) => f.target === 'HTTP floor' && f.concurrency === s.concurrency);
      return {
        operation: s.target,
        concurrency: s.concurrency,
        ofHttpFloor: s.requestsPerSecond / (floor?.requestsPerSecond ?? Number.NaN),
        ofRawPkcs11: s.requestsPerSecond / rawFor(s.concurrency),
      };
    });
  const ttlMs = cacheTtlFromEnv(process.env);
  const warmCheck = summaries
    .filter((s) => s.target !== 'HTTP floor')
    .map((s) => ({
      operation: s.target,
      concurrency: s.concurrency,
      kmsRequests: s.responses,
      dynamoRequests: s.dynamoRequests,
      byOperation: s.dynamoByOperation,
      // Reads per request would show up as >= 1 per request; cache refreshes as a handful per TTL.
      perRequest: s.dynamoRequests / Math.max(s.responses, 1),
    }));
  const hotPathReadsDynamo = warmCheck.some((w) => w.perRequest >= 0.01);
  return { rawOpsPerSecond, rawMeanMicros, rawFor, summaries, ratios, ttlMs, warmCheck, hotPathReadsDynamo };
}
