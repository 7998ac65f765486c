/** The key lifecycle's due work as a scheduler runs it: the core's run, then its audit event. */
import type { AuditSink, Clock, IdSource, KeyLocator } from '../core/ports/index.js';
import type { CoreDeps, LifecycleDeps } from '../core/kms/service.js';
import { runDueWork } from '../core/kms/lifecycle/due-work.js';
import { serviceEvent } from '../core/kms/lifecycle/service-events.js';

export interface LifecycleRunnerParts {
  readonly core: CoreDeps;
  readonly lifecycle: LifecycleDeps;
  readonly audit: AuditSink;
  readonly ids: IdSource;
  /** The real clock, for the audit event's time (as every other audit event). */
  readonly clock: Clock;
}

export function lifecycleRunner(parts: LifecycleRunnerParts): (locator: KeyLocator) => Promise<void> {
  return async (locator) => {
    const outcome = await runDueWork(parts.core, parts.lifecycle, locator);
    if (outcome.done === 'nothing') return;
    const details = outcome.done === 'RotateKey' ? { rotationType: outcome.rotationType, keyId: locator.keyId }
      : outcome.done === 'DeleteExpiredKeyMaterial' ? { keyId: locator.keyId } : undefined;
    await parts.audit.record(serviceEvent(outcome.done, { ...locator, arn: outcome.keyArn }, parts.clock.now(), parts.ids.uuid(), details));
  };
}
