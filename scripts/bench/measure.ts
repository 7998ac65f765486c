/**
 * Running the measurements: the raw adapter rates (the same mechanism through the key material
 * adapter alone, one operation at a time, warm key), the cells (a target under load at one
 * concurrency for a fixed time, with CPU on both sides, DynamoDB calls and the rest of the
 * machine's load alongside), and the order of the rounds.
 */
import { randomBytes } from 'node:crypto';
import diagnosticsChannel from 'node:diagnostics_channel';
import type { ClientRequest } from 'node:http';
import { ItemIntegrity } from '../../src/adapters/dynamodb/item-integrity.js';
import { keyToItem } from '../../src/adapters/dynamodb/item-mapping.js';
import { Pkcs11AsymmetricKeyMaterial } from '../../src/adapters/pkcs11/asymmetric/pkcs11-asymmetric-key-material.js';
import { Pkcs11KeyMaterial, type Pkcs11Config } from '../../src/adapters/pkcs11/pkcs11-key-material.js';
import { Pkcs11RecordAuthenticator } from '../../src/adapters/pkcs11/record-authenticator.js';
import { SoftwareKeyMaterial } from '../../src/adapters/software/software-key-material.js';
import type { AsymmetricKeySpec, HmacKeySpec } from '../../src/core/kms/keys/key-specs.js';
import type { SigningInput } from '../../src/core/ports/index.js';
import type { MacAlgorithmSpec, SigningAlgorithmSpec } from '../../src/models/kms/generated/shapes.js';
import { assertAllOk, type LoadClient } from './load.js';
import { busyCores, readCpuTimes } from './machine.js';
import { startProfiler, type ProfiledEncrypt } from './profile.js';
import { HTTP_FLOOR, isAsymmetric, PAYLOAD_BYTES, type Target, type TargetRequests } from './targets.js';

/** What to measure and for how long (the command line, read). */
export interface Settings {
  /** Measured seconds per HTTP floor and symmetric cell. */
  readonly durationSeconds: number;
  readonly warmupSeconds: number;
  readonly concurrencies: readonly number[];
  /** Selected targets, in the order of the report (the HTTP floor always runs besides). */
  readonly targets: readonly Target[];
  /** Measured seconds per asymmetric/HMAC cell and per raw adapter loop beside it. */
  readonly asymDurationSeconds: number;
  readonly rounds: number;
  readonly rawOps: number;
  readonly maxRequests: number;
  readonly signedCount: number;
  readonly spreadKeys: number;
  readonly quick: boolean;
  readonly profile: boolean;
  readonly profileOut: string | undefined;
  readonly jsonPath: string | undefined;
}

/** One timed loop of a raw adapter operation. */
export interface RawResult {
  readonly ops: number;
  readonly elapsedSeconds: number;
  readonly opsPerSecond: number;
  readonly meanMicros: number;
  readonly cpuMs: number;
}

/** Runs `operation` (after up to 200 warm-up runs in 0.5 s) at most `maxOps` times or for `maxSeconds`, whichever ends first. */
async function timedLoop(operation: () => Promise<unknown>, maxOps: number, maxSeconds: number): Promise<RawResult> {
  const warmEnd = process.hrtime.bigint() + 500_000_000n;
  for (let i = 0; i < 200 && process.hrtime.bigint() < warmEnd; i++) await operation();
  const start = process.hrtime.bigint();
  const deadline = start + BigInt(Math.round(maxSeconds * 1e9));
  const cpuBefore = process.cpuUsage();
  let ops = 0;
  while (ops < maxOps && ((ops & 15) !== 0 || process.hrtime.bigint() < deadline)) {
    await operation();
    ops++;
  }
  const cpu = process.cpuUsage(cpuBefore);
  const elapsedSeconds = Number(process.hrtime.bigint() - start) / 1e9;
  return { ops, elapsedSeconds, opsPerSecond: ops / elapsedSeconds, meanMicros: (elapsedSeconds * 1e6) / ops, cpuMs: (cpu.user + cpu.system) / 1000 };
}

/**
 * The crypto floors, through the adapters the service uses: AES-256-GCM in the token for the
 * symmetric targets; for each asymmetric or HMAC target its own operation in the tier the service
 * keeps that key spec in (on SoftHSM, Ed25519 in the software tier, sealed under the token's root key).
 */
export class RawAdapters {
  readonly #operations = new Map<Target, () => Promise<unknown>>();

  private constructor(readonly material: Pkcs11KeyMaterial, readonly token: Pkcs11AsymmetricKeyMaterial) {}

  static async open(config: Pkcs11Config, targets: readonly Target[]): Promise<RawAdapters> {
    const material = await Pkcs11KeyMaterial.open(config);
    try {
      const raw = new RawAdapters(material, Pkcs11AsymmetricKeyMaterial.create(material));
      for (const target of [HTTP_FLOOR, ...targets.filter(isAsymmetric)]) raw.#operations.set(target, await raw.#prepare(target));
      return raw;
    } catch (error) {
      await material.close();
      throw error;
    }
  }

  /** The raw rate of a target's operation; the HTTP floor and every symmetric target share the AES-GCM one. */
  loop(target: Target, maxOps: number, maxSeconds: number): Promise<RawResult> {
    const operation = this.#operations.get(isAsymmetric(target) ? target : HTTP_FLOOR);
    if (operation === undefined) throw new Error(`raw loop for ${target.id} was not prepared`);
    return timedLoop(operation, maxOps, maxSeconds);
  }

  /** Whether the token itself has mechanisms for a target's key spec (false for Ed25519 on SoftHSM). */
  tokenSupports(target: Target): boolean {
    return isAsymmetric(target) && this.token.tokenSupports(target.keySpec as AsymmetricKeySpec | HmacKeySpec);
  }

  /** The integrity check of one key metadata item (canonical encoding, HMAC-SHA256 in the token), paid when a record is read from the table. */
  async recordCheckLoop(maxSeconds: number): Promise<RawResult> {
    const integrity = new ItemIntegrity({ authenticator: new Pkcs11RecordAuthenticator(this.material), onFailure: () => undefined }, true);
    const item = await integrity.seal(keyToItem({
      keyId: '1234abcd-12ab-34cd-56ef-1234567890ab', arn: 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
      accountId: '111122223333', region: 'us-east-1', description: 'a key', keySpec: 'SYMMETRIC_DEFAULT', keyUsage: 'ENCRYPT_DECRYPT',
      origin: 'AWS_KMS', keyState: 'Enabled', creationDate: 1_733_300_000, currentBackingKeyId: 'a'.repeat(64), tags: [], multiRegion: false,
      policy: JSON.stringify({ Version: '2012-10-17', Id: 'key-default-1', Statement: [{ Sid: 'Enable IAM User Permissions', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:root' }, Action: 'kms:*', Resource: '*' }] }),
      revision: 1,
    }));
    return timedLoop(async () => {
      if ((await integrity.check(item)) !== undefined) throw new Error("the benchmark's sealed item failed its own check");
    }, Number.POSITIVE_INFINITY, maxSeconds);
  }

  /** Makes the target's key in the adapter and returns its operation, checked once. */
  async #prepare(target: Target): Promise<() => Promise<unknown>> {
    const backingKeyId = `bench-raw-${target.id}-${randomBytes(6).toString('hex')}`;
    if (!isAsymmetric(target)) {
      const key = { backingKeyId, wrappedMaterial: await this.material.generateSymmetricKey() };
      // About the size of the AAD the service binds (blob header and an empty encryption context).
      const [plaintext, aad] = [randomBytes(PAYLOAD_BYTES), randomBytes(48)];
      return () => this.material.encrypt(key, plaintext, aad);
    }
    const inputs: SigningInput[] = Array.from({ length: 64 }, () => ({ messageType: 'RAW', message: new Uint8Array(randomBytes(PAYLOAD_BYTES)) }));
    let next = 0;
    const nextIndex = (): number => (next = (next + 1) % inputs.length);
    if (target.operation === 'GenerateMac') {
      const generated = await this.token.generateMacKey('HMAC_256');
      const key = { backingKeyId, wrappedMaterial: generated.wrappedMaterial, keySpec: target.keySpec, tier: generated.tier };
      const mac = () => this.token.generateMac(key, target.algorithm as MacAlgorithmSpec, (inputs[nextIndex()] as SigningInput).message);
      if ((await mac()).length !== 32) throw new Error(`raw ${target.label}: MAC of the wrong length`);
      return mac;
    }
    const spec = target.keySpec as AsymmetricKeySpec;
    const tier = target.tier === 'token' ? this.token : new SoftwareKeyMaterial(this.material);
    const generated = await tier.generateKeyPair(spec);
    if (generated.tier !== target.tier) throw new Error(`raw ${target.label}: key generated in the ${generated.tier} tier, expected ${target.tier}`);
    const key = { backingKeyId, wrappedMaterial: generated.wrappedMaterial, keySpec: spec, tier: generated.tier, publicKey: generated.publicKey };
    const algorithm = target.algorithm as SigningAlgorithmSpec;
    const signatures: Uint8Array[] = [];
    for (const input of inputs) signatures.push(await tier.sign(key, algorithm, input));
    if (signatures.some((signature) => signature.length === 0)) throw new Error(`raw ${target.label}: empty signature`);
    if (target.operation === 'Sign') return () => tier.sign(key, algorithm, inputs[nextIndex()] as SigningInput);
    return async () => {
      const i = nextIndex();
      if (!(await tier.verify(key, algorithm, inputs[i] as SigningInput, signatures[i] as Uint8Array))) throw new Error(`raw ${target.label}: a signature did not verify`);
    };
  }

  async close(): Promise<void> {
    await this.material.close();
  }
}

/** node:http client requests of this process (the SDK's DynamoDB calls), total and by `x-amz-target` operation. */
export interface CountSnapshot {
  readonly total: number;
  readonly byTarget: Readonly<Record<string, number>>;
}

/**
 * Counts this process's outgoing node:http requests through the `http.client.request.start`
 * diagnostics channel. The load generator is another process, so its requests are not counted.
 */
export function countHttpClientRequests(): { take(): CountSnapshot; stop(): void } {
  let counts = { total: 0, byTarget: {} as Record<string, number> };
  const listener = (message: unknown): void => {
    const request = (message as { request?: ClientRequest }).request;
    const target = request?.getHeader('x-amz-target');
    // e.g. `DynamoDB_20120810.GetItem` -> `GetItem`
    const name = typeof target === 'string' ? (target.split('.').pop() ?? target) : `${request?.method ?? '?'} ${request?.host ?? '?'}`;
    counts.total++;
    counts.byTarget[name] = (counts.byTarget[name] ?? 0) + 1;
  };
  diagnosticsChannel.subscribe('http.client.request.start', listener);
  return {
    take: () => {
      const taken = counts;
      counts = { total: 0, byTarget: {} };
      return taken;
    },
    stop: () => diagnosticsChannel.unsubscribe('http.client.request.start', listener),
  };
}

export type CellResult = Awaited<ReturnType<typeof cell>>;

/** A raw adapter loop, measured right before the cells it is compared with; `target` only for asymmetric and HMAC ones. */
export type RawRun = RawResult & { readonly target?: string; readonly concurrency: number; readonly round: number };

export interface Measurements {
  readonly cells: readonly CellResult[];
  /** The AES-GCM loops, one before each concurrency group of the HTTP floor and symmetric cells. */
  readonly raws: readonly RawRun[];
  /** Each asymmetric or HMAC target's own loop, right before its cell. */
  readonly rawAsymmetricRuns: readonly RawRun[];
  readonly profile: ProfiledEncrypt | undefined;
}

/** What the cells run on. */
export interface Rig {
  readonly settings: Settings;
  readonly load: LoadClient;
  readonly requests: TargetRequests;
  readonly raw: RawAdapters;
  readonly counter: { take(): CountSnapshot };
  readonly cores: number;
  readonly log: (line: string) => void;
}

/**
 * Loads a target at one concurrency for a fixed time, after a warm-up. `serverCpuMicrosPerRequest`
 * is the CPU of this process (the service or the floor server, SoftHSM inside it) per request;
 * `dynamoRequests` its node:http requests (DynamoDB calls); `otherBusyCores` the cores kept busy
 * by everything else on the machine (DynamoDB Local, other work).
 */
async function cell(rig: Rig, target: Target, concurrency: number, round: number) {
  const { settings: s, load, counter } = rig;
  const { url, requests } = await rig.requests.forCell(target);
  const job = { url, requests, connections: concurrency, maxRequests: s.maxRequests };
  assertAllOk(`${target.label} c=${concurrency} warm-up`, await load.run({ ...job, durationSeconds: s.warmupSeconds, record: false }));
  counter.take();
  const machineBefore = readCpuTimes();
  const cpuBefore = process.cpuUsage();
  const result = await load.run({ ...job, durationSeconds: isAsymmetric(target) ? s.asymDurationSeconds : s.durationSeconds, record: true });
  const cpu = process.cpuUsage(cpuBefore);
  const machineAfter = readCpuTimes();
  const dynamoRequests = counter.take();
  assertAllOk(`${target.label} c=${concurrency}`, result);
  const machineBusy = busyCores(machineBefore, machineAfter, rig.cores);
  const oursCores = ((cpu.user + cpu.system) / 1e6 + result.generatorCpuMs / 1000) / result.elapsedSeconds;
  const responses = Math.max(result.responses, 1);
  return {
    target: target.label, concurrency, round, requestsPerSecond: result.responses / result.elapsedSeconds, responses: result.responses,
    elapsedSeconds: result.elapsedSeconds, latencyMs: result.latencyMs, statusCounts: result.statusCounts,
    errors: result.errors + result.timeouts + Object.entries(result.statusCounts).reduce((sum, [status, count]) => sum + (status === '200' ? 0 : count), 0),
    serverCpuMicrosPerRequest: (cpu.user + cpu.system) / responses, generatorCpuMicrosPerRequest: (result.generatorCpuMs * 1000) / responses,
    dynamoRequests, otherBusyCores: Math.max(0, machineBusy - oursCores),
  };
}

/** One Encrypt cell under the CPU profiler, after the measured ones. */
async function profiledEncrypt(rig: Rig, encrypt: Target, concurrency: number): Promise<ProfiledEncrypt> {
  const { settings: s } = rig;
  const { url, requests } = await rig.requests.forCell(encrypt);
  const stop = await startProfiler();
  const [outcome] = await Promise.allSettled([rig.load.run({ url, requests, connections: concurrency, maxRequests: s.maxRequests, durationSeconds: s.durationSeconds, record: false })]);
  const summary = await stop(s.profileOut);
  if (outcome.status === 'rejected') throw outcome.reason;
  assertAllOk(`profiled Encrypt c=${concurrency}`, outcome.value);
  return { summary, requestsPerSecond: outcome.value.responses / outcome.value.elapsedSeconds, concurrency };
}

/**
 * Measures every cell: an unmeasured warm-up of every target first, then in each round and at each
 * concurrency the raw AES-GCM loop, the HTTP floor and the symmetric cells, then each asymmetric or
 * HMAC target's raw loop right before its own cell; last, the optional profiled Encrypt cell.
 */
export async function runMeasurements(rig: Rig): Promise<Measurements> {
  const { settings: s, log } = rig;
  const symmetric = [HTTP_FLOOR, ...s.targets.filter((t) => !isAsymmetric(t))];
  const asymmetric = s.targets.filter(isAsymmetric);
  const top = Math.max(...s.concurrencies);
  const cells: CellResult[] = [];
  const raws: RawRun[] = [];
  const rawAsymmetricRuns: RawRun[] = [];
  log('initial warm-up of every target ...');
  for (const target of [...symmetric, ...asymmetric]) {
    const { url, requests } = await rig.requests.forCell(target);
    assertAllOk(`${target.label} c=${top} initial warm-up`, await rig.load.run({ url, requests, connections: top, maxRequests: s.maxRequests, durationSeconds: s.warmupSeconds, record: false }));
  }
  for (let round = 1; round <= s.rounds; round++) {
    const step = (what: string): void => log(`round ${round}/${s.rounds}: ${what} ...`);
    for (const concurrency of s.concurrencies) {
      if (symmetric.length > 1) {
        step(`raw PKCS#11 AES-GCM loop (for c=${concurrency})`);
        raws.push({ ...(await rig.raw.loop(HTTP_FLOOR, s.rawOps, s.durationSeconds)), concurrency, round });
      }
      for (const target of symmetric) {
        step(`${target.label} c=${concurrency}`);
        cells.push(await cell(rig, target, concurrency, round));
      }
      for (const target of asymmetric) {
        step(`raw ${target.tier}-tier ${target.label} loop (for c=${concurrency})`);
        rawAsymmetricRuns.push({ ...(await rig.raw.loop(target, s.rawOps, s.asymDurationSeconds)), target: target.id, concurrency, round });
        step(`${target.label} c=${concurrency}`);
        cells.push(await cell(rig, target, concurrency, round));
      }
    }
  }
  const encrypt = s.targets.find((t) => t.id === 'encrypt');
  if (!s.profile || encrypt === undefined) return { cells, raws, rawAsymmetricRuns, profile: undefined };
  log(`profiling the service during Encrypt c=${top} (not part of the table) ...`);
  return { cells, raws, rawAsymmetricRuns, profile: await profiledEncrypt(rig, encrypt, top) };
}

