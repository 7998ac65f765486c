/**
 * The Scheduler of local mode: one in-process timer for the earliest due key. At start it reloads
 * every key with lifecycle work from the table's sparse due-date index (not a scan) and runs at
 * once what fell due while the process was down, or what an offset clock puts in the past.
 */
import type { Clock, DueWorkIndex, KeyLocator, Scheduler } from '../../core/ports/index.js';

/** The longest delay Node's timers take (about 24.8 days); a later date is re-armed on waking. */
const MAX_TIMER_MS = 2 ** 31 - 1;
/** Until this date the index is read at start: everything it holds. */
const END_OF_TIME = 8_640_000_000_000_000;

export interface Timers {
  setTimeout(run: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** Node's timers, unref'd so that a pending one never keeps the process alive. */
export const NODE_TIMERS: Timers = {
  setTimeout: (run, ms) => setTimeout(run, ms).unref(),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export interface LocalSchedulerOptions {
  /** The lifecycle clock, which the due dates are on. */
  readonly clock: Clock;
  readonly index: DueWorkIndex;
  /** Told about a run that failed; the key is tried again after `retryMs`. */
  readonly onError?: (error: unknown, locator: KeyLocator) => void;
  readonly retryMs?: number;
  readonly timers?: Timers;
}

export type DueRunner = (locator: KeyLocator) => Promise<void>;

export class LocalScheduler implements Scheduler {
  readonly #due = new Map<string, { readonly locator: KeyLocator; readonly dueAt: number }>();
  readonly #options: LocalSchedulerOptions;
  readonly #timers: Timers;
  #run: DueRunner | undefined;
  #timer: unknown;
  #armedFor: number | undefined;
  /** Runs are strictly one after another. */
  #queue: Promise<unknown> = Promise.resolve();
  #stopped = false;

  constructor(options: LocalSchedulerOptions) {
    this.#options = options;
    this.#timers = options.timers ?? NODE_TIMERS;
  }

  async arrange(locator: KeyLocator, dueAt: number | undefined): Promise<void> {
    const id = idOf(locator);
    if (dueAt === undefined) this.#due.delete(id);
    else this.#due.set(id, { locator: { accountId: locator.accountId, region: locator.region, keyId: locator.keyId }, dueAt });
    this.#arm();
  }

  /**
   * Reloads the due keys from the index, runs those already due (awaited, so a start with an
   * offset clock has caught up before it serves) and arms the timer. Returns how many ran.
   */
  async start(run: DueRunner): Promise<number> {
    this.#run = run;
    for (const { locator, dueAt } of await this.#options.index.dueKeys(END_OF_TIME)) this.#due.set(idOf(locator), { locator, dueAt });
    return this.runDue();
  }

  /** Runs every key due now, one after another, then re-arms the timer. Returns how many ran. */
  runDue(): Promise<number> {
    const next = this.#queue.then(() => this.#runDue());
    this.#queue = next.catch(() => undefined);
    return next;
  }

  /** Keys with lifecycle work and their due dates, earliest first. */
  pending(): readonly { readonly locator: KeyLocator; readonly dueAt: number }[] {
    return [...this.#due.values()].sort((a, b) => a.dueAt - b.dueAt);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#disarm();
    await this.#queue;
  }

  async #runDue(): Promise<number> {
    const run = this.#run;
    if (run === undefined || this.#stopped) return 0;
    let ran = 0;
    const now = this.#options.clock.now().getTime();
    for (const { locator, dueAt } of this.pending()) {
      if (dueAt > now || this.#stopped) break;
      ran++;
      try {
        await run(locator);
      } catch (error) {
        this.#options.onError?.(error, locator);
        // Tried again later; the stored key still says what is due.
        if (this.#due.get(idOf(locator))?.dueAt === dueAt) this.#due.set(idOf(locator), { locator, dueAt: now + (this.#options.retryMs ?? 60_000) });
      }
    }
    this.#arm();
    return ran;
  }

  #arm(): void {
    if (this.#run === undefined || this.#stopped) return;
    const earliest = this.pending()[0]?.dueAt;
    if (earliest === this.#armedFor && this.#timer !== undefined) return;
    this.#disarm();
    if (earliest === undefined) return;
    const delay = Math.min(Math.max(earliest - this.#options.clock.now().getTime(), 0), MAX_TIMER_MS);
    this.#armedFor = earliest;
    this.#timer = this.#timers.setTimeout(() => {
      this.#timer = undefined;
      this.#armedFor = undefined;
      void this.runDue();
    }, delay);
  }

  #disarm(): void {
    if (this.#timer !== undefined) this.#timers.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#armedFor = undefined;
  }
}

function idOf(locator: KeyLocator): string {
  return `${locator.accountId}:${locator.region}:${locator.keyId}`;
}
