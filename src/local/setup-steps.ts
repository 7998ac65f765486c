/** Times each set-up step of local mode and reports it as it completes. */

export interface SetupStep {
  /** e.g. `token`, `database`, `table`. */
  readonly name: string;
  readonly ms: number;
  /** What the step did, e.g. `created in .kms-data/tokens` or `opened`. */
  readonly detail: string;
}

export type StepListener = (step: SetupStep) => void;

/** Runs `task` as the step `name`; its result's detail (or `detail`) is reported with the time taken. */
export async function timedStep<T>(
  onStep: StepListener | undefined,
  name: string,
  task: () => Promise<T>,
  detail: (result: T) => string,
): Promise<T> {
  const started = performance.now();
  const result = await task();
  onStep?.({ name, ms: performance.now() - started, detail: detail(result) });
  return result;
}

/** One line per step, names aligned: `  token        opened (0.21 s)`. */
export function formatStep(step: SetupStep): string {
  return `  ${step.name.padEnd(12)} ${step.detail} (${(step.ms / 1000).toFixed(2)} s)`;
}
