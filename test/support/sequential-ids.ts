import type { IdSource } from '../../src/core/ports/index.js';

/** Deterministic identifiers: the n-th uuid ends in n, the n-th hex64 is n repeated. */
export class SequentialIds implements IdSource {
  #uuids = 0;
  #hexes = 0;

  uuid(): string {
    this.#uuids += 1;
    return `00000000-0000-4000-8000-${this.#uuids.toString(16).padStart(12, '0')}`;
  }

  hex64(): string {
    this.#hexes += 1;
    return this.#hexes.toString(16).padStart(64, '0');
  }
}
