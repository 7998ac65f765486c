/** The `--json` file: settings, every cell, the summaries and ratios of both sections, and the profile. */
import { writeFile } from 'node:fs/promises';
import type { AsymmetricResults } from './asymmetric-results.js';
import { log } from './bench-failure.js';
import type { MachineFacts } from './machine.js';
import type { Measurements } from './measurement-rounds.js';
import type { Settings } from './settings.js';
import type { RawResult } from './raw-pkcs11.js';
import type { SymmetricResults } from './symmetric-results.js';

export interface JsonResults {
  readonly path: string;
  readonly command: string;
  readonly facts: MachineFacts;
  readonly settings: Settings;
  /** When the local service was asked to start (epoch milliseconds). */
  readonly started: number;
  readonly measured: Measurements;
  readonly symmetric: SymmetricResults;
  readonly asymmetric: AsymmetricResults;
  /** One record integrity check through the token (`RawPkcs11Bench.recordCheckLoop`). */
  readonly recordCheck: RawResult;
}

export async function writeJsonResults(results: JsonResults): Promise<void> {
  const { path, command, facts, settings, started, measured, symmetric, asymmetric, recordCheck } = results;
  const { cells, raws, rawAsymmetricRuns, profile } = measured;
  const json = {
    command, machine: facts, settings, startedAt: new Date(started).toISOString(),
    rawPkcs11: { opsPerSecond: symmetric.rawOpsPerSecond, meanMicros: symmetric.rawMeanMicros, runs: raws },
    summaries: symmetric.summaries, ratios: symmetric.ratios, cells,
    asymmetric: { targets: settings.asymmetric, rawAdapter: rawAsymmetricRuns, summaries: asymmetric.summaries, ratios: asymmetric.ratios },
    recordCheck: { meanMicros: recordCheck.meanMicros, checksPerSecond: recordCheck.opsPerSecond },
    dynamoCheck: { cacheTtlMs: symmetric.ttlMs, perRequestReads: symmetric.hotPathReadsDynamo, cells: symmetric.warmCheck },
    profile: profile === undefined ? undefined : {
      ...profile,
      summary: { ...profile.summary, byOrigin: profile.summary.byOrigin.slice(0, 40), byFunction: profile.summary.byFunction.slice(0, 40) },
    },
  };
  await writeFile(path, `${JSON.stringify(json, null, 2)}\n`);
  log(`wrote ${path}`);
}
