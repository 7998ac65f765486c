/** Times each set-up step of local mode and reports it as it completes. */

export interface SetupStep {
  /** e.g. `token`, `database`, `table`. */
  readonly name: string;
  readonly ms: number;
  /** What the step did, e.g. `created in .kms-data/tokens` or `opened`. */
  readonly detail: string;
}

export type StepListener = (step: SetupStep) => void;

/** Runs `task` as the step `name`; the detail of its result is reported with the time taken, unless it is undefined (nothing worth a line). */
export async function timedStep<T>(
  onStep: StepListener | undefined,
  name: string,
  task: () => Promise<T>,
  detail: (result: T) => string | undefined,
): Promise<T> {
  const started = performance.now();
  const result = await task();
  const said = detail(result);
  if (said !== undefined) onStep?.({ name, ms: performance.now() - started, detail: said });
  return result;
}

/** One line per step, names aligned: `  token        opened (0.21 s)`. */
export function formatStep(step: SetupStep): string {
  return `  ${step.name.padEnd(12)} ${step.detail} (${(step.ms / 1000).toFixed(2)} s)`;
}
