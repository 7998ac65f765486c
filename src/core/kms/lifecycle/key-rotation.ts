/**
 * Rotation of symmetric encryption keys (Developer Guide, "Rotating AWS KMS keys"):
 * EnableKeyRotation, DisableKeyRotation, GetKeyRotationStatus, RotateKeyOnDemand and
 * ListKeyRotations, and the rotation itself, which the lifecycle runs when it falls due.
 *
 * RotateKeyOnDemand, as in AWS KMS, starts a rotation and returns: the key shows
 * `OnDemandRotationStartDate` until the lifecycle scheduler has made the new key material (at
 * once, in local mode), and the rotation is audited as the service's own RotateKey event.
 */
import { ConflictException, KMSInvalidStateException, LimitExceededException, UnsupportedOperationException } from '../../../models/kms/generated/errors.js';
import type { RotationsListEntry, RotationType } from '../../../models/kms/generated/shapes.js';
import { needs, withoutMessage } from '../../errors/service-error.js';
import { resolveKey } from '../keys/resolve-key.js';
import { say } from '../messages.js';
import { pageInMemory, pageOf } from '../operations/paging.js';
import { saveKey } from '../operations/key-management.js';
import type { AutomaticRotation, BackingKeyRecord, KeyRecord } from '../records.js';
import type { CoreDeps, OperationHandler } from '../service.js';
import { DAY_MS } from './due-dates.js';
import { lifecycleOf } from './key-deletion.js';

/** EnableKeyRotation's period when the request names none. */
export const DEFAULT_ROTATION_PERIOD_DAYS = 365;
/** On-demand rotations per key (API Reference, RotateKeyOnDemand: "a maximum of 25 times per KMS key"). */
export const ON_DEMAND_ROTATION_LIMIT = 25;
/** RotateKeyOnDemand is refused this close to an automatic rotation (the model's ConflictException). */
const AUTOMATIC_ROTATION_GUARD_MS = 20 * 60_000;
const DEFAULT_ROTATION_PAGE = 100;

/** Refuses keys that cannot rotate: rotation is for symmetric encryption keys only. */
function assertRotatable(key: KeyRecord): void {
  /* Precondition: only symmetric encryption keys rotate (AWS answers others without a message). */
  needs(key.keySpec === 'SYMMETRIC_DEFAULT', withoutMessage(`${key.keySpec} keys cannot be rotated.`), UnsupportedOperationException);
}

export const enableKeyRotation: OperationHandler<'EnableKeyRotation'> = async (call) => {
  lifecycleOf(call, 'EnableKeyRotation');
  const key = await resolveKey(call, call.input.KeyId, { allowAliases: false, rule: 'EnableKeyRotation', action: 'kms:EnableKeyRotation' });
  assertRotatable(key);
  const periodDays = call.input.RotationPeriodInDays ?? DEFAULT_ROTATION_PERIOD_DAYS;
  const now = call.deps.clock.now().getTime();
  const rotation = enabledRotation(key.rotation, periodDays, now);
  if (rotation !== key.rotation) await saveKey(call, key, { ...key, rotation });
  return {};
};

/**
 * The automatic rotation after EnableKeyRotation: the first one `periodDays` after rotation was
 * enabled. Enabling it again with the same period changes nothing; with another period, the
 * next date moves to the new period after the last enable or rotation (at once if that is past).
 */
export function enabledRotation(current: AutomaticRotation | undefined, periodDays: number, now: number): AutomaticRotation {
  if (current === undefined) return { periodDays, nextRotationDate: now + periodDays * DAY_MS };
  if (current.periodDays === periodDays) return current;
  const since = current.nextRotationDate - current.periodDays * DAY_MS;
  return { periodDays, nextRotationDate: Math.max(since + periodDays * DAY_MS, now) };
}

export const disableKeyRotation: OperationHandler<'DisableKeyRotation'> = async (call) => {
  lifecycleOf(call, 'DisableKeyRotation');
  const key = await resolveKey(call, call.input.KeyId, { allowAliases: false, rule: 'DisableKeyRotation', action: 'kms:DisableKeyRotation' });
  assertRotatable(key);
  if (key.rotation !== undefined) {
    const { rotation: _disabled, ...rest } = key;
    await saveKey(call, key, rest);
  }
  return {};
};

export const getKeyRotationStatus: OperationHandler<'GetKeyRotationStatus'> = async (call) => {
  const key = await resolveKey(call, call.input.KeyId, { allowAliases: false, rule: 'GetKeyRotationStatus', action: 'kms:GetKeyRotationStatus' });
  assertRotatable(key);
  // "While a KMS key is pending deletion, its key rotation status is false"; cancelling restores it.
  const rotation = key.keyState === 'PendingDeletion' ? undefined : key.rotation;
  return {
    KeyId: key.arn,
    KeyRotationEnabled: rotation !== undefined,
    ...(rotation === undefined ? {} : { RotationPeriodInDays: rotation.periodDays, NextRotationDate: new Date(rotation.nextRotationDate) }),
    ...(key.onDemandRotationStartDate === undefined ? {} : { OnDemandRotationStartDate: new Date(key.onDemandRotationStartDate) }),
  };
};

export const rotateKeyOnDemand: OperationHandler<'RotateKeyOnDemand'> = async (call) => {
  lifecycleOf(call, 'RotateKeyOnDemand');
  const key = await resolveKey(call, call.input.KeyId, { allowAliases: false, rule: 'RotateKeyOnDemand', action: 'kms:RotateKeyOnDemand' });
  assertRotatable(key);
  /* Precondition: a key with imported key material has new material waiting to become current. */
  needs(key.origin !== 'EXTERNAL' || key.pendingImportedMaterial !== undefined, () => say('noPendingMaterial', { arn: key.arn }), KMSInvalidStateException);
  const now = call.deps.clock.now().getTime();
  /* Precondition: no on-demand rotation of the key is in progress. */
  needs(key.onDemandRotationStartDate === undefined, () => say('onDemandRotationInProgress', { arn: key.arn }), ConflictException);
  /* Precondition: no automatic rotation is in progress or due within 20 minutes. */
  needs(key.rotation === undefined || key.rotation.nextRotationDate - now > AUTOMATIC_ROTATION_GUARD_MS,
    () => say('automaticRotationImminent', { arn: key.arn }), ConflictException);
  /* Precondition: the key has on-demand rotations left. */
  needs((key.onDemandRotations ?? 0) < ON_DEMAND_ROTATION_LIMIT, () => say('onDemandRotationLimit', { arn: key.arn }), LimitExceededException);
  await saveKey(call, key, { ...key, onDemandRotationStartDate: now, onDemandRotations: (key.onDemandRotations ?? 0) + 1 });
  return { KeyId: key.arn };
};

export const listKeyRotations: OperationHandler<'ListKeyRotations'> = async (call) => {
  const { input } = call;
  const key = await resolveKey(call, input.KeyId, { allowAliases: false, rule: 'ListKeyRotations', action: 'kms:ListKeyRotations' });
  assertRotatable(key);
  const versions = [...await call.deps.keys.listBackingKeys(key)]
    .filter((version) => input.IncludeKeyMaterial === 'ALL_KEY_MATERIAL' || version.rotation !== undefined)
    .sort((a, b) => (a.rotation?.date ?? a.creationDate) - (b.rotation?.date ?? b.creationDate) || a.creationDate - b.creationDate);
  const page = pageInMemory(versions, input.Limit ?? DEFAULT_ROTATION_PAGE, input.Marker);
  return { Rotations: page.items.map((version) => rotationEntry(key, version)), ...pageOf(page) };
};

function rotationEntry(key: KeyRecord, version: BackingKeyRecord): RotationsListEntry {
  return {
    KeyId: key.arn,
    KeyMaterialId: version.backingKeyId,
    KeyMaterialState: version.backingKeyId === key.currentBackingKeyId ? 'CURRENT' : 'NON_CURRENT',
    ...(version.rotation === undefined ? {} : { RotationDate: new Date(version.rotation.date), RotationType: version.rotation.type }),
  };
}

/**
 * The rotation itself, as the lifecycle runs it: new key material in the token becomes current,
 * in one write with the metadata that names it (older versions stay, so every ciphertext still
 * decrypts). An automatic rotation moves the next date on by whole periods, keeping its
 * schedule; an on-demand one leaves the schedule as it is. Returns the key as written.
 */
export async function rotateKeyMaterial(deps: CoreDeps, key: KeyRecord, type: RotationType): Promise<KeyRecord> {
  if (key.origin === 'EXTERNAL') return rotateToImportedMaterial(deps, key);
  const now = deps.clock.now().getTime();
  const backingKey: BackingKeyRecord = {
    accountId: key.accountId,
    region: key.region,
    keyId: key.keyId,
    backingKeyId: deps.ids.hex64(),
    wrappedMaterial: await deps.material.generateSymmetricKey(),
    creationDate: now,
    rotation: { date: now, type },
  };
  const { onDemandRotationStartDate, rotation, ...rest } = key;
  const written: KeyRecord = {
    ...rest,
    // An on-demand rotation is done once its material is current; an automatic one leaves it pending.
    ...(type === 'AUTOMATIC' && onDemandRotationStartDate !== undefined ? { onDemandRotationStartDate } : {}),
    ...(rotation === undefined ? {} : { rotation: type === 'AUTOMATIC' ? { ...rotation, nextRotationDate: nextAfter(rotation, now) } : rotation }),
    currentBackingKeyId: backingKey.backingKeyId,
    revision: key.revision + 1,
  };
  await deps.keys.rotateKey(written, key.revision, backingKey);
  return written;
}

/**
 * The on-demand rotation of a key with imported key material: the new material imported for it
 * (stored with its backing key already) becomes current, with the terms it was imported with.
 */
async function rotateToImportedMaterial(deps: CoreDeps, key: KeyRecord): Promise<KeyRecord> {
  const { onDemandRotationStartDate: _done, pendingImportedMaterial: pending, ...rest } = key;
  const written: KeyRecord = {
    ...rest,
    ...(pending === undefined ? {} : { currentBackingKeyId: pending.keyMaterialId, importedMaterial: pending.terms }),
    revision: key.revision + 1,
  };
  await deps.keys.updateKey(written, key.revision);
  return written;
}

/** The first scheduled date after `now`: the schedule advanced by whole periods. */
function nextAfter(rotation: AutomaticRotation, now: number): number {
  const period = rotation.periodDays * DAY_MS;
  const missed = Math.floor((now - rotation.nextRotationDate) / period) + 1;
  return rotation.nextRotationDate + Math.max(missed, 1) * period;
}
