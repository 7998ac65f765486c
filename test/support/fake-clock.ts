import type { Clock } from '../../src/core/ports/index.js';

/** A clock that only moves when a test moves it. */
export class FakeClock implements Clock {
  #now: number;

  constructor(start: Date | string = '2024-05-01T12:00:00.000Z') {
    this.#now = new Date(start).getTime();
  }

  now(): Date {
    return new Date(this.#now);
  }

  advance(ms: number): void {
    this.#now += ms;
  }

  set(date: Date | string): void {
    this.#now = new Date(date).getTime();
  }
}
