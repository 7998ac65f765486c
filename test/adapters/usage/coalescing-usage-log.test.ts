/**
 * CoalescingUsageLog: uses noted on the hot path reach the store once per key a flush, reads in
 * the same process see them before they are written, and a failed write waits for the next flush.
 */
import { describe, expect, it, vi } from 'vitest';
import { CoalescingUsageLog } from '../../../src/adapters/usage/coalescing-usage-log.js';
import { FakeClock } from '../../support/fake-clock.js';
import { InMemoryStore } from '../../support/in-memory-store.js';
import { ManualTimers } from '../../support/core.js';
import { keyIdFor, makeBackingKey, makeKey } from '../dynamodb/fixtures.js';

const ACCOUNT = '111122223333';

async function given() {
  const store = new InMemoryStore();
  const clock = new FakeClock();
  const timers = new ManualTimers();
  const key = makeKey(ACCOUNT, { keyId: keyIdFor(1) });
  await store.createKey(key, makeBackingKey(key));
  const onError = vi.fn();
  const log = new CoalescingUsageLog({ store, clock, timers, flushMs: 1_000, onError });
  return { store, clock, timers, key, log, onError };
}

const use = (n: number) => ({ operation: 'Encrypt' as const, cloudTrailEventId: `event-${n}`, kmsRequestId: `request-${n}` });

describe('CoalescingUsageLog', () => {
  it('writes nothing on the request path, one write a key per flush, and shows the latest use before and after it is written', async () => {
    // Prepare
    const { store, clock, timers, key, log } = await given();
    const put = vi.spyOn(store, 'putUsages');

    // Act
    log.note(key, use(1));
    clock.advance(10);
    log.note(key, { ...use(2), operation: 'Decrypt' });
    const beforeFlush = await log.lastUsage(key);
    const armed = [...timers.armed.values()].map((timer) => timer.ms);
    timers.fireAll();
    await log.flush();

    // Assess
    expect(armed).toEqual([1_000]);
    expect(beforeFlush).toEqual({ ...use(2), operation: 'Decrypt', timestamp: clock.now().getTime() });
    expect(put).toHaveBeenCalledTimes(1);
    expect(put.mock.calls[0]?.[0]).toHaveLength(1);
    expect(await store.getUsage(key)).toEqual(beforeFlush);
    expect(await log.lastUsage(key)).toEqual(beforeFlush);
  });

  it('keeps uses whose write failed and writes them with the next flush, telling onError', async () => {
    // Prepare
    const { store, key, log, onError, timers } = await given();
    const failure = new Error('table unavailable');
    vi.spyOn(store, 'putUsages').mockRejectedValueOnce(failure);

    // Act
    log.note(key, use(1));
    await log.flush();
    const afterFailure = await store.getUsage(key);
    const rearmed = timers.armed.size;
    await log.flush();

    // Assess
    expect(onError).toHaveBeenCalledWith(failure);
    expect(afterFailure).toBeUndefined();
    expect(rearmed).toBe(1);
    expect((await store.getUsage(key))?.cloudTrailEventId).toBe('event-1');
  });

  it('writes what is pending when stopped, and asks the store for the tracking start once', async () => {
    // Prepare
    const { store, key, log, clock } = await given();
    const start = vi.spyOn(store, 'trackingStart');

    // Act
    log.note(key, use(1));
    await log.stop();
    const first = await log.trackingStartDate();
    clock.advance(5_000);
    const second = await log.trackingStartDate();

    // Assess
    expect((await store.getUsage(key))?.kmsRequestId).toBe('request-1');
    expect(second).toBe(first);
    expect(start).toHaveBeenCalledTimes(1);
  });

  it('records tracking as begun no later than the first use it writes', async () => {
    // Prepare
    const { key, log, clock } = await given();
    const firstUse = clock.now().getTime();
    log.note(key, use(1));
    clock.advance(5_000);

    // Act
    await log.flush();
    const start = await log.trackingStartDate();

    // Assess
    expect(start).toBe(firstUse);
  });
});
