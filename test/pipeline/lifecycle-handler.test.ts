/**
 * The lifecycle function's handler over the core and in-memory fakes: a key's event runs its due
 * work, a sweep runs every key due, a verification checks the table's records, and anything else
 * runs nothing.
 */
import { describe, expect, it, vi } from 'vitest';
import { createLifecycleHandler, lifecycleEventOf, type RecordVerification } from '../../src/pipeline/lifecycle-handler.js';
import { lifecycleRunner } from '../../src/composition/lifecycle.js';
import type { AuditEvent } from '../../src/core/audit-event.js';
import { scheduleKeyDeletion } from '../../src/core/kms/lifecycle/key-deletion.js';
import { makeCore, makeKeyId, runHandler, seedKey, type CoreHarness } from '../support/core.js';
import { SequentialIds } from '../support/sequential-ids.js';

const DAY = 86_400_000;

const events: AuditEvent[] = [];

/** The runner local mode and the lifecycle function share, recording its audit events in `events`. */
function runnerOf(core: CoreHarness): (locator: { accountId: string; region: string; keyId: string }) => Promise<void> {
  const { lifecycle } = core.deps;
  if (lifecycle === undefined) throw new Error('no lifecycle');
  return lifecycleRunner({ core: core.deps, lifecycle, audit: { record: async (event: AuditEvent) => { events.push(event); } }, ids: new SequentialIds(), clock: core.clock });
}

function handlerOf(core: CoreHarness, run = runnerOf(core), verifyRecords: () => Promise<RecordVerification> = async () => ({ checked: 0, failed: 0 })) {
  const logger = { info: vi.fn(), error: vi.fn() };
  return { handler: createLifecycleHandler({ run, index: core.store, clock: core.clock, logger, verifyRecords }), logger };
}

describe('the lifecycle handler', () => {
  it.each([
    ['a key locator', { accountId: '111122223333', region: 'us-east-1', keyId: '1234abcd-12ab-34cd-56ef-1234567890ab' }, { accountId: '111122223333', region: 'us-east-1', keyId: '1234abcd-12ab-34cd-56ef-1234567890ab' }],
    ['a sweep', { sweep: true }, 'sweep'],
    ['a locator with a bad key ID', { accountId: '111122223333', region: 'us-east-1', keyId: 'alias/x' }, undefined],
    ['a locator with more members missing', { accountId: '111122223333' }, undefined],
    ['a sweep with more members', { sweep: true, keyId: 'x' }, undefined],
    ['a verification', { verifyRecords: true }, 'verifyRecords'],
    ['a verification with more members', { verifyRecords: true, x: 1 }, undefined],
    ['a verification that is not true', { verifyRecords: 'yes' }, undefined],
    ['a sweep and a verification at once', { sweep: true, verifyRecords: true }, undefined],
    ['text', 'sweep', undefined],
  ] as const)('reads %s', (_case, event, expected) => {
    expect(lifecycleEventOf(event)).toEqual(expected);
  });

  it('deletes the keys whose waiting period is over when it sweeps, writing their DeleteKey events, and leaves the others', async () => {
    // Prepare
    const core = makeCore();
    const due = await seedKey(core);
    const later = await seedKey(core, { keyId: makeKeyId(2) });
    await runHandler(core, scheduleKeyDeletion, { KeyId: due.keyId, PendingWindowInDays: 7 });
    await runHandler(core, scheduleKeyDeletion, { KeyId: later.keyId, PendingWindowInDays: 30 });
    core.clock.advance(8 * DAY);
    events.length = 0;
    const { handler } = handlerOf(core);

    // Act
    const outcome = await handler({ sweep: true });

    // Assess
    expect(outcome).toEqual({ ran: 1 });
    expect(await core.store.getKey(due)).toBeUndefined();
    expect((await core.store.getKey(later))?.keyState).toBe('PendingDeletion');
    expect(events.map((event) => [event.eventName, event.resources?.[0]?.ARN])).toEqual([['DeleteKey', due.arn]]);
  });

  it('runs the key its event names, and refuses a malformed event without running anything', async () => {
    // Prepare
    const core = makeCore();
    const run = vi.fn(async () => undefined);
    const { handler, logger } = handlerOf(core, run);

    // Act
    const named = await handler({ accountId: '111122223333', region: 'us-east-1', keyId: makeKeyId(5) });
    const refused = await handler({ keyId: '../../etc' });

    // Assess
    expect(named).toEqual({ ran: 1 });
    expect(run).toHaveBeenCalledTimes(1);
    expect(refused).toEqual({ ran: 0 });
    expect(logger.error).toHaveBeenCalledWith('lifecycle event refused: neither a key locator nor a sweep', {});
  });

  it('goes on sweeping after one key fails, and logs the failure', async () => {
    // Prepare
    const core = makeCore();
    for (const n of [1, 2]) {
      const key = await seedKey(core, { keyId: makeKeyId(n) });
      await runHandler(core, scheduleKeyDeletion, { KeyId: key.keyId, PendingWindowInDays: 7 });
    }
    core.clock.advance(8 * DAY);
    const run = vi.fn().mockRejectedValueOnce(new Error('table busy')).mockResolvedValue(undefined);
    const { handler, logger } = handlerOf(core, run);

    // Act
    const outcome = await handler({ sweep: true });

    // Assess
    expect(outcome).toEqual({ ran: 1 });
    expect(run).toHaveBeenCalledTimes(2);
    expect(logger.error).toHaveBeenCalledWith('lifecycle run failed', expect.objectContaining({ error: 'Error: table busy' }));
  });

  it('verifies the records when its event asks, logging and answering the counts, and runs no key', async () => {
    // Prepare
    const core = makeCore();
    const run = vi.fn(async () => undefined);
    const verifyRecords = vi.fn(async () => ({ checked: 12, failed: 1, sealed: 3 }));
    const { handler, logger } = handlerOf(core, run, verifyRecords);

    // Act
    const outcome = await handler({ verifyRecords: true });

    // Assess
    expect(outcome).toEqual({ ran: 0, checked: 12, failed: 1 });
    expect(verifyRecords).toHaveBeenCalledTimes(1);
    expect(run).not.toHaveBeenCalled();
    expect(logger.info).toHaveBeenCalledWith('records verified', { checked: 12, failed: 1, sealed: 3 });
  });

  it.each<[string, unknown]>([
    ['with another member', { verifyRecords: true, x: 1 }],
    ['whose flag is not true', { verifyRecords: 'yes' }],
    ['beside a sweep', { verifyRecords: true, sweep: true }],
  ])('refuses a verification event %s without running anything', async (_case, event) => {
    // Prepare
    const core = makeCore();
    const run = vi.fn(async () => undefined);
    const verifyRecords = vi.fn(async () => ({ checked: 0, failed: 0 }));
    const { handler, logger } = handlerOf(core, run, verifyRecords);

    // Act
    const outcome = await handler(event);

    // Assess
    expect(outcome).toEqual({ ran: 0 });
    expect(verifyRecords).not.toHaveBeenCalled();
    expect(run).not.toHaveBeenCalled();
    expect(logger.error).toHaveBeenCalledWith('lifecycle event refused: neither a key locator nor a sweep', {});
  });

  it('logs and rethrows a verification whose scan fails', async () => {
    // Prepare
    const core = makeCore();
    const { handler, logger } = handlerOf(core, runnerOf(core), async () => { throw new Error('table unreachable'); });

    // Act
    const outcome = handler({ verifyRecords: true });

    // Assess
    await expect(outcome).rejects.toThrow('table unreachable');
    expect(logger.error).toHaveBeenCalledWith('record verification failed', { error: 'Error: table unreachable' });
    expect(logger.info).not.toHaveBeenCalled();
  });
});
