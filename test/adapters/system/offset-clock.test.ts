import { describe, expect, it } from 'vitest';
import { offsetClock } from '../../../src/adapters/system/offset-clock.js';
import { FakeClock } from '../../support/fake-clock.js';

describe('offsetClock', () => {
  it('returns the base time moved forward by the offset, following the base clock', () => {
    // Prepare
    const base = new FakeClock('2024-05-01T00:00:00Z');
    const clock = offsetClock(base, 90 * 86_400_000);

    // Act
    const first = clock.now().toISOString();
    base.advance(1_000);
    const second = clock.now().toISOString();

    // Assess
    expect([first, second]).toEqual(['2024-07-30T00:00:00.000Z', '2024-07-30T00:00:01.000Z']);
  });

  it('returns the base clock itself when the offset is zero', () => {
    // Prepare
    const base = new FakeClock();

    // Act
    const clock = offsetClock(base, 0);

    // Assess
    expect(clock).toBe(base);
  });
});
