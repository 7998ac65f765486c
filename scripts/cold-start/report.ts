/** The cold-start report: each phase's median, minimum and maximum over the rounds, and each bundle's size. */
import type { MachineFacts } from '../bench/machine.js';
import type { ColdStart } from './run-probe.js';

export interface Spread {
  readonly median: number;
  readonly min: number;
  readonly max: number;
}

/** Median (the mean of the middle two for an even count), minimum and maximum; refuses no values. */
export function spreadOf(values: readonly number[]): Spread {
  if (values.length === 0) throw new Error('no values to summarize');
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
  return { median, min: sorted[0] ?? 0, max: sorted.at(-1) ?? 0 };
}

/** The phases of a cold start in the order they happen, with how the report names them. */
export const PHASES = [
  ['totalMs', 'spawn to first answer'],
  ['nodeStartMs', 'Node.js start (spawn to the loader\'s first line)'],
  ['loadMs', 'bundle load (read, compile, run to the first request)'],
  ['initMs', 'init (secrets, token open, keys; top-level await)'],
  ['firstInvocationMs', 'first invocation (handler call to answer)'],
  ['cpuTotalMs', 'CPU time of the process, start to answer'],
  ['cpuImportMs', 'CPU time of the import (load and init)'],
  ['cpuInvocationMs', 'CPU time of the first invocation'],
] as const satisfies readonly (readonly [keyof ColdStart, string])[];

export type PhaseSpreads = Readonly<Record<(typeof PHASES)[number][0], Spread>>;

export function phaseSpreads(rounds: readonly ColdStart[]): PhaseSpreads {
  return Object.fromEntries(PHASES.map(([phase]) => [phase, spreadOf(rounds.map((round) => round[phase]))])) as PhaseSpreads;
}

/** Bytes as the report prints them: KiB below one MiB, MiB with one decimal above. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024).toLocaleString('en-US')} KiB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}

const ms = (value: number): string => (value >= 100 ? value.toFixed(0) : value.toFixed(1));

/** The front's table: one row per phase, with the rounds' median, minimum and maximum. */
export function phaseTable(rounds: readonly ColdStart[]): string[] {
  const spreads = phaseSpreads(rounds);
  return [
    '| phase | median ms | min ms | max ms |',
    '|---|---:|---:|---:|',
    ...PHASES.map(([phase, label]) => `| ${label} | ${ms(spreads[phase].median)} | ${ms(spreads[phase].min)} | ${ms(spreads[phase].max)} |`),
  ];
}

export interface FunctionRow {
  readonly name: string;
  readonly bundleBytes: number;
  readonly sourceMapBytes: number;
  /** The one cold start of a function measured once (the front's median is in its own table). */
  readonly coldStart?: ColdStart;
  readonly request?: string;
}

/** One row per function: its bundle, its map, and its one cold start split into load, init and first invocation. */
export function functionTable(rows: readonly FunctionRow[]): string[] {
  return [
    '| function | index.mjs | index.mjs.map | cold start ms (load + init + first invocation) | first request |',
    '|---|---:|---:|---:|---|',
    ...rows.map((row) => {
      const cold = row.coldStart;
      const timing = cold === undefined ? '' : `${ms(cold.totalMs)} (${ms(cold.loadMs)} + ${ms(cold.initMs)} + ${ms(cold.firstInvocationMs)})`;
      return `| ${row.name} | ${formatBytes(row.bundleBytes)} | ${formatBytes(row.sourceMapBytes)} | ${timing} | ${row.request ?? ''} |`;
    }),
  ];
}

/** The machine line printed beside every figure. */
export function machineLine(machine: MachineFacts): string {
  return `${machine.cpuModel}, ${machine.cores} cores, ${machine.memoryGiB} GiB, Node ${machine.nodeVersion} (${machine.platform}); load average ${machine.loadAverage.join(' ')}`;
}
