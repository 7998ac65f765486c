/** ScheduleKeyDeletion and CancelKeyDeletion: the waiting period before a key is deleted. */
import { UnsupportedOperationException, ValidationException } from '../../../models/kms/generated/errors.js';
import type { OperationCall, OperationHandler, LifecycleDeps } from '../service.js';
import { resolveKey } from '../keys/resolve-key.js';
import { saveKey } from '../operations/key-management.js';
import { needs } from '../../errors/service-error.js';
import { DAY_MS } from './due-dates.js';
import { say } from '../messages.js';

/** The waiting period AWS KMS applies when the request names none. */
export const DEFAULT_PENDING_WINDOW_DAYS = 30;
const MIN_PENDING_WINDOW_DAYS = 7;
const MAX_PENDING_WINDOW_DAYS = 30;

/** The lifecycle ports, or UnsupportedOperationException naming the operation where they are not wired. */
export function lifecycleOf(call: OperationCall<unknown>, operation: string): LifecycleDeps {
  const { lifecycle } = call.deps;
  /* Precondition: this deployment runs a lifecycle scheduler. */
  needs(lifecycle !== undefined, () => say('noLifecycleScheduler', { operation }), UnsupportedOperationException);
  return lifecycle;
}

export const scheduleKeyDeletion: OperationHandler<'ScheduleKeyDeletion'> = async (call) => {
  const { input } = call;
  lifecycleOf(call, 'ScheduleKeyDeletion');
  const days = input.PendingWindowInDays ?? DEFAULT_PENDING_WINDOW_DAYS;
  /* Precondition: the waiting period is 7 to 30 days. */
  needs(Number.isInteger(days) && days >= MIN_PENDING_WINDOW_DAYS && days <= MAX_PENDING_WINDOW_DAYS,
    say('pendingWindow'), ValidationException);
  const key = await resolveKey(call, input.KeyId, { allowAliases: false, rule: 'ScheduleKeyDeletion', action: 'kms:ScheduleKeyDeletion' });
  const deletionDate = call.deps.clock.now().getTime() + days * DAY_MS;
  await saveKey(call, key, { ...key, keyState: 'PendingDeletion', deletionDate });
  return { KeyId: key.arn, DeletionDate: new Date(deletionDate), KeyState: 'PendingDeletion', PendingWindowInDays: days };
};

export const cancelKeyDeletion: OperationHandler<'CancelKeyDeletion'> = async (call) => {
  lifecycleOf(call, 'CancelKeyDeletion');
  const key = await resolveKey(call, call.input.KeyId, { allowAliases: false, rule: 'CancelKeyDeletion', action: 'kms:CancelKeyDeletion' });
  const { deletionDate: _cancelled, ...kept } = key;
  // A key whose deletion is cancelled is Disabled, whatever state it was in before.
  await saveKey(call, key, { ...kept, keyState: 'Disabled' });
  return { KeyId: key.arn };
};
