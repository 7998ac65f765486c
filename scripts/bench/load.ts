/**
 * The load side of the benchmark: pre-signed AWS JSON 1.1 requests, the bare `node:http` server
 * (the HTTP floor), the check that a run saw only HTTP 200, and the load generator: autocannon in a
 * child process (this file, run as a script), so it neither shares an event loop with the servers
 * nor spends time signing.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { SignatureV4 } from '@smithy/signature-v4';
import autocannon from 'autocannon';
import { NodeSha256 } from '../../src/authn/node-sha256.js';

/** A failure the benchmark explains in one line (no stack trace): bad setup, a non-200 response. */
export class BenchFailure extends Error {}

/** One HTTP request, ready to replay byte for byte. */
export interface ReplayRequest {
  readonly method: 'POST';
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** Signs `TrentService.<operation>` calls once, before a load run; a signature stays valid for 15 minutes. */
export class RequestSigner {
  readonly #signer: SignatureV4;
  readonly #url: URL;

  /** `endpoint` is the service's base URL, e.g. `http://127.0.0.1:4599`. */
  constructor(endpoint: string, credentials: { readonly accessKeyId: string; readonly secretAccessKey: string }) {
    this.#url = new URL(endpoint);
    const { accessKeyId, secretAccessKey } = credentials;
    this.#signer = new SignatureV4({
      credentials: { accessKeyId, secretAccessKey }, region: 'us-east-1', service: 'kms', sha256: NodeSha256, uriEscapePath: true, applyChecksum: false,
    });
  }

  async sign(operation: string, input: unknown): Promise<ReplayRequest> {
    const body = JSON.stringify(input);
    const { host, hostname, port } = this.#url;
    const signed = await this.#signer.sign({
      method: 'POST', protocol: 'http:', hostname, ...(port === '' ? {} : { port: Number(port) }), path: '/', query: {}, body,
      headers: { host, 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `TrentService.${operation}` },
    });
    return { method: 'POST', path: '/', headers: { ...signed.headers }, body };
  }

  /** `count` signed requests for one operation; `input(i)` gives the i-th request's input. */
  async signMany(operation: string, count: number, input: (index: number) => unknown): Promise<ReplayRequest[]> {
    const requests: ReplayRequest[] = [];
    for (let i = 0; i < count; i++) requests.push(await this.sign(operation, input(i)));
    return requests;
  }
}

/** `count` random plaintexts of `bytes` bytes each, base64. */
export function randomPlaintexts(count: number, bytes: number): string[] {
  return Array.from({ length: count }, () => randomBytes(bytes).toString('base64'));
}

/** The floor: a bare `node:http` server that reads the body and answers a fixed AWS JSON 1.1 body. */
export async function startBareServer(): Promise<{ readonly endpoint: string; stop(): Promise<void> }> {
  const body = Buffer.from(JSON.stringify({ CiphertextBlob: 'A'.repeat(160), KeyId: 'arn:aws:kms:us-east-1:111122223333:key/baseline', EncryptionAlgorithm: 'SYMMETRIC_DEFAULT' }));
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      response.writeHead(200, { 'Content-Type': 'application/x-amz-json-1.1', 'Content-Length': String(body.length) });
      response.end(body);
    });
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stop: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}

/** Sends one request; throws unless HTTP 200 with a JSON body that passes `check`. */
export async function probe(endpoint: string, replay: ReplayRequest, what: string, check: (output: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> {
  const response = await fetch(new URL(replay.path, endpoint), { method: replay.method, headers: replay.headers, body: replay.body, signal: AbortSignal.timeout(10_000) });
  const body = await response.text();
  if (response.status !== 200) throw new BenchFailure(`${what}: HTTP ${response.status}: ${body.slice(0, 300)}`);
  let output: Record<string, unknown>;
  try {
    output = JSON.parse(body) as Record<string, unknown>;
  } catch {
    throw new BenchFailure(`${what}: response is not JSON: ${body.slice(0, 200)}`);
  }
  if (!check(output)) throw new BenchFailure(`${what}: unexpected response ${body.slice(0, 300)}`);
  return output;
}

/** One load run: replay `requests` (each connection rotating through them) for a time. */
export interface LoadJob {
  /** e.g. `http://127.0.0.1:4599` */
  readonly url: string;
  readonly requests: readonly ReplayRequest[];
  readonly connections: number;
  readonly durationSeconds: number;
  /** Upper bound on responses in this run, whatever the duration. */
  readonly maxRequests: number;
  /** Whether to keep per-response latencies (off for warm-up runs). */
  readonly record: boolean;
}

export interface LoadResult {
  /** Responses received, of any status. */
  readonly responses: number;
  /** Wall time from the first request to the last response. */
  readonly elapsedSeconds: number;
  readonly statusCounts: Readonly<Record<string, number>>;
  /** Connection errors, including timeouts. */
  readonly errors: number;
  readonly timeouts: number;
  /** From autocannon's per-response event (high-resolution), not its whole-millisecond histogram. */
  readonly latencyMs: { readonly p50: number; readonly p90: number; readonly p99: number; readonly max: number; readonly mean: number };
  /** CPU time the load generator itself used during the run. */
  readonly generatorCpuMs: number;
  /** Whether the run was cut short by the hard time bound. */
  readonly aborted: boolean;
}

/** Throws unless the run saw responses, only HTTP 200, no connection errors and no abort. */
export function assertAllOk(what: string, result: LoadResult): void {
  const bad = Object.keys(result.statusCounts).some((status) => status !== '200');
  if (!bad && result.errors === 0 && result.timeouts === 0 && !result.aborted && result.responses > 0) return;
  throw new BenchFailure(
    `${what}: expected only HTTP 200, got ${JSON.stringify(result.statusCounts)}, ` +
      `${result.errors} connection errors, ${result.timeouts} timeouts${result.aborted ? ', run aborted by the time bound' : ''}.`,
  );
}

/** Nearest-rank percentile of the first `count` values of a sorted array. */
export function percentile(sorted: Float64Array, count: number, p: number): number {
  if (count === 0) return Number.NaN;
  return sorted[Math.min(count - 1, Math.max(0, Math.ceil((p / 100) * count) - 1))] ?? Number.NaN;
}

/** Runs one job with autocannon in this process (the child's side of `LoadClient`). */
export function runLoad(job: LoadJob): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const latencies = new Float64Array(job.record ? Math.min(job.maxRequests + job.connections, 4_000_000) : 0);
    const statusCounts: Record<string, number> = {};
    let samples = 0;
    let responses = 0;
    let aborted = false;
    let firstSend: bigint | undefined;
    let lastResponse: bigint | undefined;
    const cpuBefore = process.cpuUsage();
    const instance = autocannon({
      url: job.url, connections: job.connections, pipelining: 1, duration: job.durationSeconds, maxOverallRequests: job.maxRequests, timeout: 10,
      requests: job.requests.map((request) => ({ ...request, headers: { ...request.headers } })),
    }, (error, result) => {
      clearTimeout(hardBound);
      if (error !== null && error !== undefined) return reject(error instanceof Error ? error : new Error(String(error)));
      const cpu = process.cpuUsage(cpuBefore);
      const sorted = latencies.subarray(0, samples).sort();
      const elapsedNs = firstSend !== undefined && lastResponse !== undefined ? Number(lastResponse - firstSend) : 0;
      resolve({
        responses, statusCounts, errors: result.errors, timeouts: result.timeouts, aborted,
        elapsedSeconds: elapsedNs > 0 ? elapsedNs / 1e9 : result.duration,
        latencyMs: {
          p50: percentile(sorted, samples, 50), p90: percentile(sorted, samples, 90), p99: percentile(sorted, samples, 99),
          max: samples === 0 ? Number.NaN : (sorted[samples - 1] ?? Number.NaN),
          mean: samples === 0 ? Number.NaN : sorted.reduce((sum, value) => sum + value, 0) / samples,
        },
        generatorCpuMs: (cpu.user + cpu.system) / 1000,
      });
    });
    instance.on('start', () => (firstSend = process.hrtime.bigint()));
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      lastResponse = process.hrtime.bigint();
      responses++;
      statusCounts[String(statusCode)] = (statusCounts[String(statusCode)] ?? 0) + 1;
      if (samples < latencies.length) latencies[samples++] = responseTime;
    });
    const hardBound = setTimeout(() => {
      aborted = true;
      instance.stop();
    }, job.durationSeconds * 1000 + 15_000);
  });
}

type LoadReply = { readonly result: LoadResult } | { readonly failure: string };

/** The load generator child process, running one job at a time. */
export class LoadClient {
  readonly #child: ChildProcess;

  /** Forks this file; `execArgv` must let Node run TypeScript (the benchmark's own loader flags by default). */
  constructor(execArgv: readonly string[] = process.execArgv) {
    this.#child = fork(fileURLToPath(import.meta.url), [], { execArgv: [...execArgv], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  }

  run(job: LoadJob): Promise<LoadResult> {
    const child = this.#child;
    return new Promise<LoadResult>((resolve, reject) => {
      const settle = (reply: LoadReply | Error): void => {
        clearTimeout(timer);
        child.off('message', settle).off('exit', exited);
        if (reply instanceof Error) reject(reply);
        else if ('result' in reply) resolve(reply.result);
        else reject(new Error(`load generator: ${reply.failure}`));
      };
      const exited = (code: number | null, signal: string | null): void => settle(new Error(`load generator exited (code ${code}, signal ${signal})`));
      const timer = setTimeout(() => settle(new Error(`load generator did not answer within ${job.durationSeconds} s + 30 s`)), job.durationSeconds * 1000 + 30_000);
      if (child.exitCode !== null || child.signalCode !== null) return settle(new Error('load generator is not running'));
      child.on('message', settle).on('exit', exited).send(job);
    });
  }

  /** Disconnecting makes the child exit; it is killed if it has not two seconds later. */
  stop(): void {
    const child = this.#child;
    if (child.connected) child.disconnect();
    setTimeout(() => child.exitCode === null && child.signalCode === null && child.kill('SIGKILL'), 2_000).unref();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href && process.send !== undefined) {
  process.on('message', (job: LoadJob) => {
    void runLoad(job).then((result) => ({ result }), (error: unknown) => ({ failure: error instanceof Error ? error.message : String(error) }))
      .then((reply: LoadReply) => process.send?.(reply));
  });
  // Never outlive the benchmark.
  process.on('disconnect', () => process.exit(0));
}
