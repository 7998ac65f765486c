import { describe, expect, it } from 'vitest';
import {
  DisabledException, KMSInvalidStateException, NotFoundException, UnsupportedOperationException, ValidationException,
} from '../../../../src/models/kms/generated/errors.js';
import { cancelKeyDeletion, scheduleKeyDeletion } from '../../../../src/core/kms/lifecycle/key-deletion.js';
import { runDueWork } from '../../../../src/core/kms/lifecycle/due-work.js';
import { describeKey, listKeys } from '../../../../src/core/kms/operations/key-management.js';
import { encrypt } from '../../../../src/core/kms/operations/encrypt-decrypt.js';
import { listAliases } from '../../../../src/core/kms/operations/aliases.js';
import { LocalScheduler } from '../../../../src/adapters/scheduler/local-scheduler.js';
import {
  bytes, caught, dueWorkRunner, makeAlias, makeCore, makeKeyId, ManualTimers, runHandler, seedKey, type CoreHarness,
} from '../../../support/core.js';

const DAY = 86_400_000;

const runnerOf = dueWorkRunner;

async function startScheduler(core: CoreHarness): Promise<number> {
  const run = runnerOf(core);
  return core.scheduler.start(async (locator) => { await run(locator); });
}

describe('scheduleKeyDeletion', () => {
  it('returns the key ARN, the deletion date 30 days ahead, PendingDeletion and the window when none is given', async () => {
    // Prepare
    const core = makeCore();
    const key = await seedKey(core);
    const now = core.clock.now().getTime();

    // Act
    const output = await runHandler(core, scheduleKeyDeletion, { KeyId: key.keyId });

    // Assess
    expect(output).toEqual({ KeyId: key.arn, DeletionDate: new Date(now + 30 * DAY), KeyState: 'PendingDeletion', PendingWindowInDays: 30 });
    const { KeyMetadata } = await runHandler(core, describeKey, { KeyId: key.keyId });
    expect(KeyMetadata).toMatchObject({ KeyState: 'PendingDeletion', Enabled: false, DeletionDate: new Date(now + 30 * DAY) });
  });

  it('arranges the key\'s deletion with the scheduler at its deletion date', async () => {
    // Prepare
    const core = makeCore();
    await startScheduler(core);
    const key = await seedKey(core);

    // Act
    const { DeletionDate } = await runHandler(core, scheduleKeyDeletion, { KeyId: key.keyId, PendingWindowInDays: 7 });

    // Assess
    expect(core.scheduler.pending()).toEqual([{ locator: { accountId: key.accountId, region: key.region, keyId: key.keyId }, dueAt: DeletionDate?.getTime() }]);
    expect([...core.timers.armed.values()].map((t) => t.ms)).toEqual([7 * DAY]);
  });

  it.each([0, 6, 31, 365])('throws ValidationException for PendingWindowInDays %i, because the waiting period is 7 to 30 days', async (days) => {
    // Prepare
    const core = makeCore();
    const key = await seedKey(core);

    // Act
    const error = await caught(runHandler(core, scheduleKeyDeletion, { KeyId: key.keyId, PendingWindowInDays: days }));

    // Assess
    expect(error).toBeInstanceOf(ValidationException);
    expect(error.message).toBe('PendingWindowInDays must be between 7 and 30');
  });

  it('throws KMSInvalidStateException when the key is pending deletion already', async () => {
    // Prepare
    const core = makeCore();
    const key = await seedKey(core);
    await runHandler(core, scheduleKeyDeletion, { KeyId: key.keyId, PendingWindowInDays: 7 });

    // Act
    const error = await caught(runHandler(core, scheduleKeyDeletion, { KeyId: key.keyId, PendingWindowInDays: 7 }));

    // Assess
    expect(error).toBeInstanceOf(KMSInvalidStateException);
    expect(error.message).toBe(`${key.arn} is pending deletion.`);
  });

  it('throws UnsupportedOperationException naming the operation, because this deployment runs a lifecycle scheduler only where one is wired', async () => {
    // Prepare
    const core = makeCore();
    const key = await seedKey(core);
    const bare: CoreHarness = { ...core, deps: { ...core.deps, lifecycle: undefined } };

    // Act
    const error = await caught(runHandler(bare, scheduleKeyDeletion, { KeyId: key.keyId }));

    // Assess
    expect(error).toBeInstanceOf(UnsupportedOperationException);
    expect(error.message).toBe('ScheduleKeyDeletion is not supported yet by this deployment: it has no key lifecycle scheduler.');
  });
});

describe('cancelKeyDeletion', () => {
  it('returns the key ARN and leaves the key Disabled without a deletion date or pending work', async () => {
    // Prepare
    const core = makeCore();
    await startScheduler(core);
    const key = await seedKey(core);
    await runHandler(core, scheduleKeyDeletion, { KeyId: key.keyId, PendingWindowInDays: 7 });

    // Act
    const output = await runHandler(core, cancelKeyDeletion, { KeyId: key.arn });

    // Assess
    expect(output).toEqual({ KeyId: key.arn });
    const { KeyMetadata } = await runHandler(core, describeKey, { KeyId: key.keyId });
    expect(KeyMetadata).toMatchObject({ KeyState: 'Disabled', Enabled: false });
    expect(KeyMetadata?.DeletionDate).toBeUndefined();
    expect(core.scheduler.pending()).toEqual([]);
    const error = await caught(runHandler(core, encrypt, { KeyId: key.keyId, Plaintext: bytes('x') }));
    expect(error).toBeInstanceOf(DisabledException);
  });

  it('throws KMSInvalidStateException when the key is not pending deletion', async () => {
    // Prepare
    const core = makeCore();
    const key = await seedKey(core);

    // Act
    const error = await caught(runHandler(core, cancelKeyDeletion, { KeyId: key.keyId }));

    // Assess
    expect(error).toBeInstanceOf(KMSInvalidStateException);
    expect(error.message).toBe(`${key.arn} is not pending deletion.`);
  });
});

describe('deletion when the waiting period ends', () => {
  async function pendingKeyWithAlias(core: CoreHarness) {
    const key = await seedKey(core);
    await core.store.createAlias(makeAlias({ aliasName: 'alias/doomed', targetKeyId: key.keyId }));
    await runHandler(core, scheduleKeyDeletion, { KeyId: key.keyId, PendingWindowInDays: 7 });
    return key;
  }

  it('removes the key, its backing keys and its aliases when the scheduler runs at the deletion date, after which calls get NotFoundException', async () => {
    // Prepare
    const core = makeCore();
    await startScheduler(core);
    const key = await pendingKeyWithAlias(core);
    core.clock.advance(7 * DAY);

    // Act
    core.timers.fireAll();
    await core.scheduler.runDue();

    // Assess
    expect(await core.store.getKey(key)).toBeUndefined();
    expect(core.store.backingKeyCount(key)).toBe(0);
    expect((await runHandler(core, listAliases, {})).Aliases).toEqual([]);
    const error = await caught(runHandler(core, describeKey, { KeyId: key.keyId }));
    expect(error).toBeInstanceOf(NotFoundException);
    expect(error.message).toBe(`Key '${key.arn}' does not exist`);
    expect(core.scheduler.pending()).toEqual([]);
  });

  it('answers NotFoundException from the deletion date on, even before the scheduler removed the key', async () => {
    // Prepare
    const core = makeCore();
    const key = await pendingKeyWithAlias(core);
    core.clock.advance(7 * DAY);

    // Act
    const error = await caught(runHandler(core, describeKey, { KeyId: 'alias/doomed' }));

    // Assess
    expect(error).toBeInstanceOf(NotFoundException);
    expect(error.message).toBe(`Key '${key.arn}' does not exist`);
    expect((await runHandler(core, listKeys, {})).Keys).toEqual([]);
  });

  it('keeps the key one millisecond before its deletion date', async () => {
    // Prepare
    const core = makeCore();
    await startScheduler(core);
    const key = await pendingKeyWithAlias(core);
    core.clock.advance(7 * DAY - 1);

    // Act
    await core.scheduler.runDue();

    // Assess
    const { KeyMetadata } = await runHandler(core, describeKey, { KeyId: key.keyId });
    expect(KeyMetadata?.KeyState).toBe('PendingDeletion');
  });

  it('does nothing the second time, or for a key whose deletion was cancelled (idempotent)', async () => {
    // Prepare
    const core = makeCore();
    const run = runnerOf(core);
    const deleted = await pendingKeyWithAlias(core);
    const kept = await seedKey(core, { keyId: makeKeyId(2) });
    await runHandler(core, scheduleKeyDeletion, { KeyId: kept.keyId, PendingWindowInDays: 7 });
    await runHandler(core, cancelKeyDeletion, { KeyId: kept.keyId });
    core.clock.advance(8 * DAY);

    // Act
    const outcomes = [await run(deleted), await run(deleted), await run(kept)];

    // Assess
    expect(outcomes).toEqual([{ done: 'DeleteKey', keyArn: deleted.arn }, { done: 'nothing' }, { done: 'nothing' }]);
    expect((await core.store.getKey(kept))?.keyState).toBe('Disabled');
  });

  it('catches up at start on a deletion that fell due while no scheduler ran (a restart)', async () => {
    // Prepare
    const core = makeCore();
    const key = await pendingKeyWithAlias(core);
    core.clock.advance(30 * DAY);
    const restarted = new LocalScheduler({ clock: core.clock, index: core.store, timers: new ManualTimers() });
    const lifecycle = { scheduler: restarted, removal: core.store };

    // Act
    const ran = await restarted.start(async (locator) => { await runDueWork({ ...core.deps, lifecycle }, lifecycle, locator); });

    // Assess
    expect(ran).toBe(1);
    expect(await core.store.getKey(key)).toBeUndefined();
  });

  it('reloads a deletion not yet due at start and arms its timer for the rest of the waiting period', async () => {
    // Prepare
    const core = makeCore();
    await pendingKeyWithAlias(core);
    core.clock.advance(2 * DAY);
    const timers = new ManualTimers();
    const restarted = new LocalScheduler({ clock: core.clock, index: core.store, timers });

    // Act
    const ran = await restarted.start(async () => undefined);

    // Assess
    expect(ran).toBe(0);
    expect([...timers.armed.values()].map((t) => t.ms)).toEqual([5 * DAY]);
  });
});
