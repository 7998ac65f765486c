/** What the probe (probe.ts) writes for one cold start: marks on the shared clock, and the handler's answer. */
export interface ProbeReport {
  /** When the Node.js process began (its `performance.timeOrigin`). */
  readonly processStart: number;
  /** When the probe's own code began to run. */
  readonly started: number;
  /** When the bundle's import, top-level `await` included, resolved. */
  readonly imported: number;
  /** When the handler's promise resolved. */
  readonly answered: number;
  /** CPU time (user and system) the process had used at the probe's first line, at the import's end and at the answer, in milliseconds. */
  readonly cpu: { readonly started: number; readonly imported: number; readonly answered: number };
  readonly answer: unknown;
}

export type ProbeOutcome = ProbeReport | { readonly error: string };
