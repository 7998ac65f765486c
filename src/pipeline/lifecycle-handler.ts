/**
 * The lifecycle function's handler: runs the due work of one key (the event a key's one-time
 * schedule or an immediate hand-over sends: its locator), sweeps every key whose work is due
 * (`{ "sweep": true }`, from a fixed-rate schedule, catching up on any schedule that was missed),
 * or checks every record of the table under the token's integrity key (`{ "verifyRecords": true }`,
 * from a daily schedule). The table may be written by an attacker and events come from the
 * service's own schedules only, but a malformed event is refused without running anything.
 */
import type { Clock, DueWorkIndex, KeyLocator } from '../core/ports/index.js';
import type { Logger } from './logger.js';

export interface LifecycleHandlerDeps {
  /** Runs one key's due work and writes its audit event (`lifecycleRunner`). */
  readonly run: (locator: KeyLocator) => Promise<void>;
  readonly index: DueWorkIndex;
  /** The clock due dates are on. */
  readonly clock: Clock;
  readonly logger: Logger;
  /**
   * Checks every authenticated record of the table (giving a record made before records were
   * authenticated its MAC first, `sealed`); each failure is reported (logged and audited) by the
   * callee, which answers with the counts.
   */
  readonly verifyRecords: () => Promise<RecordVerification>;
}

/** What a verification of the table found. */
export interface RecordVerification {
  /** Authenticated records checked. */
  readonly checked: number;
  /** Records that failed their check (each reported already). */
  readonly failed: number;
  /** Records without a MAC that were given one (the one-time upgrade), when it ran. */
  readonly sealed?: number;
}

export type LifecycleEvent = KeyLocator | { readonly sweep: true } | { readonly verifyRecords: true };

/** What one event did: the keys whose work ran; for a verification, also its counts. */
export interface LifecycleOutcome {
  readonly ran: number;
  readonly checked?: number;
  readonly failed?: number;
}

const ACCOUNT = /^\d{12}$/;
const REGION = /^[a-z]{2}(?:-[a-z]+)+-\d$/;
const KEY_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The locator an event names, `sweep`, `verifyRecords`, or undefined for an event that is none of them. */
export function lifecycleEventOf(event: unknown): KeyLocator | 'sweep' | 'verifyRecords' | undefined {
  if (typeof event !== 'object' || event === null) return undefined;
  const fields = event as Record<string, unknown>;
  const single = Object.keys(fields).length === 1;
  if (fields['sweep'] === true && single) return 'sweep';
  if (fields['verifyRecords'] === true && single) return 'verifyRecords';
  const { accountId, region, keyId } = fields;
  if (typeof accountId !== 'string' || typeof region !== 'string' || typeof keyId !== 'string') return undefined;
  return ACCOUNT.test(accountId) && REGION.test(region) && KEY_ID.test(keyId) ? { accountId, region, keyId } : undefined;
}

export function createLifecycleHandler(deps: LifecycleHandlerDeps): (event: unknown) => Promise<LifecycleOutcome> {
  return async (event) => {
    const target = lifecycleEventOf(event);
    if (target === undefined) {
      deps.logger.error('lifecycle event refused: neither a key locator nor a sweep', {});
      return { ran: 0 };
    }
    if (target === 'verifyRecords') return verify(deps);
    const keys = target === 'sweep' ? (await deps.index.dueKeys(deps.clock.now().getTime())).map((due) => due.locator) : [target];
    let ran = 0;
    for (const locator of keys) {
      try {
        await deps.run(locator);
        ran += 1;
      } catch (error) {
        // One key's failure does not stop the sweep; its due date keeps it in the next one.
        deps.logger.error('lifecycle run failed', { keyId: locator.keyId, error: String(error) });
        if (target !== 'sweep') throw error;
      }
    }
    return { ran };
  };
}

/** Runs the verification and logs its counts; a failure of the scan itself is logged and rethrown, so the invocation fails (and is retried and alarmed as one). */
async function verify(deps: LifecycleHandlerDeps): Promise<LifecycleOutcome> {
  let report: RecordVerification;
  try {
    report = await deps.verifyRecords();
  } catch (error) {
    deps.logger.error('record verification failed', { error: String(error) });
    throw error;
  }
  const { checked, failed, sealed } = report;
  deps.logger.info('records verified', { checked, failed, ...(sealed === undefined ? {} : { sealed }) });
  return { ran: 0, checked, failed };
}
