/** Undo steps for everything the benchmark started, run last-in first-out. */
export class CleanupStack {
  readonly #steps: (() => Promise<void> | void)[] = [];

  push(step: () => Promise<void> | void): void {
    this.#steps.push(step);
  }

  /** Runs every step once, newest first, carrying on past steps that fail. */
  async run(): Promise<void> {
    for (const step of this.#steps.reverse()) {
      try {
        await step();
      } catch {
        // Keep cleaning up.
      }
    }
    this.#steps.length = 0;
  }
}
