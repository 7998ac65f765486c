/**
 * One cold start: a fresh `node` process that loads one bundle and answers one event, timed from
 * just before the spawn to the handler's answer, with the local endpoints' request logs placing
 * each table and secret request in the phase that made it.
 */
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import type { Readable } from 'node:stream';
import type { ProbeOutcome, ProbeReport } from './probe-report.js';
import { between, now, type LoggedRequest } from './request-log.js';

/** One cold start's phases, in milliseconds. */
export interface ColdStart {
  /** From the spawn to the handler's answer. */
  readonly totalMs: number;
  /** From the spawn to the probe's first line (process creation and Node.js start). */
  readonly nodeStartMs: number;
  /** From the probe's first line to the bundle's first request to Secrets Manager or the table: reading, compiling and running the module's code. */
  readonly loadMs: number;
  /** From that request to the import's end: the rest of the top-level `await` (secrets, opening the token, its keys). */
  readonly initMs: number;
  /** The handler's first invocation: from its call to its answer (signature check, table reads, the operation). */
  readonly firstInvocationMs: number;
  /** CPU time of the process from its start to the answer (user and system): what a busy machine inflates least. */
  readonly cpuTotalMs: number;
  /** CPU time of the import (load and init) and of the first invocation. */
  readonly cpuImportMs: number;
  readonly cpuInvocationMs: number;
  /** The requests of the init and of the first invocation (X-Amz-Target without the service prefix). */
  readonly initRequests: readonly string[];
  readonly invocationRequests: readonly string[];
  readonly answer: unknown;
}

export interface ProbeRun {
  /** The built probe (probe.ts). */
  readonly probe: string;
  readonly bundle: string;
  readonly event: unknown;
  readonly env: Readonly<Record<string, string>>;
  /** Where the event file is written. */
  readonly workDir: string;
  /** Request logs of the endpoints the function reaches. */
  readonly logs: readonly (readonly LoggedRequest[])[];
  /** Writes a V8 CPU profile of the process into this folder. */
  readonly cpuProfileDir?: string;
}

function collect(stream: Readable | null): () => string {
  const chunks: Buffer[] = [];
  stream?.on('data', (chunk: Buffer) => chunks.push(chunk));
  return () => Buffer.concat(chunks).toString('utf8');
}

function operationOf(request: LoggedRequest): string {
  return request.target.split('.').at(-1) ?? request.target;
}

/** The phases of one run from the probe's marks and the requests the endpoints saw. */
export function phasesOf(spawnedAt: number, report: ProbeReport, requests: readonly LoggedRequest[]): ColdStart {
  const initRequests = between(requests, report.started, report.imported).sort((a, b) => a.at - b.at);
  const firstRequest = initRequests[0]?.at ?? report.imported;
  return {
    totalMs: report.answered - spawnedAt,
    nodeStartMs: report.started - spawnedAt,
    loadMs: firstRequest - report.started,
    initMs: report.imported - firstRequest,
    firstInvocationMs: report.answered - report.imported,
    cpuTotalMs: report.cpu.answered,
    cpuImportMs: report.cpu.imported - report.cpu.started,
    cpuInvocationMs: report.cpu.answered - report.cpu.imported,
    initRequests: initRequests.map(operationOf),
    invocationRequests: between(requests, report.imported, report.answered + 1).sort((a, b) => a.at - b.at).map(operationOf),
    answer: report.answer,
  };
}

export async function runProbe(run: ProbeRun): Promise<ColdStart> {
  const eventFile = path.join(run.workDir, `event-${process.pid}-${Date.now()}.json`);
  await writeFile(eventFile, JSON.stringify(run.event), { mode: 0o600 });
  const profiling = run.cpuProfileDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${run.cpuProfileDir}`];
  const spawnedAt = now();
  const child = spawn(process.execPath, [...profiling, run.probe, run.bundle, eventFile], {
    env: run.env, stdio: ['ignore', 'pipe', 'pipe', 'pipe'], cwd: path.dirname(run.bundle),
  });
  const stdout = collect(child.stdout);
  const stderr = collect(child.stderr);
  const result = collect(child.stdio[3] as Readable);
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
  const text = result();
  let outcome: ProbeOutcome;
  try {
    outcome = JSON.parse(text) as ProbeOutcome;
  } catch {
    throw new Error(`${run.bundle} exited with ${String(code)} and no report:\n${stderr()}${stdout()}`);
  }
  if ('error' in outcome) throw new Error(`${run.bundle} failed: ${outcome.error}\n${stderr()}${stdout()}`);
  return phasesOf(spawnedAt, outcome, run.logs.flat());
}
