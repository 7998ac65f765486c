/**
 * One measured cell: a target loaded at one concurrency for a fixed time, with the request rate,
 * latency, CPU per request on both sides, DynamoDB calls and the load of everything else alongside.
 */
import type { LocalService } from '../../src/local/local-service.js';
import type { AsymmetricKmsTargets } from './asymmetric-targets.js';
import type { BaselineServer } from './baseline-server.js';
import { BenchFailure } from './bench-failure.js';
import type { CountSnapshot, HttpClientCounter } from './http-client-counter.js';
import type { LoadClient } from './load-client.js';
import type { LoadResult, ReplayRequest } from './load-protocol.js';
import { busyCores, readCpuTimes } from './machine.js';
import { MainThreadProfiler, type ProfileSummary } from './profiler.js';
import { assertAllOk, probe } from './response-checks.js';
import type { Settings } from './settings.js';
import { randomPlaintexts, type RequestSigner } from './signed-requests.js';
import { ASYMMETRIC_BY_LABEL, PLAINTEXT_BYTES, type Target } from './symmetric-targets.js';
import { BENCH_CONTEXT } from './policy-target.js';

export interface CellResult {
  readonly target: Target;
  readonly concurrency: number;
  readonly round: number;
  readonly requestsPerSecond: number;
  readonly responses: number;
  readonly elapsedSeconds: number;
  readonly latencyMs: LoadResult['latencyMs'];
  readonly errors: number;
  readonly statusCounts: Readonly<Record<string, number>>;
  /** CPU the serving process used per request (service or floor server, plus anything else in it). */
  readonly serverCpuMicrosPerRequest: number;
  readonly generatorCpuMicrosPerRequest: number;
  /** node:http client requests the serving process made during the cell (DynamoDB calls). */
  readonly dynamoRequests: CountSnapshot;
  /** Cores kept busy by everything else on the machine during the cell (DynamoDB Local, other tenants). */
  readonly otherBusyCores: number;
}

/** The key under a 20-statement key policy and the signer of the IAM user who encrypts with it. */
export interface PolicyTarget {
  readonly keyId: string;
  readonly signer: RequestSigner;
}

/** Runs the load cells of one benchmark against the local service and the HTTP floor server. */
export class CellRunner {
  readonly #settings: Settings;
  readonly #service: LocalService;
  readonly #baseline: BaselineServer;
  readonly #load: LoadClient;
  readonly #counter: HttpClientCounter;
  readonly #signer: RequestSigner;
  readonly #keyId: string;
  readonly #ciphertext: string;
  readonly #decryptPlaintext: string;
  readonly #cores: number;
  readonly #asymmetric: AsymmetricKmsTargets | undefined;
  readonly #spreadKeyIds: readonly string[];
  readonly #policy: PolicyTarget;

  constructor(parts: {
    settings: Settings; service: LocalService; baseline: BaselineServer; load: LoadClient; counter: HttpClientCounter;
    signer: RequestSigner; keyId: string; ciphertext: string; decryptPlaintext: string; cores: number;
    asymmetric: AsymmetricKmsTargets | undefined; spreadKeyIds: readonly string[]; policy: PolicyTarget;
  }) {
    this.#spreadKeyIds = parts.spreadKeyIds;
    this.#policy = parts.policy;
    this.#asymmetric = parts.asymmetric;
    this.#cores = parts.cores;
    this.#settings = parts.settings;
    this.#service = parts.service;
    this.#baseline = parts.baseline;
    this.#load = parts.load;
    this.#counter = parts.counter;
    this.#signer = parts.signer;
    this.#keyId = parts.keyId;
    this.#ciphertext = parts.ciphertext;
    this.#decryptPlaintext = parts.decryptPlaintext;
  }

  /** Fresh signatures for a cell, checked once end to end before the load starts. */
  async #requestsFor(target: Target): Promise<{ endpoint: string; requests: ReplayRequest[] }> {
    const n = this.#settings.signedCount;
    const kms = this.#service.endpoint;
    switch (target) {
      case 'HTTP floor':
      case 'Encrypt': {
        const plaintexts = randomPlaintexts(n, PLAINTEXT_BYTES);
        const requests = await this.#signer.signMany('Encrypt', n, (i) => ({ KeyId: this.#keyId, Plaintext: plaintexts[i] }));
        const endpoint = target === 'Encrypt' ? kms : this.#baseline.endpoint;
        const first = requests[0];
        if (first !== undefined) await probe(endpoint, first, target, (out) => typeof out['CiphertextBlob'] === 'string');
        return { endpoint, requests };
      }
      case 'Encrypt spread': {
        // One request per key, replayed in turn: every key is used once per pass.
        const plaintexts = randomPlaintexts(n, PLAINTEXT_BYTES);
        const keys = this.#spreadKeyIds;
        const requests = await this.#signer.signMany('Encrypt', keys.length, (i) => ({ KeyId: keys[i], Plaintext: plaintexts[i % n] }));
        const first = requests[0];
        if (first === undefined) throw new BenchFailure('Encrypt spread has no keys');
        await probe(kms, first, target, (out) => typeof out['CiphertextBlob'] === 'string');
        return { endpoint: kms, requests };
      }
      case 'Encrypt (policies)': {
        const plaintexts = randomPlaintexts(n, PLAINTEXT_BYTES);
        const requests = await this.#policy.signer.signMany('Encrypt', n, (i) => ({ KeyId: this.#policy.keyId, Plaintext: plaintexts[i], EncryptionContext: BENCH_CONTEXT }));
        const first = requests[0];
        if (first !== undefined) await probe(kms, first, target, (out) => typeof out['CiphertextBlob'] === 'string');
        return { endpoint: kms, requests };
      }
      case 'Decrypt': {
        const requests = await this.#signer.signMany('Decrypt', n, () => ({ CiphertextBlob: this.#ciphertext }));
        const first = requests[0];
        if (first !== undefined) await probe(kms, first, target, (out) => out['Plaintext'] === this.#decryptPlaintext);
        return { endpoint: kms, requests };
      }
      case 'GenerateDataKey': {
        const requests = await this.#signer.signMany('GenerateDataKey', n, () => ({ KeyId: this.#keyId, KeySpec: 'AES_256' }));
        const first = requests[0];
        if (first !== undefined) {
          await probe(kms, first, target, (out) =>
            typeof out['CiphertextBlob'] === 'string' && typeof out['Plaintext'] === 'string' && Buffer.from(out['Plaintext'], 'base64').length === 32);
        }
        return { endpoint: kms, requests };
      }
      default: {
        const asymmetric = ASYMMETRIC_BY_LABEL.get(target);
        if (asymmetric === undefined || this.#asymmetric === undefined) throw new BenchFailure(`no requests for target ${target}`);
        return { endpoint: kms, requests: await this.#asymmetric.requestsFor(asymmetric) };
      }
    }
  }

  /** Measured seconds of a cell: asymmetric and HMAC targets have their own. */
  #durationOf(target: Target): number {
    return ASYMMETRIC_BY_LABEL.has(target) ? this.#settings.asymDurationSeconds : this.#settings.durationSeconds;
  }

  /** Load without measuring, to get the JIT, caches and connections of a target warm. */
  async warm(target: Target, concurrency: number): Promise<void> {
    const s = this.#settings;
    const { endpoint, requests } = await this.#requestsFor(target);
    const warm = await this.#load.run({ url: endpoint, requests, connections: concurrency, maxRequests: s.maxRequests, durationSeconds: s.warmupSeconds, record: false });
    assertAllOk(`${target} c=${concurrency} initial warm-up`, warm);
  }

  async cell(target: Target, concurrency: number, round: number): Promise<CellResult> {
    const s = this.#settings;
    const { endpoint, requests } = await this.#requestsFor(target);
    const job = { url: endpoint, requests, connections: concurrency, maxRequests: s.maxRequests };
    const warm = await this.#load.run({ ...job, durationSeconds: s.warmupSeconds, record: false });
    assertAllOk(`${target} c=${concurrency} warm-up`, warm);
    this.#counter.takeSnapshot();
    const machineBefore = readCpuTimes();
    const cpuBefore = process.cpuUsage();
    const result = await this.#load.run({ ...job, durationSeconds: this.#durationOf(target), record: true });
    const cpu = process.cpuUsage(cpuBefore);
    const machineBusy = busyCores(machineBefore, readCpuTimes(), this.#cores);
    const oursCores = ((cpu.user + cpu.system) / 1e6 + result.generatorCpuMs / 1000) / result.elapsedSeconds;
    const dynamoRequests = this.#counter.takeSnapshot();
    assertAllOk(`${target} c=${concurrency}`, result);
    const responses = Math.max(result.responses, 1);
    return {
      target,
      concurrency,
      round,
      requestsPerSecond: result.responses / result.elapsedSeconds,
      responses: result.responses,
      elapsedSeconds: result.elapsedSeconds,
      latencyMs: result.latencyMs,
      errors: result.errors + result.timeouts + Object.entries(result.statusCounts).filter(([status]) => status !== '200').reduce((sum, [, count]) => sum + count, 0),
      statusCounts: result.statusCounts,
      serverCpuMicrosPerRequest: (cpu.user + cpu.system) / responses,
      generatorCpuMicrosPerRequest: (result.generatorCpuMs * 1000) / responses,
      dynamoRequests,
      otherBusyCores: Math.max(0, machineBusy - oursCores),
    };
  }

  /** One Encrypt cell under the CPU profiler (not part of the measurements). */
  async profiledEncrypt(concurrency: number): Promise<{ summary: ProfileSummary; requestsPerSecond: number }> {
    const s = this.#settings;
    const { endpoint, requests } = await this.#requestsFor('Encrypt');
    const profiler = new MainThreadProfiler();
    await profiler.start();
    const run = this.#load.run({ url: endpoint, requests, connections: concurrency, maxRequests: s.maxRequests, durationSeconds: s.durationSeconds, record: false });
    const settled = await Promise.allSettled([run]);
    const summary = await profiler.stop(s.profileOut);
    const [outcome] = settled;
    if (outcome?.status !== 'fulfilled') throw outcome?.reason ?? new Error('profiled run failed');
    const result = outcome.value;
    assertAllOk(`profiled Encrypt c=${concurrency}`, result);
    return { summary, requestsPerSecond: result.responses / result.elapsedSeconds };
  }
}
