import type { Clock } from '../../core/ports/index.js';

export const systemClock: Clock = { now: () => new Date() };
