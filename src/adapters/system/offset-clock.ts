import type { Clock } from '../../core/ports/index.js';

/**
 * A clock `offsetMs` ahead of `base`: local mode's lifecycle clock under `--clock-offset`
 * (creation, deletion, rotation and expiry dates), while SigV4 and the caches keep `base`.
 */
export function offsetClock(base: Clock, offsetMs: number): Clock {
  if (offsetMs === 0) return base;
  return { now: () => new Date(base.now().getTime() + offsetMs) };
}
