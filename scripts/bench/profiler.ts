/**
 * Samples this process's main thread with the V8 CPU profiler and summarises where the time went:
 * self time by function, and by component: the package or project file whose code ran, Node's
 * own code and native calls being charged to the nearest package or project frame that called them.
 */
import { Session } from 'node:inspector/promises';
import { writeFile } from 'node:fs/promises';

interface CallFrame {
  readonly functionName: string;
  readonly url: string;
  readonly lineNumber: number;
}

interface ProfileNode {
  readonly id: number;
  readonly callFrame: CallFrame;
  readonly children?: readonly number[];
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples?: readonly number[];
  readonly timeDeltas?: readonly number[];
  readonly startTime: number;
  readonly endTime: number;
}

export interface ProfileEntry {
  readonly name: string;
  readonly selfMs: number;
  /** Share of the non-idle time. */
  readonly share: number;
}

export interface ProfileSummary {
  readonly totalMs: number;
  readonly idleMs: number;
  /** Self time charged to the nearest package or project frame on the stack. */
  readonly byOrigin: readonly ProfileEntry[];
  readonly byFunction: readonly ProfileEntry[];
}

export class MainThreadProfiler {
  readonly #session = new Session();

  async start(): Promise<void> {
    this.#session.connect();
    await this.#session.post('Profiler.enable');
    await this.#session.post('Profiler.setSamplingInterval', { interval: 200 });
    await this.#session.post('Profiler.start');
  }

  /** Stops sampling; writes the raw profile to `savePath` when given. */
  async stop(savePath?: string): Promise<ProfileSummary> {
    const { profile } = (await this.#session.post('Profiler.stop')) as unknown as { profile: CpuProfile };
    await this.#session.post('Profiler.disable');
    this.#session.disconnect();
    if (savePath !== undefined) await writeFile(savePath, JSON.stringify(profile));
    return summarise(profile);
  }
}

/** The package (`node_modules/<name>`) or project file (`src/...`) a frame belongs to; undefined for Node's own code. */
function owner(frame: CallFrame): string | undefined {
  const { url } = frame;
  if (url === '' || url.startsWith('node:')) return undefined;
  const modules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (modules !== null) return modules[1] ?? url;
  const source = /\/((?:src|scripts)\/.*)$/.exec(url);
  return source?.[1] ?? url;
}

function label(frame: CallFrame): string {
  const name = frame.functionName === '' ? '(anonymous)' : frame.functionName;
  if (frame.url === '') return name.startsWith('(') ? name : `${name} (native)`;
  const file = frame.url.split('/').pop() ?? frame.url;
  return `${name} ${file}:${frame.lineNumber + 1}`;
}

function summarise(profile: CpuProfile): ProfileSummary {
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const parents = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node.id);
  const self = new Map<number, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  // timeDeltas[i] is the time before sample i; attribute each interval to the sample that ends it.
  for (let i = 0; i < samples.length; i++) {
    const id = samples[i] ?? -1;
    self.set(id, (self.get(id) ?? 0) + (deltas[i] ?? 0) / 1000);
  }
  let totalMs = 0;
  let idleMs = 0;
  const byOrigin = new Map<string, number>();
  const byFunction = new Map<string, number>();
  for (const [id, ms] of self) {
    const node = nodes.get(id);
    if (node === undefined) continue;
    // Stacks with this file on them are the profiler starting or stopping, not the service.
    const ancestry: ProfileNode[] = [];
    for (let at: number | undefined = id; at !== undefined; at = parents.get(at)) {
      const ancestor = nodes.get(at);
      if (ancestor !== undefined) ancestry.push(ancestor);
    }
    if (ancestry.some((a) => a.callFrame.url.endsWith('/profiler.ts'))) continue;
    totalMs += ms;
    if (node.callFrame.functionName === '(idle)') {
      idleMs += ms;
      continue;
    }
    // Charge Node internals and native calls to the nearest package or project frame that called them.
    const charged = ancestry.map((a) => owner(a.callFrame)).find((o) => o !== undefined);
    const special = node.callFrame.functionName.startsWith('(') ? node.callFrame.functionName : undefined;
    const o = special ?? charged ?? (node.callFrame.url === '' ? `${node.callFrame.functionName} (native, from the event loop)` : 'node internals (event loop, http, streams)');
    byOrigin.set(o, (byOrigin.get(o) ?? 0) + ms);
    const f = label(node.callFrame);
    byFunction.set(f, (byFunction.get(f) ?? 0) + ms);
  }
  const busy = totalMs - idleMs;
  const entries = (map: Map<string, number>): ProfileEntry[] =>
    [...map].map(([name, selfMs]) => ({ name, selfMs, share: busy > 0 ? selfMs / busy : 0 })).sort((a, b) => b.selfMs - a.selfMs);
  return { totalMs, idleMs, byOrigin: entries(byOrigin), byFunction: entries(byFunction) };
}
