/**
 * The lifecycle function's handler: runs the due work of one key (the event a key's one-time
 * schedule or an immediate hand-over sends: its locator), or sweeps every key whose work is due
 * (`{ "sweep": true }`, from a fixed-rate schedule, catching up on any schedule that was missed).
 * The table may be written by an attacker and events come from the service's own schedules only,
 * but a malformed event is refused without running anything.
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
}

export type LifecycleEvent = KeyLocator | { readonly sweep: true };

const ACCOUNT = /^\d{12}$/;
const REGION = /^[a-z]{2}(?:-[a-z]+)+-\d$/;
const KEY_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The locator an event names, `sweep`, or undefined for an event that is neither. */
export function lifecycleEventOf(event: unknown): KeyLocator | 'sweep' | undefined {
  if (typeof event !== 'object' || event === null) return undefined;
  const fields = event as Record<string, unknown>;
  if (fields['sweep'] === true && Object.keys(fields).length === 1) return 'sweep';
  const { accountId, region, keyId } = fields;
  if (typeof accountId !== 'string' || typeof region !== 'string' || typeof keyId !== 'string') return undefined;
  return ACCOUNT.test(accountId) && REGION.test(region) && KEY_ID.test(keyId) ? { accountId, region, keyId } : undefined;
}

export function createLifecycleHandler(deps: LifecycleHandlerDeps): (event: unknown) => Promise<{ readonly ran: number }> {
  return async (event) => {
    const target = lifecycleEventOf(event);
    if (target === undefined) {
      deps.logger.error('lifecycle event refused: neither a key locator nor a sweep', {});
      return { ran: 0 };
    }
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
