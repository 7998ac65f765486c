/**
 * `npm run measure:local [-- --starts N --idle-seconds S]`: how fast local mode starts and how much
 * memory an idle instance holds, as a user sees them through `npm start`.
 *
 * In a temporary data folder: one first start (which sets the folder up), then N second starts,
 * each timed from spawning `scripts/start.sh` until a signed ListKeys answers; after the last one
 * the instance is left idle and the resident memory (VmRSS) of its whole process tree is read,
 * per process and in total. Prints a Markdown summary; `--json <path>` writes the figures.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { KMSClient, ListKeysCommand } from '@aws-sdk/client-kms';
import { treeMemory } from './soak/process-memory.js';
import { startService, stopService, type StartedService } from './soak/started-service.js';

const START_TIMEOUT_MS = 120_000;

const { values } = parseArgs({
  options: {
    starts: { type: 'string', default: '5' },
    'idle-seconds': { type: 'string', default: '15' },
    json: { type: 'string' },
  },
});
const starts = Number(values.starts);
const idleSeconds = Number(values['idle-seconds']);

interface Running extends StartedService {
  readonly firstAnswerMs: number;
}

/** Starts `npm start`'s script and waits for the first signed request to be answered. */
async function start(dataDir: string): Promise<Running> {
  const began = performance.now();
  const service = await startService(dataDir, START_TIMEOUT_MS);
  const kms = new KMSClient({ endpoint: service.endpoint, region: 'us-east-1', credentials: service.credentials, maxAttempts: 1 });
  await kms.send(new ListKeysCommand({}));
  kms.destroy();
  return { ...service, firstAnswerMs: performance.now() - began };
}

const stop = stopService;

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

const dataDir = join(await mkdtemp(join(tmpdir(), 'kms-measure-')), 'data');
try {
  const first = await start(dataDir);
  await stop(first);
  const times: number[] = [];
  let last: Running | undefined;
  for (let index = 0; index < starts; index++) {
    if (last !== undefined) await stop(last);
    last = await start(dataDir);
    times.push(last.firstAnswerMs);
  }
  if (last === undefined) throw new Error('--starts must be at least 1');
  await new Promise((resolve) => setTimeout(resolve, idleSeconds * 1000));
  const memory = await treeMemory(last.child.pid ?? 0);
  await stop(last);

  const totalMb = memory.reduce((sum, entry) => sum + entry.rssKb, 0) / 1024;
  const figures = {
    machine: { cpus: cpus().length, cpu: cpus()[0]?.model ?? '?', memoryGb: Math.round(totalmem() / 2 ** 30), node: process.version },
    firstStartMs: Math.round(first.firstAnswerMs),
    secondStartMs: times.map(Math.round),
    secondStartMedianMs: Math.round(median(times)),
    idleSeconds,
    memory: memory.map((entry) => ({ ...entry, rssMb: Math.round(entry.rssKb / 102.4) / 10 })),
    idleRssTotalMb: Math.round(totalMb * 10) / 10,
  };
  const lines = [
    `Machine: ${figures.machine.cpus} × ${figures.machine.cpu}, ${figures.machine.memoryGb} GB, Node ${figures.machine.node}`,
    '',
    '| measure | value |',
    '|---|---:|',
    `| first start (sets the folder up) to first answer | ${(figures.firstStartMs / 1000).toFixed(2)} s |`,
    `| second start to first answer, median of ${starts} | ${(figures.secondStartMedianMs / 1000).toFixed(2)} s |`,
    `| second starts, min – max | ${(Math.min(...times) / 1000).toFixed(2)} – ${(Math.max(...times) / 1000).toFixed(2)} s |`,
    ...figures.memory.map((entry) => `| idle RSS after ${idleSeconds} s: ${entry.command} | ${entry.rssMb} MB |`),
    `| idle RSS, whole process tree | ${figures.idleRssTotalMb} MB |`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  if (values.json !== undefined) await writeFile(values.json, `${JSON.stringify(figures, null, 2)}\n`);
} finally {
  await rm(join(dataDir, '..'), { recursive: true, force: true });
}
