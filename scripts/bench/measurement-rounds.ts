/**
 * The measuring order: an initial warm-up of every target, then for each round and concurrency the
 * raw PKCS#11 loop, the HTTP floor and symmetric cells, and each asymmetric target's raw adapter
 * loop right before its own cell; last, the optional profiled Encrypt cell.
 */
import type { AsymmetricTargetId } from './asymmetric-targets.js';
import { log } from './bench-failure.js';
import type { CellResult, CellRunner } from './cell-runner.js';
import type { ProfileSummary } from './profiler.js';
import type { RawAsymmetricBench } from './raw-asymmetric.js';
import type { RawPkcs11Bench, RawResult } from './raw-pkcs11.js';
import type { Settings } from './settings.js';
import { PLAINTEXT_BYTES, type Target } from './symmetric-targets.js';

/** One raw PKCS#11 AES-GCM loop, measured right before the group of cells it is compared with. */
export type RawEncryptRun = RawResult & { concurrency: number; round: number };

/** One raw adapter loop of an asymmetric or HMAC target, measured right before that target's cell. */
export type RawAsymmetricRun = RawResult & { target: AsymmetricTargetId; concurrency: number; round: number };

/** The profiled Encrypt cell (not part of the tables). */
export interface ProfiledEncrypt {
  readonly summary: ProfileSummary;
  readonly requestsPerSecond: number;
  readonly concurrency: number;
}

export interface Measurements {
  readonly cells: readonly CellResult[];
  readonly raws: readonly RawEncryptRun[];
  readonly rawAsymmetricRuns: readonly RawAsymmetricRun[];
  readonly profile: ProfiledEncrypt | undefined;
}

/**
 * Measures every cell of the run.
 * @param targets the HTTP floor and the selected symmetric operations, in the order of the report
 */
export async function runMeasurements(
  settings: Settings,
  targets: readonly Target[],
  runner: CellRunner,
  raw: RawPkcs11Bench,
  rawAsymmetric: RawAsymmetricBench | undefined,
): Promise<Measurements> {
  const asymmetricTargets = settings.asymmetric;
  const cells: CellResult[] = [];
  // The crypto floor is measured right before each group of cells it is compared with.
  const raws: RawEncryptRun[] = [];
  // Each asymmetric target's adapter floor is measured right before its own cell.
  const rawAsymmetricRuns: RawAsymmetricRun[] = [];
  log('initial warm-up of every target ...');
  for (const target of [...targets, ...asymmetricTargets.map((t) => t.label)]) await runner.warm(target, Math.max(...settings.concurrencies));
  for (let round = 1; round <= settings.rounds; round++) {
    for (const concurrency of settings.concurrencies) {
      if (settings.symmetric.length > 0) {
        log(`round ${round}/${settings.rounds}: raw PKCS#11 AES-GCM loop (for c=${concurrency}) ...`);
        raws.push({ ...(await raw.encryptLoop(PLAINTEXT_BYTES, settings.rawOps, settings.durationSeconds)), concurrency, round });
      }
      for (const target of targets) {
        log(`round ${round}/${settings.rounds}: ${target} c=${concurrency} ...`);
        cells.push(await runner.cell(target, concurrency, round));
      }
      for (const target of asymmetricTargets) {
        if (rawAsymmetric === undefined) break;
        log(`round ${round}/${settings.rounds}: raw ${target.tier}-tier ${target.label} loop (for c=${concurrency}) ...`);
        rawAsymmetricRuns.push({ ...(await rawAsymmetric.loop(target, settings.rawOps, settings.asymDurationSeconds)), target: target.id, concurrency, round });
        log(`round ${round}/${settings.rounds}: ${target.label} c=${concurrency} ...`);
        cells.push(await runner.cell(target.label, concurrency, round));
      }
    }
  }
  let profile: ProfiledEncrypt | undefined;
  if (settings.profile) {
    const concurrency = Math.max(...settings.concurrencies);
    log(`profiling the service during Encrypt c=${concurrency} (not part of the table) ...`);
    profile = { ...(await runner.profiledEncrypt(concurrency)), concurrency };
  }
  return { cells, raws, rawAsymmetricRuns, profile };
}
