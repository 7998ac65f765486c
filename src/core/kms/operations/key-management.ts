/** DescribeKey, ListKeys, UpdateKeyDescription, EnableKey and DisableKey. */
import type { OperationCall, OperationHandler } from '../service.js';
import { scopeOf } from '../service.js';
import type { KeyRecord } from '../records.js';
import { resolveKey } from '../keys/resolve-key.js';
import { keyArn } from '../keys/identifiers.js';
import { toKeyMetadata } from '../keys/key-metadata.js';
import { pageOf } from './paging.js';
import { isDeleted, lifecycleDueAt } from '../lifecycle/due-dates.js';

export const describeKey: OperationHandler<'DescribeKey'> = async (call) => {
  const key = await resolveKey(call, call.input.KeyId, { allowAliases: true, rule: 'DescribeKey', action: 'kms:DescribeKey' });
  return { KeyMetadata: toKeyMetadata(key) };
};

export const listKeys: OperationHandler<'ListKeys'> = async (call) => {
  const { deps, ctx, input } = call;
  await deps.access.onNoResource(call, 'kms:ListKeys');
  const { accountId, region } = scopeOf(ctx);
  const page = await deps.keys.listKeys(accountId, region, { limit: input.Limit ?? 100, marker: input.Marker });
  return {
    // A key past its deletion date is deleted, even before the scheduler removed its items.
    Keys: page.items.filter((key) => !isDeleted(key, deps.clock.now())).map((key) => ({ KeyId: key.keyId, KeyArn: keyArn({ accountId, region }, key.keyId) })),
    ...pageOf(page),
  };
};

export const updateKeyDescription: OperationHandler<'UpdateKeyDescription'> = async (call) => {
  const key = await resolveKey(call, call.input.KeyId, { allowAliases: false, rule: 'UpdateKeyDescription', action: 'kms:UpdateKeyDescription' });
  await saveKey(call, key, { ...key, description: call.input.Description });
  return {};
};

export const enableKey: OperationHandler<'EnableKey'> = async (call) => {
  const key = await resolveKey(call, call.input.KeyId, { allowAliases: false, rule: 'EnableKey', action: 'kms:EnableKey' });
  if (key.keyState !== 'Enabled') await saveKey(call, key, { ...key, keyState: 'Enabled' });
  return {};
};

export const disableKey: OperationHandler<'DisableKey'> = async (call) => {
  const key = await resolveKey(call, call.input.KeyId, { allowAliases: false, rule: 'DisableKey', action: 'kms:DisableKey' });
  if (key.keyState !== 'Disabled') await saveKey(call, key, { ...key, keyState: 'Disabled' });
  return {};
};

/**
 * Writes `next`, the changed metadata of `stored`, guarded by the revision `stored` was read at;
 * then, if the key's next lifecycle work moved, tells the lifecycle scheduler when it is due (the
 * metadata itself is the durable record, which a scheduler reloads or sweeps).
 */
export async function saveKey(call: OperationCall<unknown>, stored: KeyRecord, next: KeyRecord): Promise<void> {
  await call.deps.keys.updateKey({ ...next, revision: stored.revision + 1 }, stored.revision);
  await arrangeDueWork(call, stored, next);
}

/** Tells the scheduler when `next`, just written over `stored`, has its lifecycle work, if that date changed. */
export async function arrangeDueWork(call: OperationCall<unknown>, stored: KeyRecord, next: KeyRecord): Promise<void> {
  const due = lifecycleDueAt(next);
  if (lifecycleDueAt(stored) !== due) await call.deps.lifecycle?.scheduler.arrange(next, due);
}
