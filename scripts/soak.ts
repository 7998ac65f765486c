/**
 * `npm run soak [-- options] [-- service flags]`: runs the local service (through `npm start`'s
 * script, in a fresh data folder) for a chosen time at a steady request rate spread uniformly over
 * many keys, and shows whether memory and disk level off.
 *
 * It creates the keys, then sends Encrypt to a random key at the chosen rate, with every tenth
 * request a Decrypt of an earlier ciphertext (of a random key too). Each interval (a minute by
 * default) it samples the resident memory (VmRSS) of every process of the service's tree and the
 * data folder's size, and at the end prints the least-squares slope of each series over the whole
 * run and over its second half. Memory that levels off shows a second-half slope near zero.
 * Every response must be HTTP 200; any other answer is counted and fails the run.
 *
 * Flags after a second `--` go to the service (e.g. `-- --audit-log-max-size 10MB`).
 */
import { Agent, request as httpRequest } from 'node:http';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { RequestSigner, randomPlaintexts } from './bench/load.js';
import { folderBytes, treeMemory, type ProcessMemory } from './soak/process-memory.js';
import { slope, type Sample } from './soak/slope.js';
import { startService, stopService, type StartedService } from './soak/started-service.js';

const START_TIMEOUT_MS = 180_000;
const MAX_IN_FLIGHT = 64;

const separator = process.argv.indexOf('--', 2);
const ownArgs = separator === -1 ? process.argv.slice(2) : process.argv.slice(2, separator);
const serviceArgs = separator === -1 ? [] : process.argv.slice(separator + 1);
const { values } = parseArgs({
  args: ownArgs,
  options: {
    minutes: { type: 'string', default: '10' },
    rate: { type: 'string', default: '150' },
    keys: { type: 'string', default: '10000' },
    interval: { type: 'string', default: '60' },
    json: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});
if (values.help === true) {
  process.stdout.write(`Usage: npm run soak -- [--minutes 10] [--rate 150] [--keys 10000] [--interval 60] [--json path] [-- service flags]\n`);
  process.exit(0);
}
const minutes = positive('--minutes', values.minutes);
const rate = positive('--rate', values.rate);
const keyCount = Math.round(positive('--keys', values.keys));
const intervalSeconds = positive('--interval', values.interval);

function positive(name: string, raw: string): number {
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) {
    process.stderr.write(`${name} must be a positive number, got "${raw}".\n`);
    process.exit(1);
  }
  return value;
}

function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

const agent = new Agent({ keepAlive: true, maxSockets: MAX_IN_FLIGHT });

async function call(endpoint: string, signer: RequestSigner, operation: string, input: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const signed = await signer.sign(operation, input);
  const url = new URL(endpoint);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ hostname: url.hostname, port: url.port, path: '/', method: 'POST', headers: signed.headers, agent, timeout: 30_000 }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let body: Record<string, unknown>;
        try {
          body = JSON.parse(text) as Record<string, unknown>;
        } catch {
          body = { raw: text.slice(0, 200) };
        }
        resolve({ status: response.statusCode ?? 0, body });
      });
      response.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('no answer within 30 s')));
    req.on('error', reject);
    req.end(signed.body);
  });
}

async function createKeys(endpoint: string, signer: RequestSigner): Promise<string[]> {
  const ids: string[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < keyCount) {
      next++;
      const answer = await call(endpoint, signer, 'CreateKey', { Description: 'soak key' });
      const id = (answer.body['KeyMetadata'] as Record<string, unknown> | undefined)?.['KeyId'];
      if (answer.status !== 200 || typeof id !== 'string') throw new Error(`CreateKey: HTTP ${answer.status} ${JSON.stringify(answer.body)}`);
      ids.push(id);
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  return ids;
}

interface Tick {
  readonly minute: number;
  readonly requests: number;
  readonly memory: readonly ProcessMemory[];
  readonly dataBytes: number;
}

const dataDir = join(await mkdtemp(join(tmpdir(), 'kms-soak-')), 'data');
let running: StartedService | undefined;
try {
  log(`starting the service in ${dataDir} ${serviceArgs.join(' ')}`);
  running = await startService(dataDir, START_TIMEOUT_MS, serviceArgs);
  const service = running;
  const signer = new RequestSigner(service.endpoint, service.credentials);
  const createStarted = performance.now();
  const keys = await createKeys(service.endpoint, signer);
  log(`${keys.length} keys created in ${((performance.now() - createStarted) / 1000).toFixed(1)} s; ${rate} req/s for ${minutes} min`);

  const [plaintext = ''] = randomPlaintexts(1, 32);
  const ciphertexts: string[] = [];
  let sent = 0;
  let answered = 0;
  let failures = 0;
  let firstFailure = '';
  let inFlight = 0;
  let skipped = 0;
  const randomKey = (): string => keys[Math.floor(Math.random() * keys.length)] ?? '';
  const one = async (): Promise<void> => {
    const decrypt = sent % 10 === 9 && ciphertexts.length > 0;
    sent++;
    inFlight++;
    try {
      const answer = decrypt
        ? await call(service.endpoint, signer, 'Decrypt', { CiphertextBlob: ciphertexts[Math.floor(Math.random() * ciphertexts.length)] })
        : await call(service.endpoint, signer, 'Encrypt', { KeyId: randomKey(), Plaintext: plaintext });
      if (answer.status !== 200) throw new Error(`HTTP ${answer.status} ${JSON.stringify(answer.body).slice(0, 300)}`);
      const blob = answer.body['CiphertextBlob'];
      if (typeof blob === 'string') {
        if (ciphertexts.length < 1000) ciphertexts.push(blob);
        else ciphertexts[Math.floor(Math.random() * ciphertexts.length)] = blob;
      }
      answered++;
    } catch (error) {
      failures++;
      if (firstFailure === '') firstFailure = error instanceof Error ? error.message : String(error);
    } finally {
      inFlight--;
    }
  };

  const samples: Tick[] = [];
  const sample = async (minute: number): Promise<void> => {
    const tick = { minute, requests: answered, memory: await treeMemory(service.child.pid ?? 0), dataBytes: await folderBytes(dataDir) };
    samples.push(tick);
    const rss = tick.memory.map((entry) => `${entry.command} ${(entry.rssKb / 1024).toFixed(1)}`).join(', ');
    log(`t=${minute.toFixed(1)} min  answered ${tick.requests}  RSS MB: ${rss}  data ${(tick.dataBytes / 2 ** 20).toFixed(1)} MB`);
  };

  const began = performance.now();
  await sample(0);
  const durationMs = minutes * 60_000;
  let nextSample = intervalSeconds * 1000;
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const elapsed = performance.now() - began;
      const due = Math.min(elapsed, durationMs) * rate / 1000;
      while (sent + skipped < due) {
        // At the in-flight bound the request is counted as skipped, so the rate stays honest.
        if (inFlight >= MAX_IN_FLIGHT) skipped++;
        else void one();
      }
      if (elapsed >= nextSample) {
        nextSample += intervalSeconds * 1000;
        void sample(elapsed / 60_000);
      }
      if (elapsed >= durationMs && inFlight === 0) {
        clearInterval(timer);
        resolve();
      }
    }, 10);
  });
  const last = samples.at(-1);
  if (last === undefined || performance.now() - began - last.minute * 60_000 > 1000) await sample((performance.now() - began) / 60_000);

  const seriesNames = [...new Set(samples.flatMap((tick) => tick.memory.map((entry) => `${entry.command} (pid ${entry.pid})`)))];
  const series = (name: string): Sample[] => samples.map((tick) => ({
    minute: tick.minute,
    value: (tick.memory.find((entry) => `${entry.command} (pid ${entry.pid})` === name)?.rssKb ?? 0) / 1024,
  }));
  const total = samples.map((tick) => ({ minute: tick.minute, value: tick.memory.reduce((sum, entry) => sum + entry.rssKb, 0) / 1024 }));
  const data = samples.map((tick) => ({ minute: tick.minute, value: tick.dataBytes / 2 ** 20 }));
  const row = (name: string, points: readonly Sample[]): string => {
    const half = points.filter((point) => point.minute >= (points.at(-1)?.minute ?? 0) / 2);
    const fmt = (value: number): string => value.toFixed(1);
    return `| ${name} | ${fmt(points[0]?.value ?? 0)} | ${fmt(points.at(-1)?.value ?? 0)} | ${fmt(Math.max(...points.map((p) => p.value)))} | ${fmt(slope(points) * 60)} | ${fmt(slope(half) * 60)} |`;
  };
  const elapsedSeconds = (samples.at(-1)?.minute ?? 0) * 60;
  const lines = [
    `Machine: ${cpus().length} × ${cpus()[0]?.model ?? '?'}, Node ${process.version}`,
    `Soak: ${keyCount} keys, ${rate} req/s asked, ${(answered / elapsedSeconds).toFixed(1)} req/s answered over ${(elapsedSeconds / 60).toFixed(1)} min, ` +
      `${answered} answered, ${failures} failed, ${skipped} skipped at ${MAX_IN_FLIGHT} in flight; service flags: ${serviceArgs.join(' ') || 'none'}`,
    '',
    '| series (MB) | start | end | max | slope, whole run (MB/h) | slope, second half (MB/h) |',
    '|---|---:|---:|---:|---:|---:|',
    ...seriesNames.map((name) => row(`RSS ${name}`, series(name))),
    row('RSS, whole tree', total),
    row('data folder', data),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  if (values.json !== undefined) await writeFile(values.json, `${JSON.stringify({ keyCount, rate, minutes, serviceArgs, answered, failures, skipped, samples }, null, 2)}\n`);
  if (failures > 0) {
    log(`FAILED: ${failures} requests did not answer 200; the first: ${firstFailure}`);
    process.exitCode = 1;
  }
} finally {
  agent.destroy();
  if (running !== undefined) await stopService(running);
  await rm(join(dataDir, '..'), { recursive: true, force: true });
}
