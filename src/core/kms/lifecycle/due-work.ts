/**
 * The service's own lifecycle work on one key, run by the scheduler when it falls due: the same
 * in local mode and in the deployment's lifecycle function. Idempotent: running it twice, late, or
 * for a key that changed meanwhile, does the right thing.
 */
import type { KeyLocator } from '../../ports/index.js';
import type { CoreDeps, LifecycleDeps } from '../service.js';
import type { RotationType } from '../../../models/kms/generated/shapes.js';
import { dueRotation, isDeleted, lifecycleDueAt, materialExpired } from './due-dates.js';
import { rotateKeyMaterial } from './key-rotation.js';
import { withoutImportedMaterial } from '../operations/imported-material.js';

/** What the run did to the key, for the audit trail. */
export type DueWorkOutcome =
  | { readonly done: 'DeleteKey'; readonly keyArn: string }
  | { readonly done: 'RotateKey'; readonly keyArn: string; readonly rotationType: RotationType }
  | { readonly done: 'DeleteExpiredKeyMaterial'; readonly keyArn: string }
  | { readonly done: 'nothing' };

export async function runDueWork(deps: CoreDeps, lifecycle: LifecycleDeps, locator: KeyLocator): Promise<DueWorkOutcome> {
  const key = await deps.keys.getKey(locator);
  if (key === undefined) {
    await lifecycle.scheduler.arrange(locator, undefined);
    return { done: 'nothing' };
  }
  if (isDeleted(key, deps.clock.now())) {
    if (await lifecycle.removal.removeKey(key)) {
      await lifecycle.scheduler.arrange(locator, undefined);
      return { done: 'DeleteKey', keyArn: key.arn };
    }
    // Changed meanwhile (cancelled, rescheduled): arrange what the stored key now says.
    const current = await deps.keys.getKey(locator);
    await lifecycle.scheduler.arrange(locator, current === undefined ? undefined : lifecycleDueAt(current));
    return { done: 'nothing' };
  }
  if (materialExpired(key, deps.clock.now())) {
    const next = withoutImportedMaterial(key);
    await deps.keys.deleteKeyMaterial(next, key.revision, key.currentBackingKeyId);
    await lifecycle.scheduler.arrange(locator, lifecycleDueAt(next));
    return { done: 'DeleteExpiredKeyMaterial', keyArn: key.arn };
  }
  const rotation = dueRotation(key, deps.clock.now());
  if (rotation !== undefined) {
    // A concurrent change of the key fails this write (ConflictException); the scheduler retries.
    const rotated = await rotateKeyMaterial(deps, key, rotation);
    await lifecycle.scheduler.arrange(locator, lifecycleDueAt(rotated));
    return { done: 'RotateKey', keyArn: key.arn, rotationType: rotation };
  }
  // Not due yet (the clock of the caller ran ahead, or the work moved): arrange it again.
  await lifecycle.scheduler.arrange(locator, lifecycleDueAt(key));
  return { done: 'nothing' };
}
