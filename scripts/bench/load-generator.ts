/**
 * Load generator, run as a child process of the benchmark so that it does not share an event
 * loop with the servers under test. Receives `LoadJob`s over IPC, replays their requests with
 * autocannon (rotating through the array on every connection) and answers with a `LoadResult`.
 *
 * Latencies are taken from autocannon's per-response event (high-resolution milliseconds), not
 * from its histogram, which only resolves whole milliseconds.
 */
import autocannon from 'autocannon';
import type { LoadJob, LoadReply, LoadResult } from './load-protocol.js';
import { percentile } from './stats.js';

/** Extra time a run may take beyond its duration before it is stopped by force. */
const HARD_BOUND_GRACE_MS = 15_000;
const MAX_LATENCY_SAMPLES = 4_000_000;

function send(reply: LoadReply): void {
  process.send?.(reply);
}

function run(job: LoadJob): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const capacity = job.record ? Math.min(job.maxRequests + job.connections, MAX_LATENCY_SAMPLES) : 0;
    const latencies = new Float64Array(capacity);
    let samples = 0;
    let responses = 0;
    const statusCounts: Record<string, number> = {};
    let aborted = false;
    let firstSend: bigint | undefined;
    let lastResponse: bigint | undefined;
    const cpuBefore = process.cpuUsage();

    const instance = autocannon(
      {
        url: job.url,
        connections: job.connections,
        pipelining: 1,
        duration: job.durationSeconds,
        maxOverallRequests: job.maxRequests,
        timeout: 10,
        requests: job.requests.map((request) => ({ ...request, headers: { ...request.headers } })),
      },
      (error, result) => {
        clearTimeout(hardBound);
        if (error !== null && error !== undefined) {
          reject(error instanceof Error ? error : new Error(String(error)));
          return;
        }
        const cpu = process.cpuUsage(cpuBefore);
        const sorted = latencies.subarray(0, samples).sort();
        let sum = 0;
        for (let i = 0; i < samples; i++) sum += sorted[i] ?? 0;
        const elapsedNs = firstSend !== undefined && lastResponse !== undefined ? Number(lastResponse - firstSend) : 0;
        resolve({
          type: 'result',
          id: job.id,
          responses,
          elapsedSeconds: elapsedNs > 0 ? elapsedNs / 1e9 : result.duration,
          statusCounts,
          errors: result.errors,
          timeouts: result.timeouts,
          latencyMs: {
            p50: percentile(sorted, samples, 50),
            p90: percentile(sorted, samples, 90),
            p99: percentile(sorted, samples, 99),
            max: samples === 0 ? Number.NaN : (sorted[samples - 1] ?? Number.NaN),
            mean: samples === 0 ? Number.NaN : sum / samples,
          },
          latencySamples: samples,
          generatorCpuMs: (cpu.user + cpu.system) / 1000,
          aborted,
        });
      },
    );
    instance.on('start', () => {
      firstSend = process.hrtime.bigint();
    });
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      lastResponse = process.hrtime.bigint();
      responses++;
      const key = String(statusCode);
      statusCounts[key] = (statusCounts[key] ?? 0) + 1;
      if (samples < capacity) latencies[samples++] = responseTime;
    });
    const hardBound = setTimeout(() => {
      aborted = true;
      instance.stop();
    }, job.durationSeconds * 1000 + HARD_BOUND_GRACE_MS);
  });
}

let queue: Promise<void> = Promise.resolve();

process.on('message', (message: LoadJob) => {
  if (message.type !== 'run') return;
  queue = queue.then(async () => {
    try {
      send(await run(message));
    } catch (error) {
      send({ type: 'failure', id: message.id, message: error instanceof Error ? error.message : String(error) });
    }
  });
});

// Never outlive the benchmark.
process.on('disconnect', () => process.exit(0));
