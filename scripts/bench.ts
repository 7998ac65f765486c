/**
 * `npm run bench [-- options]`: throughput and latency of the local service's hot operations,
 * measured side by side in one run with two floors on the same machine:
 *
 *  - a bare node:http server answering a fixed JSON body (the HTTP floor), and
 *  - AES-GCM encryptions through the PKCS#11 adapter alone (the crypto floor).
 *
 * Load comes from autocannon in a child process replaying pre-signed requests, so the generator
 * neither shares an event loop with the servers nor spends time signing. Every response must be
 * HTTP 200; anything else fails the run. Run with `--help` for the options.
 *
 * A second section measures Sign (RSA, ECDSA, Ed25519), Verify (ECDSA) and GenerateMac (HMAC) the
 * same way, each beside the rate of the same operation through the key material adapter alone.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startLocalService, type LocalService } from '../src/local/local-service.js';
import { ensureSoftHsmToken } from '../src/local/softhsm-token.js';
import { silentLogger } from '../src/pipeline/logger.js';
import { cacheTtlFromEnv } from '../src/runtime/core-deps.js';
import { startBaselineServer, type BaselineServer } from './bench/baseline-server.js';
import { HttpClientCounter, type CountSnapshot } from './bench/http-client-counter.js';
import { LoadClient } from './bench/load-client.js';
import type { LoadResult, ReplayRequest } from './bench/load-protocol.js';
import { busyCores, machineFacts, readCpuTimes } from './bench/machine.js';
import { MainThreadProfiler, type ProfileSummary } from './bench/profiler.js';
import { ASYMMETRIC_TARGET_IDS, ASYMMETRIC_TARGETS, AsymmetricKmsTargets, MESSAGE_BYTES, type AsymmetricTarget, type AsymmetricTargetId } from './bench/asymmetric-targets.js';
import { RawAsymmetricBench } from './bench/raw-asymmetric.js';
import { RawPkcs11Bench, type RawResult } from './bench/raw-pkcs11.js';
import { sendOnce } from './bench/send-once.js';
import { RequestSigner, randomPlaintexts } from './bench/signed-requests.js';
import { formatInt, formatMs, formatRatio, median, table } from './bench/stats.js';

const USAGE = `Usage: npm run bench -- [options]

  --duration <s>       measured seconds per HTTP floor and symmetric cell (default 5; env BENCH_DURATION)
  --warmup <s>         unmeasured warm-up seconds before each cell (default 1; env BENCH_WARMUP)
  --concurrency <list> comma-separated connection counts (default 1,32; env BENCH_CONCURRENCY)
  --targets <list>     comma-separated targets (default all; env BENCH_TARGETS):
                         encrypt, decrypt, generate-data-key            (symmetric section)
                         sign-rsa, sign-ecdsa, sign-ed25519, verify-ecdsa, mac-hmac
                                                                        (asymmetric and HMAC section)
                       or the groups symmetric, asymmetric, all; the HTTP floor always runs
  --asym-duration <s>  measured seconds per asymmetric/HMAC cell and per raw adapter loop
                       beside it (default 3, 1 with --quick; env BENCH_ASYM_DURATION)
  --rounds <n>         repeat every cell n times, interleaved; medians are reported (default 1)
  --raw-ops <n>        upper bound on operations per raw adapter loop (default 500000)
  --max-requests <n>   upper bound on requests per cell (default 2000000)
  --signed <n>         distinct pre-signed requests per operation (default 64)
  --quick              smoke run: 1 s cells, 0.5 s warm-up, no profile
  --profile            profile the server during one extra Encrypt cell (default on, off with --quick
                       or when encrypt is not among the targets)
  --no-profile         skip the profile
  --profile-out <path> also save that .cpuprofile
  --json <path>        write all results as JSON
  --help               this text`;

const KMS_OPERATIONS = ['Encrypt', 'Decrypt', 'GenerateDataKey'] as const;
type KmsOperation = (typeof KMS_OPERATIONS)[number];
type Target = 'HTTP floor' | KmsOperation | AsymmetricTarget['label'];
const SYMMETRIC_TARGET_IDS: Readonly<Record<string, KmsOperation>> = { encrypt: 'Encrypt', decrypt: 'Decrypt', 'generate-data-key': 'GenerateDataKey' };
const ASYMMETRIC_BY_LABEL: ReadonlyMap<string, AsymmetricTarget> = new Map(Object.values(ASYMMETRIC_TARGETS).map((t) => [t.label, t]));
const PLAINTEXT_BYTES = 32;

interface Settings {
  readonly durationSeconds: number;
  readonly warmupSeconds: number;
  readonly concurrencies: readonly number[];
  /** Selected symmetric operations, in the order of the report. */
  readonly symmetric: readonly KmsOperation[];
  /** Selected asymmetric and HMAC targets, in the order of the report. */
  readonly asymmetric: readonly AsymmetricTarget[];
  readonly asymDurationSeconds: number;
  readonly rounds: number;
  readonly rawOps: number;
  readonly maxRequests: number;
  readonly signedCount: number;
  readonly quick: boolean;
  readonly profile: boolean;
  readonly profileOut: string | undefined;
  readonly jsonPath: string | undefined;
}

interface CellResult {
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

class BenchFailure extends Error {}

function positiveNumber(name: string, raw: string | undefined, fallback: number, integer = false): number {
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value))) {
    throw new BenchFailure(`${name} must be a positive ${integer ? 'integer' : 'number'}, got "${raw}".`);
  }
  return value;
}

function parseTargets(text: string): { symmetric: KmsOperation[]; asymmetric: AsymmetricTarget[] } {
  const symmetric = new Set<KmsOperation>();
  const asymmetric = new Set<AsymmetricTargetId>();
  for (const raw of text.split(',')) {
    const name = raw.trim().toLowerCase();
    if (name === '') continue;
    const operation = SYMMETRIC_TARGET_IDS[name];
    if (name === 'all' || name === 'symmetric') for (const op of KMS_OPERATIONS) symmetric.add(op);
    if (name === 'all' || name === 'asymmetric') for (const id of ASYMMETRIC_TARGET_IDS) asymmetric.add(id);
    if (name === 'all' || name === 'symmetric' || name === 'asymmetric') continue;
    if (operation !== undefined) symmetric.add(operation);
    else if ((ASYMMETRIC_TARGET_IDS as readonly string[]).includes(name)) asymmetric.add(name as AsymmetricTargetId);
    else {
      throw new BenchFailure(`--targets: unknown target "${raw.trim()}"; expected ${[...Object.keys(SYMMETRIC_TARGET_IDS), ...ASYMMETRIC_TARGET_IDS, 'symmetric', 'asymmetric', 'all'].join(', ')}.`);
    }
  }
  if (symmetric.size === 0 && asymmetric.size === 0) throw new BenchFailure('--targets selects nothing.');
  return {
    symmetric: KMS_OPERATIONS.filter((op) => symmetric.has(op)),
    asymmetric: ASYMMETRIC_TARGET_IDS.filter((id) => asymmetric.has(id)).map((id) => ASYMMETRIC_TARGETS[id]),
  };
}

function parseSettings(argv: readonly string[]): Settings {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      duration: { type: 'string' },
      warmup: { type: 'string' },
      concurrency: { type: 'string' },
      targets: { type: 'string' },
      'asym-duration': { type: 'string' },
      rounds: { type: 'string' },
      'raw-ops': { type: 'string' },
      'max-requests': { type: 'string' },
      signed: { type: 'string' },
      quick: { type: 'boolean', default: false },
      profile: { type: 'boolean' },
      'no-profile': { type: 'boolean' },
      'profile-out': { type: 'string' },
      json: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help === true) {
    console.log(USAGE);
    process.exit(0);
  }
  const quick = values.quick === true;
  const env = process.env;
  const concurrencyText = values.concurrency ?? env['BENCH_CONCURRENCY'] ?? '1,32';
  const concurrencies = concurrencyText.split(',').map((part) => positiveNumber('--concurrency', part.trim(), 1, true));
  const selected = parseTargets(values.targets ?? env['BENCH_TARGETS'] ?? 'all');
  return {
    durationSeconds: positiveNumber('--duration', values.duration ?? env['BENCH_DURATION'], quick ? 1 : 5),
    warmupSeconds: positiveNumber('--warmup', values.warmup ?? env['BENCH_WARMUP'], quick ? 0.5 : 1),
    concurrencies,
    symmetric: selected.symmetric,
    asymmetric: selected.asymmetric,
    asymDurationSeconds: positiveNumber('--asym-duration', values['asym-duration'] ?? env['BENCH_ASYM_DURATION'], quick ? 1 : 3),
    rounds: positiveNumber('--rounds', values.rounds, 1, true),
    rawOps: positiveNumber('--raw-ops', values['raw-ops'], quick ? 50_000 : 500_000, true),
    maxRequests: positiveNumber('--max-requests', values['max-requests'], 2_000_000, true),
    signedCount: positiveNumber('--signed', values.signed, 64, true),
    quick,
    // The profile is of an Encrypt cell.
    profile: values['no-profile'] === true || !selected.symmetric.includes('Encrypt') ? false : (values.profile ?? !quick),
    profileOut: values['profile-out'],
    jsonPath: values.json,
  };
}

function commandLine(argv: readonly string[]): string {
  const quoted = argv.map((arg) => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`));
  if (process.env['npm_lifecycle_event'] === 'bench') return ['npm run bench', ...(quoted.length > 0 ? ['--', ...quoted] : [])].join(' ');
  return ['tsx scripts/bench.ts', ...quoted].join(' ');
}

function log(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

/** Throws unless the load run saw only HTTP 200 and no connection errors. */
function assertAllOk(what: string, result: LoadResult): void {
  const bad = Object.entries(result.statusCounts).filter(([status]) => status !== '200');
  if (bad.length === 0 && result.errors === 0 && result.timeouts === 0 && !result.aborted && result.responses > 0) return;
  throw new BenchFailure(
    `${what}: expected only HTTP 200, got ${JSON.stringify(result.statusCounts)}, ` +
      `${result.errors} connection errors, ${result.timeouts} timeouts${result.aborted ? ', run aborted by the time bound' : ''}.`,
  );
}

function parseJson(what: string, body: string): Record<string, unknown> {
  try {
    return JSON.parse(body) as Record<string, unknown>;
  } catch {
    throw new BenchFailure(`${what}: response is not JSON: ${body.slice(0, 200)}`);
  }
}

/** Sends one request and checks it answers 200 with the fields an operation must return. */
async function probe(endpoint: string, request: ReplayRequest, what: string, check: (output: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> {
  const response = await sendOnce(endpoint, request);
  if (response.status !== 200) throw new BenchFailure(`${what}: HTTP ${response.status}: ${response.body.slice(0, 300)}`);
  const output = parseJson(what, response.body);
  if (!check(output)) throw new BenchFailure(`${what}: unexpected response ${response.body.slice(0, 300)}`);
  return output;
}

class Bench {
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

  constructor(parts: {
    settings: Settings; service: LocalService; baseline: BaselineServer; load: LoadClient; counter: HttpClientCounter;
    signer: RequestSigner; keyId: string; ciphertext: string; decryptPlaintext: string; cores: number;
    asymmetric: AsymmetricKmsTargets | undefined;
  }) {
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

function summariseCells(cells: readonly CellResult[], target: Target, concurrency: number) {
  const matching = cells.filter((cell) => cell.target === target && cell.concurrency === concurrency);
  const totalDynamo: Record<string, number> = {};
  for (const cell of matching) {
    for (const [name, count] of Object.entries(cell.dynamoRequests.byTarget)) totalDynamo[name] = (totalDynamo[name] ?? 0) + count;
  }
  return {
    target,
    concurrency,
    rounds: matching.length,
    requestsPerSecond: median(matching.map((c) => c.requestsPerSecond)),
    p50Ms: median(matching.map((c) => c.latencyMs.p50)),
    p99Ms: median(matching.map((c) => c.latencyMs.p99)),
    errors: matching.reduce((sum, c) => sum + c.errors, 0),
    responses: matching.reduce((sum, c) => sum + c.responses, 0),
    serverCpuMicrosPerRequest: median(matching.map((c) => c.serverCpuMicrosPerRequest)),
    generatorCpuMicrosPerRequest: median(matching.map((c) => c.generatorCpuMicrosPerRequest)),
    dynamoRequests: matching.reduce((sum, c) => sum + c.dynamoRequests.total, 0),
    dynamoByOperation: totalDynamo,
    otherBusyCores: median(matching.map((c) => c.otherBusyCores)),
  };
}

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  let settings: Settings;
  try {
    settings = parseSettings(argv);
  } catch (error) {
    log(`FAILED: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
  const command = commandLine(argv);
  const facts = machineFacts();
  const targets: readonly Target[] = ['HTTP floor', ...settings.symmetric];
  const asymmetricTargets = settings.asymmetric;
  const groups = settings.rounds * settings.concurrencies.length;
  const cellCount = (groups + 1) * targets.length + (settings.profile ? 1 : 0);
  const asymmetricCellCount = (groups + 1) * asymmetricTargets.length;
  // Hard bound on the whole run: start-up, every cell with slack, the raw loops.
  const budgetMs = 240_000 + cellCount * (settings.warmupSeconds + settings.durationSeconds + 40) * 1000 + groups * (settings.durationSeconds + 30) * 1000 +
    asymmetricCellCount * (settings.warmupSeconds + settings.asymDurationSeconds + 40) * 1000 + groups * asymmetricTargets.length * (settings.asymDurationSeconds + 30) * 1000;
  const watchdog = setTimeout(() => {
    log(`the run exceeded its time bound of ${Math.round(budgetMs / 1000)} s; giving up.`);
    process.exit(2);
  }, budgetMs);
  watchdog.unref();

  const cleanups: (() => Promise<void> | void)[] = [];
  const cleanup = async (): Promise<void> => {
    for (const step of cleanups.reverse()) {
      try {
        await step();
      } catch {
        // Keep cleaning up.
      }
    }
    cleanups.length = 0;
  };
  process.once('SIGINT', () => {
    log('interrupted; cleaning up.');
    void cleanup().then(() => process.exit(130));
  });

  try {
    const dataDir = await mkdtemp(join(tmpdir(), 'kms-bench-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    log(`starting the local service in ${dataDir} ...`);
    const started = Date.now();
    const service = await startLocalService({ dataDir, port: 0, logger: silentLogger });
    cleanups.push(() => service.stop());
    log(`service up at ${service.endpoint} in ${((Date.now() - started) / 1000).toFixed(1)} s`);

    const baseline = await startBaselineServer();
    cleanups.push(() => baseline.stop());
    const load = LoadClient.start();
    cleanups.push(() => load.stop());
    const counter = new HttpClientCounter();
    counter.start();
    cleanups.push(() => counter.stop());

    const signer = new RequestSigner(service.endpoint, service.credentials);
    const created = await probe(service.endpoint, await signer.sign('CreateKey', { Description: 'benchmark key' }), 'CreateKey', (out) =>
      typeof (out['KeyMetadata'] as Record<string, unknown> | undefined)?.['KeyId'] === 'string');
    const keyId = String((created['KeyMetadata'] as Record<string, unknown>)['KeyId']);
    const [decryptPlaintext = ''] = randomPlaintexts(1, PLAINTEXT_BYTES);
    const encrypted = await probe(service.endpoint, await signer.sign('Encrypt', { KeyId: keyId, Plaintext: decryptPlaintext }), 'Encrypt (setup)', (out) =>
      typeof out['CiphertextBlob'] === 'string');
    const ciphertext = String(encrypted['CiphertextBlob']);
    log(`key ${keyId} created`);

    const probeKms = (request: ReplayRequest, what: string, check: (output: Record<string, unknown>) => boolean) => probe(service.endpoint, request, what, check);
    const asymmetricKms = asymmetricTargets.length === 0 ? undefined : await AsymmetricKmsTargets.create(signer, probeKms, asymmetricTargets, settings.signedCount);
    if (asymmetricKms !== undefined) log(`keys ${asymmetricTargets.map((t) => `${t.keySpec} ${asymmetricKms.keyId(t.id)}`).join(', ')} created`);

    const token = await ensureSoftHsmToken({ dataDir });
    const raw = await RawPkcs11Bench.open(token);
    cleanups.push(() => raw.close());
    const rawAsymmetric = asymmetricTargets.length === 0 ? undefined : await RawAsymmetricBench.open(token, asymmetricTargets);
    if (rawAsymmetric !== undefined) cleanups.push(() => rawAsymmetric.close());

    const bench = new Bench({ settings, service, baseline, load, counter, signer, keyId, ciphertext, decryptPlaintext, cores: facts.cores, asymmetric: asymmetricKms });
    const cells: CellResult[] = [];
    // The crypto floor is measured right before each group of cells it is compared with.
    const raws: (RawResult & { concurrency: number; round: number })[] = [];
    // Each asymmetric target's adapter floor is measured right before its own cell.
    const rawAsymmetricRuns: (RawResult & { target: AsymmetricTargetId; concurrency: number; round: number })[] = [];
    log('initial warm-up of every target ...');
    for (const target of [...targets, ...asymmetricTargets.map((t) => t.label)]) await bench.warm(target, Math.max(...settings.concurrencies));
    for (let round = 1; round <= settings.rounds; round++) {
      for (const concurrency of settings.concurrencies) {
        if (settings.symmetric.length > 0) {
          log(`round ${round}/${settings.rounds}: raw PKCS#11 AES-GCM loop (for c=${concurrency}) ...`);
          raws.push({ ...(await raw.encryptLoop(PLAINTEXT_BYTES, settings.rawOps, settings.durationSeconds)), concurrency, round });
        }
        for (const target of targets) {
          log(`round ${round}/${settings.rounds}: ${target} c=${concurrency} ...`);
          cells.push(await bench.cell(target, concurrency, round));
        }
        for (const target of asymmetricTargets) {
          if (rawAsymmetric === undefined) break;
          log(`round ${round}/${settings.rounds}: raw ${target.tier}-tier ${target.label} loop (for c=${concurrency}) ...`);
          rawAsymmetricRuns.push({ ...(await rawAsymmetric.loop(target, settings.rawOps, settings.asymDurationSeconds)), target: target.id, concurrency, round });
          log(`round ${round}/${settings.rounds}: ${target.label} c=${concurrency} ...`);
          cells.push(await bench.cell(target.label, concurrency, round));
        }
      }
    }
    let profile: { summary: ProfileSummary; requestsPerSecond: number; concurrency: number } | undefined;
    if (settings.profile) {
      const concurrency = Math.max(...settings.concurrencies);
      log(`profiling the service during Encrypt c=${concurrency} (not part of the table) ...`);
      profile = { ...(await bench.profiledEncrypt(concurrency)), concurrency };
    }

    const rawOpsPerSecond = median(raws.map((r) => r.opsPerSecond));
    const rawMeanMicros = median(raws.map((r) => r.meanMicros));
    const rawFor = (concurrency: number): number => median(raws.filter((r) => r.concurrency === concurrency).map((r) => r.opsPerSecond));
    const summaries = settings.concurrencies.flatMap((c) => targets.map((t) => summariseCells(cells, t, c)));
    const ratios = summaries
      .filter((s) => s.target !== 'HTTP floor')
      .map((s) => {
        const floor = summaries.find((f) => f.target === 'HTTP floor' && f.concurrency === s.concurrency);
        return {
          operation: s.target,
          concurrency: s.concurrency,
          ofHttpFloor: s.requestsPerSecond / (floor?.requestsPerSecond ?? Number.NaN),
          ofRawPkcs11: s.requestsPerSecond / rawFor(s.concurrency),
        };
      });
    const ttlMs = cacheTtlFromEnv(process.env);
    const warmCheck = summaries
      .filter((s) => s.target !== 'HTTP floor')
      .map((s) => ({
        operation: s.target,
        concurrency: s.concurrency,
        kmsRequests: s.responses,
        dynamoRequests: s.dynamoRequests,
        byOperation: s.dynamoByOperation,
        // Reads per request would show up as >= 1 per request; cache refreshes as a handful per TTL.
        perRequest: s.dynamoRequests / Math.max(s.responses, 1),
      }));
    const hotPathReadsDynamo = warmCheck.some((w) => w.perRequest >= 0.01);

    // ---- report ----
    const out: string[] = [];
    out.push('KMS local-service benchmark');
    out.push(`command:     ${command}`);
    out.push(`machine:     ${facts.cpuModel}; ${facts.cores} cores; ${facts.memoryGiB} GiB; ${facts.platform}; load avg at start ${facts.loadAverage.join(' ')}`);
    out.push(`node:        ${facts.nodeVersion}`);
    out.push(
      `settings:    ${settings.durationSeconds} s per cell after ${settings.warmupSeconds} s warm-up; concurrency ${settings.concurrencies.join(', ')}; ` +
        `${settings.rounds} round(s)${settings.rounds > 1 ? ' (medians)' : ''}; ${settings.signedCount} pre-signed requests per operation; ` +
        `${PLAINTEXT_BYTES}-byte plaintexts; key cache TTL ${ttlMs} ms`,
    );
    out.push('load:        autocannon in a child process, keep-alive, pipelining 1, replaying pre-signed requests; servers share one process');
    out.push('');
    if (raws.length > 0) {
      out.push(
        `Raw PKCS#11 AES-GCM encrypt (32 B, one at a time, adapter only, measured before each concurrency group): ` +
          `${formatInt(rawOpsPerSecond)} ops/s, ${rawMeanMicros.toFixed(1)} µs/op (median)`,
      );
    }
    for (const r of raws) {
      out.push(`  before c=${r.concurrency}${settings.rounds > 1 ? ` (round ${r.round})` : ''}: ${formatInt(r.opsPerSecond)} ops/s (${formatInt(r.ops)} ops in ${r.elapsedSeconds.toFixed(2)} s)`);
    }
    out.push('');
    const rows = summaries.map((s) => {
      const ratio = ratios.find((r) => r.operation === s.target && r.concurrency === s.concurrency);
      return [
        s.target, String(s.concurrency), formatInt(s.requestsPerSecond), formatMs(s.p50Ms), formatMs(s.p99Ms), formatInt(s.errors),
        formatInt(s.responses), formatInt(s.serverCpuMicrosPerRequest), formatInt(s.generatorCpuMicrosPerRequest),
        s.target === 'HTTP floor' ? '-' : formatInt(s.dynamoRequests),
        Number.isFinite(s.otherBusyCores) ? s.otherBusyCores.toFixed(2) : 'n/a',
        ratio === undefined ? '1.00' : formatRatio(ratio.ofHttpFloor),
        formatRatio(ratio === undefined ? s.requestsPerSecond / rawFor(s.concurrency) : ratio.ofRawPkcs11),
      ];
    });
    out.push(table(['target', 'conc', 'req/s', 'p50 ms', 'p99 ms', 'errors', 'requests', 'srv µs/req', 'gen µs/req', 'DDB reqs', 'other', '÷ HTTP', '÷ PKCS#11'], rows));
    out.push('');
    out.push('÷ HTTP = req/s ÷ the bare node:http server at the same concurrency; ÷ PKCS#11 = req/s ÷ raw PKCS#11 encrypt ops/s measured before that group.');
    out.push('srv µs/req = CPU of the serving process per request (both servers live in the benchmark process; SoftHSM runs inside it too);');
    out.push('gen µs/req = CPU of the load generator per request. DDB reqs = node:http requests the service made to DynamoDB Local during the cell.');
    out.push(`other = cores (of ${facts.cores}) kept busy by everything else on the machine during the cell: DynamoDB Local, other users' work.`);
    const top = Math.max(...settings.concurrencies);
    const floorTop = summaries.find((f) => f.target === 'HTTP floor' && f.concurrency === top);
    if (floorTop !== undefined && settings.symmetric.length > 0) {
      const costs = summaries
        .filter((f) => f.target !== 'HTTP floor' && f.concurrency === top)
        .map((f) => `${f.target} ${formatInt(f.serverCpuMicrosPerRequest)} µs (+${formatInt(f.serverCpuMicrosPerRequest - floorTop.serverCpuMicrosPerRequest)})`);
      out.push(
        `Server CPU per request at c=${top}: HTTP floor ${formatInt(floorTop.serverCpuMicrosPerRequest)} µs; ${costs.join('; ')}; ` +
          `one raw PKCS#11 encrypt ${rawMeanMicros.toFixed(0)} µs.`,
      );
    }
    if (settings.symmetric.length > 0) {
      out.push('');
      out.push('Ratios:');
      for (const r of ratios) {
        out.push(`  ${r.operation.padEnd(16)} c=${String(r.concurrency).padEnd(3)} ${formatRatio(r.ofHttpFloor).padStart(6)} × HTTP floor   ${formatRatio(r.ofRawPkcs11).padStart(6)} × raw PKCS#11`);
      }
      out.push('');
      out.push(`Hot path and DynamoDB (cache TTL ${ttlMs} ms): ${hotPathReadsDynamo ? 'WARNING: DynamoDB is called per request' : 'no per-request DynamoDB calls once warm'}`);
      for (const w of warmCheck) {
        const detail = Object.entries(w.byOperation).map(([name, count]) => `${name} ${count}`).join(', ');
        out.push(`  ${w.operation.padEnd(16)} c=${String(w.concurrency).padEnd(3)} ${formatInt(w.dynamoRequests)} DynamoDB requests for ${formatInt(w.kmsRequests)} KMS requests${detail === '' ? '' : ` (${detail})`}`);
      }
    }
    if (profile !== undefined) {
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
    }

    // ---- asymmetric and HMAC section ----
    const rawAsymmetricFor = (target: AsymmetricTargetId, concurrency: number) => {
      const runs = rawAsymmetricRuns.filter((r) => r.target === target && r.concurrency === concurrency);
      return {
        opsPerSecond: median(runs.map((r) => r.opsPerSecond)),
        meanMicros: median(runs.map((r) => r.meanMicros)),
        cpuMicros: median(runs.map((r) => (r.cpuMs * 1000) / Math.max(r.ops, 1))),
      };
    };
    const asymmetricSummaries = settings.concurrencies.flatMap((c) => asymmetricTargets.map((t) => ({ ...summariseCells(cells, t.label, c), id: t.id, tier: t.tier })));
    const asymmetricRatios = asymmetricSummaries.map((s) => {
      const floor = summaries.find((f) => f.target === 'HTTP floor' && f.concurrency === s.concurrency);
      const rawRate = rawAsymmetricFor(s.id, s.concurrency);
      return {
        operation: s.target,
        tier: s.tier,
        concurrency: s.concurrency,
        rawOpsPerSecond: rawRate.opsPerSecond,
        rawMeanMicros: rawRate.meanMicros,
        rawCpuMicros: rawRate.cpuMicros,
        ofHttpFloor: s.requestsPerSecond / (floor?.requestsPerSecond ?? Number.NaN),
        ofRawAdapter: s.requestsPerSecond / rawRate.opsPerSecond,
        serverCpuMicrosAboveRaw: s.serverCpuMicrosPerRequest - rawRate.cpuMicros,
      };
    });
    if (asymmetricTargets.length > 0) {
      const width = Math.max(...asymmetricTargets.map((t) => t.label.length));
      out.push('');
      out.push('Asymmetric and HMAC keys');
      out.push(
        `settings:    ${settings.asymDurationSeconds} s per cell after ${settings.warmupSeconds} s warm-up; ${MESSAGE_BYTES}-byte messages (MessageType RAW for Sign/Verify); ` +
          `one key per target created through CreateKey; ${settings.signedCount} pre-signed requests per cell (Verify: ${settings.signedCount} signatures made through Sign)`,
      );
      out.push('Raw adapter rates (same algorithm and message size through the key material adapter alone, one at a time, warm key,');
      out.push(`measured for ${settings.asymDurationSeconds} s right before the KMS cell it is compared with):`);
      for (const t of asymmetricTargets) {
        const runs = settings.concurrencies
          .map((c) => {
            const r = rawAsymmetricFor(t.id, c);
            return `before c=${c}: ${formatInt(r.opsPerSecond)} ops/s (${r.meanMicros.toFixed(0)} µs/op, ${r.cpuMicros.toFixed(0)} µs CPU/op)`;
          })
          .join(';  ');
        out.push(`  ${t.label.padEnd(width)}  ${runs}`);
        out.push(`  ${' '.repeat(width)}  ${t.rawDescription}`);
      }
      const edwards = asymmetricTargets.find((t) => t.tier === 'software');
      if (edwards !== undefined && rawAsymmetric !== undefined) {
        out.push(
          `  ${edwards.keySpec}: the token ${rawAsymmetric.tokenSupports(edwards) ? 'DOES report' : 'does not report'} mechanisms for it, so the service keeps such keys in the ` +
            'software tier; its raw column is that tier (not a PKCS#11 signing mechanism).',
        );
      }
      out.push('');
      const asymmetricRows = asymmetricSummaries.map((s) => {
        const ratio = asymmetricRatios.find((r) => r.operation === s.target && r.concurrency === s.concurrency);
        return [
          s.target, s.tier, String(s.concurrency), formatInt(s.requestsPerSecond), formatMs(s.p50Ms), formatMs(s.p99Ms), formatInt(s.errors),
          formatInt(s.responses), formatInt(s.serverCpuMicrosPerRequest), formatInt(s.generatorCpuMicrosPerRequest), formatInt(s.dynamoRequests),
          Number.isFinite(s.otherBusyCores) ? s.otherBusyCores.toFixed(2) : 'n/a',
          formatInt(ratio?.rawOpsPerSecond ?? Number.NaN), formatRatio(ratio?.ofHttpFloor ?? Number.NaN), formatRatio(ratio?.ofRawAdapter ?? Number.NaN),
        ];
      });
      out.push(table(['target', 'tier', 'conc', 'req/s', 'p50 ms', 'p99 ms', 'errors', 'requests', 'srv µs/req', 'gen µs/req', 'DDB reqs', 'other', 'raw ops/s', '÷ HTTP', '÷ raw'], asymmetricRows));
      out.push('');
      out.push('tier = where the key lives (token = PKCS#11 session objects unwrapped under the root key; software = sealed under the root key, opened per operation).');
      out.push('raw ops/s = the same operation through the adapter alone, measured right before the cell; ÷ raw = req/s ÷ raw ops/s;');
      out.push('÷ HTTP = req/s ÷ the bare node:http server at the same concurrency (HTTP floor rows above). Other columns as above.');
      out.push('');
      out.push('Ratios, and server CPU per request minus the CPU of one raw adapter operation (both include SoftHSM, which runs in-process):');
      for (const r of asymmetricRatios) {
        out.push(
          `  ${r.operation.padEnd(width)} c=${String(r.concurrency).padEnd(3)} ${formatRatio(r.ofHttpFloor).padStart(6)} × HTTP floor   ` +
            `${formatRatio(r.ofRawAdapter).padStart(6)} × raw adapter (${`${r.tier} tier)`.padEnd(14)}   ` +
            `${r.serverCpuMicrosAboveRaw >= 0 ? '+' : ''}${formatInt(r.serverCpuMicrosAboveRaw)} µs CPU/req over raw ${formatInt(r.rawCpuMicros)} µs`,
        );
      }
      const dynamoPerRequest = asymmetricSummaries.filter((s) => s.dynamoRequests / Math.max(s.responses, 1) >= 0.01);
      out.push(
        dynamoPerRequest.length === 0
          ? `DynamoDB: no per-request calls once warm (${formatInt(asymmetricSummaries.reduce((sum, s) => sum + s.dynamoRequests, 0))} in all these cells).`
          : `DynamoDB: WARNING: called per request in ${dynamoPerRequest.map((s) => `${s.target} c=${s.concurrency}`).join(', ')}.`,
      );
    }
    console.log(out.join('\n'));

    if (settings.jsonPath !== undefined) {
      const json = {
        command, machine: facts, settings, startedAt: new Date(started).toISOString(),
        rawPkcs11: { opsPerSecond: rawOpsPerSecond, meanMicros: rawMeanMicros, runs: raws },
        summaries, ratios, cells,
        asymmetric: { targets: asymmetricTargets, rawAdapter: rawAsymmetricRuns, summaries: asymmetricSummaries, ratios: asymmetricRatios },
        dynamoCheck: { cacheTtlMs: ttlMs, perRequestReads: hotPathReadsDynamo, cells: warmCheck },
        profile: profile === undefined ? undefined : {
          ...profile,
          summary: { ...profile.summary, byOrigin: profile.summary.byOrigin.slice(0, 40), byFunction: profile.summary.byFunction.slice(0, 40) },
        },
      };
      await writeFile(settings.jsonPath, `${JSON.stringify(json, null, 2)}\n`);
      log(`wrote ${settings.jsonPath}`);
    }
    return 0;
  } catch (error) {
    if (error instanceof BenchFailure) log(`FAILED: ${error.message}`);
    else log(`FAILED: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return 1;
  } finally {
    await cleanup();
    clearTimeout(watchdog);
  }
}

process.exitCode = await main();
