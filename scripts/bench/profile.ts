/**
 * Samples this process's main thread with the V8 CPU profiler during one extra Encrypt cell, and
 * says where the time went: self time by function, and by component (the package or project file
 * whose code ran, Node's own code and native calls charged to the nearest such frame that called them).
 */
import { writeFile } from 'node:fs/promises';
import type { Profiler, Runtime } from 'node:inspector';
import { Session } from 'node:inspector/promises';

export interface ProfileEntry {
  readonly name: string;
  readonly selfMs: number;
  /** Share of the non-idle time. */
  readonly share: number;
}

export interface ProfileSummary {
  readonly totalMs: number;
  readonly idleMs: number;
  readonly byOrigin: readonly ProfileEntry[];
  readonly byFunction: readonly ProfileEntry[];
}

/** The profiled Encrypt cell (not part of the tables). */
export interface ProfiledEncrypt {
  readonly summary: ProfileSummary;
  readonly requestsPerSecond: number;
  readonly concurrency: number;
}

const THIS_FILE = import.meta.url.split('?')[0];

/** Starts sampling every 200 µs; the returned function stops, saves the raw profile to `savePath` if given, and summarises. */
export async function startProfiler(): Promise<(savePath?: string) => Promise<ProfileSummary>> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 200 });
  await session.post('Profiler.start');
  return async (savePath) => {
    const { profile } = await session.post('Profiler.stop');
    await session.post('Profiler.disable');
    session.disconnect();
    if (savePath !== undefined) await writeFile(savePath, JSON.stringify(profile));
    return summariseProfile(profile);
  };
}

/** The package (`node_modules/<name>`) or project file (`src/...`) a frame belongs to; undefined for Node's own code. */
function owner({ url }: Runtime.CallFrame): string | undefined {
  if (url === '' || url.startsWith('node:')) return undefined;
  return /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1] ?? /\/((?:src|scripts)\/.*)$/.exec(url)?.[1] ?? url;
}

function label(frame: Runtime.CallFrame): string {
  const name = frame.functionName === '' ? '(anonymous)' : frame.functionName;
  if (frame.url === '') return name.startsWith('(') ? name : `${name} (native)`;
  return `${name} ${frame.url.split('/').pop() ?? frame.url}:${frame.lineNumber + 1}`;
}

function summariseProfile(profile: Profiler.Profile): ProfileSummary {
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const parents = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node.id);
  // timeDeltas[i] is the time before sample i: each interval goes to the sample that ends it.
  const self = new Map<number, number>();
  (profile.samples ?? []).forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas?.[i] ?? 0) / 1000));
  let totalMs = 0;
  let idleMs = 0;
  const byOrigin = new Map<string, number>();
  const byFunction = new Map<string, number>();
  for (const [id, ms] of self) {
    const node = nodes.get(id);
    if (node === undefined) continue;
    const ancestry: Runtime.CallFrame[] = [];
    for (let at: number | undefined = id; at !== undefined; at = parents.get(at)) {
      const frame = nodes.get(at)?.callFrame;
      if (frame !== undefined) ancestry.push(frame);
    }
    // Stacks through this file are the profiler starting or stopping, not the service.
    if (ancestry.some((frame) => frame.url.split('?')[0] === THIS_FILE)) continue;
    totalMs += ms;
    const { functionName, url } = node.callFrame;
    if (functionName === '(idle)') {
      idleMs += ms;
      continue;
    }
    const origin = (functionName.startsWith('(') ? functionName : undefined) ?? ancestry.map(owner).find((o) => o !== undefined)
      ?? (url === '' ? `${functionName} (native, from the event loop)` : 'node internals (event loop, http, streams)');
    byOrigin.set(origin, (byOrigin.get(origin) ?? 0) + ms);
    byFunction.set(label(node.callFrame), (byFunction.get(label(node.callFrame)) ?? 0) + ms);
  }
  const busy = totalMs - idleMs;
  const entries = (map: Map<string, number>): ProfileEntry[] =>
    [...map].map(([name, selfMs]) => ({ name, selfMs, share: busy > 0 ? selfMs / busy : 0 })).sort((a, b) => b.selfMs - a.selfMs);
  return { totalMs, idleMs, byOrigin: entries(byOrigin), byFunction: entries(byFunction) };
}
