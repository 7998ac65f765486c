/**
 * The lifecycle function's handler over the core and in-memory fakes: a key's event runs its due
 * work, a sweep runs every key due, and anything else runs nothing.
 */
import { describe, expect, it, vi } from 'vitest';
import { createLifecycleHandler, lifecycleEventOf } from '../../src/pipeline/lifecycle-handler.js';
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

function handlerOf(core: CoreHarness, run = runnerOf(core)) {
  const logger = { info: vi.fn(), error: vi.fn() };
  return { handler: createLifecycleHandler({ run, index: core.store, clock: core.clock, logger }), logger };
}

describe('the lifecycle handler', () => {
  it.each([
    ['a key locator', { accountId: '111122223333', region: 'us-east-1', keyId: '1234abcd-12ab-34cd-56ef-1234567890ab' }, { accountId: '111122223333', region: 'us-east-1', keyId: '1234abcd-12ab-34cd-56ef-1234567890ab' }],
    ['a sweep', { sweep: true }, 'sweep'],
    ['a locator with a bad key ID', { accountId: '111122223333', region: 'us-east-1', keyId: 'alias/x' }, undefined],
    ['a locator with more members missing', { accountId: '111122223333' }, undefined],
    ['a sweep with more members', { sweep: true, keyId: 'x' }, undefined],
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
});
