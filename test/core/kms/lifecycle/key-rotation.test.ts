/**
 * Rotation (Developer Guide, "Rotating AWS KMS keys"; API Reference for the five operations)
 * through the core handlers and the lifecycle's due work, on a clock the tests move.
 */
import { describe, expect, it } from 'vitest';
import {
  ConflictException, DisabledException, LimitExceededException, UnsupportedOperationException,
} from '../../../../src/models/kms/generated/errors.js';
import {
  disableKeyRotation, enableKeyRotation, enabledRotation, getKeyRotationStatus, listKeyRotations, ON_DEMAND_ROTATION_LIMIT, rotateKeyOnDemand,
} from '../../../../src/core/kms/lifecycle/key-rotation.js';
import { cancelKeyDeletion, scheduleKeyDeletion } from '../../../../src/core/kms/lifecycle/key-deletion.js';
import { decrypt, encrypt, reEncrypt } from '../../../../src/core/kms/operations/encrypt-decrypt.js';
import { generateDataKey } from '../../../../src/core/kms/operations/data-keys.js';
import { describeKey, disableKey, enableKey } from '../../../../src/core/kms/operations/key-management.js';
import type { KeyRecord } from '../../../../src/core/kms/records.js';
import { bytes, caught, dueWorkRunner, makeCore, makeKeyId, runHandler, seedAsymmetricKey, seedKey, type CoreHarness } from '../../../support/core.js';

const DAY = 86_400_000;

const runDue = (core: CoreHarness, key: KeyRecord) => dueWorkRunner(core)(key);

async function currentMaterial(core: CoreHarness, key: KeyRecord): Promise<string | undefined> {
  return (await runHandler(core, describeKey, { KeyId: key.keyId })).KeyMetadata?.CurrentKeyMaterialId;
}

describe('EnableKeyRotation, DisableKeyRotation and GetKeyRotationStatus', () => {
  it('reports rotation disabled for a new key, and enabled with the default period of 365 days and its next date once enabled', async () => {
    // Prepare
    const core = makeCore();
    const key = await seedKey(core);
    const now = core.clock.now().getTime();

    // Act
    const before = await runHandler(core, getKeyRotationStatus, { KeyId: key.keyId });
    await runHandler(core, enableKeyRotation, { KeyId: key.keyId });
    const after = await runHandler(core, getKeyRotationStatus, { KeyId: key.arn });

    // Assess
    expect(before).toEqual({ KeyId: key.arn, KeyRotationEnabled: false });
    expect(after).toEqual({ KeyId: key.arn, KeyRotationEnabled: true, RotationPeriodInDays: 365, NextRotationDate: new Date(now + 365 * DAY) });
  });

  it('takes a rotation period, moves the next date when the period changes, and forgets it when disabled', async () => {
    // Prepare
    const core = makeCore();
    const key = await seedKey(core);
    const now = core.clock.now().getTime();

    // Act
    await runHandler(core, enableKeyRotation, { KeyId: key.keyId, RotationPeriodInDays: 180 });
    core.clock.advance(10 * DAY);
    await runHandler(core, enableKeyRotation, { KeyId: key.keyId, RotationPeriodInDays: 90 });
    const changed = await runHandler(core, getKeyRotationStatus, { KeyId: key.keyId });
    await runHandler(core, disableKeyRotation, { KeyId: key.keyId });
    const disabled = await runHandler(core, getKeyRotationStatus, { KeyId: key.keyId });

    // Assess
    expect(changed).toMatchObject({ RotationPeriodInDays: 90, NextRotationDate: new Date(now + 90 * DAY) });
    expect(disabled).toEqual({ KeyId: key.arn, KeyRotationEnabled: false });
  });

  it.each([
    ['a first enable', undefined, 365, 1_000, { periodDays: 365, nextRotationDate: 1_000 + 365 * DAY }],
    ['the same period again', { periodDays: 90, nextRotationDate: 5 * DAY }, 90, 3 * DAY, { periodDays: 90, nextRotationDate: 5 * DAY }],
    ['a longer period', { periodDays: 90, nextRotationDate: 90 * DAY }, 180, 10 * DAY, { periodDays: 180, nextRotationDate: 180 * DAY }],
    ['a shorter period that is already past', { periodDays: 365, nextRotationDate: 365 * DAY }, 90, 100 * DAY, { periodDays: 90, nextRotationDate: 100 * DAY }],
  ] as const)('schedules %s from the last enable or rotation', (_case, current, period, now, expected) => {
    // Prepare / Act
    const rotation = enabledRotation(current, period, now);

    // Assess
    expect(rotation).toEqual(expected);
  });

  it('shows rotation as disabled while the key is pending deletion, and as it was once the deletion is cancelled', async () => {
    // Prepare
    const core = makeCore();
    const key = await seedKey(core);
    await runHandler(core, enableKeyRotation, { KeyId: key.keyId, RotationPeriodInDays: 90 });

    // Act
    await runHandler(core, scheduleKeyDeletion, { KeyId: key.keyId, PendingWindowInDays: 7 });
    const pending = await runHandler(core, getKeyRotationStatus, { KeyId: key.keyId });
    await runHandler(core, cancelKeyDeletion, { KeyId: key.keyId });
    const cancelled = await runHandler(core, getKeyRotationStatus, { KeyId: key.keyId });

    // Assess
    expect(pending).toEqual({ KeyId: key.arn, KeyRotationEnabled: false });
    expect(cancelled).toMatchObject({ KeyRotationEnabled: true, RotationPeriodInDays: 90 });
  });

  it.each([
    ['EnableKeyRotation', enableKeyRotation],
    ['DisableKeyRotation', disableKeyRotation],
    ['GetKeyRotationStatus', getKeyRotationStatus],
    ['RotateKeyOnDemand', rotateKeyOnDemand],
    ['ListKeyRotations', listKeyRotations],
  ] as const)('throws UnsupportedOperationException without a message from %s on an asymmetric or HMAC key (only symmetric encryption keys rotate)', async (_name, handler) => {
    // Prepare
    const core = makeCore();
    const rsa = await seedAsymmetricKey(core, { keyId: makeKeyId(2), keySpec: 'RSA_2048', keyUsage: 'ENCRYPT_DECRYPT' });
    const hmac = await seedAsymmetricKey(core, { keyId: makeKeyId(3), keySpec: 'HMAC_256', keyUsage: 'GENERATE_VERIFY_MAC' });

    // Act
    const errors = [await caught(runHandler(core, handler as never, { KeyId: rsa.keyId })), await caught(runHandler(core, handler as never, { KeyId: hmac.keyId }))];

    // Assess
    for (const error of errors) {
      expect(error).toBeInstanceOf(UnsupportedOperationException);
      expect(error.message).toBe('');
    }
  });

  it('throws DisabledException when rotation of a disabled key is changed (AWS\'s recorded answer for RotateKeyOnDemand)', async () => {
    // Prepare
    const core = makeCore();
    const key = await seedKey(core, { keyState: 'Disabled' });

    // Act
    const error = await caught(runHandler(core, rotateKeyOnDemand, { KeyId: key.keyId }));

    // Assess
    expect(error).toBeInstanceOf(DisabledException);
    expect(error.message).toBe(`${key.arn} is disabled.`);
  });
});

describe('automatic rotation', () => {
  it('rotates when the next date comes: new ciphertext uses the new material, older ciphertext still decrypts, and the schedule moves on one period', async () => {
    // Prepare
    const core = makeCore();
    const key = await seedKey(core);
    await runHandler(core, enableKeyRotation, { KeyId: key.keyId, RotationPeriodInDays: 90 });
    const first = await currentMaterial(core, key);
    const old = await runHandler(core, encrypt, { KeyId: key.keyId, Plaintext: bytes('before') });
    const { NextRotationDate } = await runHandler(core, getKeyRotationStatus, { KeyId: key.keyId });

    // Act
    core.clock.advance(89 * DAY);
    const early = await runDue(core, key);
    core.clock.advance(DAY);
    const due = await runDue(core, key);

    // Assess
    expect(early).toEqual({ done: 'nothing' });
    expect(due).toEqual({ done: 'RotateKey', keyArn: key.arn, rotationType: 'AUTOMATIC' });
    const second = await currentMaterial(core, key);
    expect(second).toMatch(/^[0-9a-f]{64}$/);
    expect(second).not.toBe(first);
    const fresh = await runHandler(core, encrypt, { KeyId: key.keyId, Plaintext: bytes('after') });
    const oldPlain = await runHandler(core, decrypt, { CiphertextBlob: old.CiphertextBlob });
    const freshPlain = await runHandler(core, decrypt, { CiphertextBlob: fresh.CiphertextBlob });
    expect([oldPlain.KeyMaterialId, freshPlain.KeyMaterialId]).toEqual([first, second]);
    expect(new TextDecoder().decode(oldPlain.Plaintext)).toBe('before');
    expect((await runHandler(core, getKeyRotationStatus, { KeyId: key.keyId })).NextRotationDate)
      .toEqual(new Date((NextRotationDate?.getTime() ?? 0) + 90 * DAY));
    expect(core.scheduler.pending().map((p) => p.dueAt)).toEqual([(NextRotationDate?.getTime() ?? 0) + 90 * DAY]);
  });

  it('does not rotate a disabled key, and rotates it at once when it is enabled after its date (keeping the schedule)', async () => {
    // Prepare
    const core = makeCore();
    const key = await seedKey(core);
    await runHandler(core, enableKeyRotation, { KeyId: key.keyId, RotationPeriodInDays: 90 });
    const start = core.clock.now().getTime();
    await runHandler(core, disableKey, { KeyId: key.keyId });
    const first = await currentMaterial(core, key);

    // Act
    core.clock.advance(200 * DAY);
    const whileDisabled = await runDue(core, key);
    await runHandler(core, enableKey, { KeyId: key.keyId });
    const afterEnable = await runDue(core, key);

    // Assess
    expect(whileDisabled).toEqual({ done: 'nothing' });
    expect(afterEnable).toMatchObject({ done: 'RotateKey', rotationType: 'AUTOMATIC' });
    expect(await currentMaterial(core, key)).not.toBe(first);
    expect((await runHandler(core, getKeyRotationStatus, { KeyId: key.keyId })).NextRotationDate).toEqual(new Date(start + 270 * DAY));
  });

  it('moves ReEncrypt\'d ciphertext to the newest material', async () => {
    // Prepare
    const core = makeCore();
    const key = await seedKey(core);
    const old = await runHandler(core, encrypt, { KeyId: key.keyId, Plaintext: bytes('x') });
    await runHandler(core, rotateKeyOnDemand, { KeyId: key.keyId });
    await runDue(core, key);

    // Act
    const moved = await runHandler(core, reEncrypt, { CiphertextBlob: old.CiphertextBlob, DestinationKeyId: key.keyId });
    const dataKey = await runHandler(core, generateDataKey, { KeyId: key.keyId, KeySpec: 'AES_256' });

    // Assess
    const current = await currentMaterial(core, key);
    expect(moved.SourceKeyMaterialId).not.toBe(current);
    expect(moved.DestinationKeyMaterialId).toBe(current);
    expect(dataKey.KeyMaterialId).toBe(current);
    expect((await runHandler(core, decrypt, { CiphertextBlob: moved.CiphertextBlob })).KeyMaterialId).toBe(current);
  });
});

describe('RotateKeyOnDemand', () => {
  it('returns the key ARN, shows the rotation in progress until the lifecycle has run it, and then lists it as ON_DEMAND', async () => {
    // Prepare
    const core = makeCore();
    const key = await seedKey(core);
    const first = await currentMaterial(core, key);
    const now = core.clock.now();

    // Act
    const output = await runHandler(core, rotateKeyOnDemand, { KeyId: key.keyId });
    const inProgress = await runHandler(core, getKeyRotationStatus, { KeyId: key.keyId });
    const stillFirst = await currentMaterial(core, key);
    const outcome = await runDue(core, key);
    const done = await runHandler(core, getKeyRotationStatus, { KeyId: key.keyId });
    const listed = await runHandler(core, listKeyRotations, { KeyId: key.keyId });

    // Assess
    expect(output).toEqual({ KeyId: key.arn });
    expect(inProgress).toEqual({ KeyId: key.arn, KeyRotationEnabled: false, OnDemandRotationStartDate: now });
    expect(stillFirst).toBe(first);
    expect(outcome).toEqual({ done: 'RotateKey', keyArn: key.arn, rotationType: 'ON_DEMAND' });
    expect(done).toEqual({ KeyId: key.arn, KeyRotationEnabled: false });
    const second = await currentMaterial(core, key);
    expect(listed).toEqual({
      Rotations: [{ KeyId: key.arn, KeyMaterialId: second, KeyMaterialState: 'CURRENT', RotationDate: now, RotationType: 'ON_DEMAND' }],
      Truncated: false,
    });
  });

  it('keeps the automatic schedule when an on-demand rotation happens in between (on-demand rotations do not change existing automatic rotation schedules)', async () => {
    // Prepare
    const core = makeCore();
    const key = await seedKey(core);
    await runHandler(core, enableKeyRotation, { KeyId: key.keyId, RotationPeriodInDays: 730 });
    const { NextRotationDate } = await runHandler(core, getKeyRotationStatus, { KeyId: key.keyId });

    // Act
    core.clock.advance(100 * DAY);
    await runHandler(core, rotateKeyOnDemand, { KeyId: key.keyId });
    await runDue(core, key);

    // Assess
    expect((await runHandler(core, getKeyRotationStatus, { KeyId: key.keyId })).NextRotationDate).toEqual(NextRotationDate);
    expect(core.scheduler.pending().map((p) => p.dueAt)).toEqual([NextRotationDate?.getTime()]);
  });

  it('throws ConflictException while an on-demand rotation is in progress, and when an automatic one is due within 20 minutes', async () => {
    // Prepare
    const core = makeCore();
    const key = await seedKey(core);
    const other = await seedKey(core, { keyId: makeKeyId(2) });
    await runHandler(core, rotateKeyOnDemand, { KeyId: key.keyId });
    await runHandler(core, enableKeyRotation, { KeyId: other.keyId, RotationPeriodInDays: 90 });
    core.clock.advance(90 * DAY - 19 * 60_000);

    // Act
    const inProgress = await caught(runHandler(core, rotateKeyOnDemand, { KeyId: key.keyId }));
    const imminent = await caught(runHandler(core, rotateKeyOnDemand, { KeyId: other.keyId }));

    // Assess
    expect(inProgress).toBeInstanceOf(ConflictException);
    expect(inProgress.message).toBe(`An on-demand rotation of ${key.arn} is already in progress.`);
    expect(imminent).toBeInstanceOf(ConflictException);
    expect(imminent.message).toBe(`An automatic rotation of ${other.arn} is in progress or due to begin within 20 minutes.`);
  });

  it(`throws LimitExceededException after ${ON_DEMAND_ROTATION_LIMIT} on-demand rotations (the key has on-demand rotations left), and rotates nothing more`, async () => {
    // Prepare
    const core = makeCore();
    const key = await seedKey(core);
    for (let n = 0; n < ON_DEMAND_ROTATION_LIMIT; n += 1) {
      await runHandler(core, rotateKeyOnDemand, { KeyId: key.keyId });
      await runDue(core, key);
    }

    // Act
    const error = await caught(runHandler(core, rotateKeyOnDemand, { KeyId: key.keyId }));

    // Assess
    expect(error).toBeInstanceOf(LimitExceededException);
    expect(error.message).toBe(`The on-demand rotations limit has been reached for the given keyId. No more on-demand rotations can be performed for this key: ${key.arn}`);
    expect(core.store.backingKeyCount(key)).toBe(ON_DEMAND_ROTATION_LIMIT + 1);
  });
});

describe('ListKeyRotations', () => {
  it('lists rotations oldest first, pages them, and adds the first key material with ALL_KEY_MATERIAL', async () => {
    // Prepare
    const core = makeCore();
    const key = await seedKey(core);
    const first = await currentMaterial(core, key);
    const materials: (string | undefined)[] = [];
    for (let n = 0; n < 3; n += 1) {
      core.clock.advance(DAY);
      await runHandler(core, rotateKeyOnDemand, { KeyId: key.keyId });
      await runDue(core, key);
      materials.push(await currentMaterial(core, key));
    }

    // Act
    const page1 = await runHandler(core, listKeyRotations, { KeyId: key.keyId, Limit: 2 });
    const page2 = await runHandler(core, listKeyRotations, { KeyId: key.keyId, Limit: 2, Marker: page1.NextMarker });
    const all = await runHandler(core, listKeyRotations, { KeyId: key.keyId, IncludeKeyMaterial: 'ALL_KEY_MATERIAL' });

    // Assess
    expect(page1.Truncated).toBe(true);
    expect([...(page1.Rotations ?? []), ...(page2.Rotations ?? [])].map((r) => r.KeyMaterialId)).toEqual(materials);
    expect(page2).toMatchObject({ Truncated: false });
    expect(all.Rotations?.map((r) => [r.KeyMaterialId, r.KeyMaterialState, r.RotationType])).toEqual([
      [first, 'NON_CURRENT', undefined],
      [materials[0], 'NON_CURRENT', 'ON_DEMAND'],
      [materials[1], 'NON_CURRENT', 'ON_DEMAND'],
      [materials[2], 'CURRENT', 'ON_DEMAND'],
    ]);
    expect(all.Rotations?.[0]).toEqual({ KeyId: key.arn, KeyMaterialId: first, KeyMaterialState: 'NON_CURRENT' });
  });
});
