/** The report section on where the service's main thread spent its time in the profiled Encrypt cell. */
import type { ProfiledEncrypt } from './measurement-rounds.js';
import { formatInt } from './stats.js';

export function profileReport(profile: ProfiledEncrypt): string[] {
  const out: string[] = [];
  const p = profile.summary;
  const busy = p.totalMs - p.idleMs;
  out.push('');
  out.push(
    `Where the service's main thread spends its time (Encrypt c=${profile.concurrency}, extra profiled cell at ${formatInt(profile.requestsPerSecond)} req/s, ` +
      `${((busy / Math.max(p.totalMs, 1)) * 100).toFixed(0)}% busy; self time, share of busy time):`,
  );
  out.push('  by component (Node internals and native calls charged to the nearest package or project file that called them):');
  for (const entry of p.byOrigin.slice(0, 14)) out.push(`    ${(entry.share * 100).toFixed(1).padStart(5)}%  ${entry.name}`);
  out.push('  by function (self time):');
  for (const entry of p.byFunction.slice(0, 12)) out.push(`    ${(entry.share * 100).toFixed(1).padStart(5)}%  ${entry.name}`);
  out.push('  Samples are taken on wall-clock time: with the load generator on the same cores, a native call that wakes it');
  out.push('  (socket writev) also absorbs time the thread spent preempted. CPU accounting is the srv µs/req column.');
  return out;
}
