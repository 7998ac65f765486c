/**
 * Everything the cells need, started in order: the local service in a fresh data directory, the
 * HTTP floor server, the load generator, the DynamoDB request counter, the benchmark keys, and the
 * raw adapters the crypto floors are measured through. Each piece registers its own cleanup.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalService, type LocalService } from '../../src/local/local-service.js';
import { ensureSoftHsmToken } from '../../src/local/softhsm-token.js';
import { silentLogger } from '../../src/pipeline/logger.js';
import { AsymmetricKmsTargets } from './asymmetric-targets.js';
import { startBaselineServer, type BaselineServer } from './baseline-server.js';
import { log } from './bench-failure.js';
import type { CleanupStack } from './cleanup-stack.js';
import { HttpClientCounter } from './http-client-counter.js';
import { LoadClient } from './load-client.js';
import type { ReplayRequest } from './load-protocol.js';
import { RawAsymmetricBench } from './raw-asymmetric.js';
import { RawPkcs11Bench } from './raw-pkcs11.js';
import { probe } from './response-checks.js';
import type { Settings } from './settings.js';
import { RequestSigner, randomPlaintexts } from './signed-requests.js';
import { PLAINTEXT_BYTES } from './symmetric-targets.js';
import { BenchIdentities, benchKeyPolicy, benchUserAccessKey } from './policy-target.js';
import type { PolicyTarget } from './cell-runner.js';

export interface BenchEnvironment {
  /** When the local service was asked to start (epoch milliseconds). */
  readonly started: number;
  readonly service: LocalService;
  readonly baseline: BaselineServer;
  readonly load: LoadClient;
  readonly counter: HttpClientCounter;
  readonly signer: RequestSigner;
  /** The symmetric benchmark key. */
  readonly keyId: string;
  /** The key under a 20-statement key policy, and the signer of its IAM user caller. */
  readonly policy: PolicyTarget;
  /** A ciphertext under that key, the body of every Decrypt request. */
  readonly ciphertext: string;
  /** What that ciphertext decrypts to, base64. */
  readonly decryptPlaintext: string;
  /** The keys of the `Encrypt spread` target (empty unless it is selected). */
  readonly spreadKeyIds: readonly string[];
  /** The asymmetric and HMAC keys, when any such target is selected. */
  readonly asymmetricKms: AsymmetricKmsTargets | undefined;
  readonly raw: RawPkcs11Bench;
  readonly rawAsymmetric: RawAsymmetricBench | undefined;
}

export async function startBenchEnvironment(settings: Settings, cleanups: CleanupStack): Promise<BenchEnvironment> {
  const asymmetricTargets = settings.asymmetric;
  const dataDir = await mkdtemp(join(tmpdir(), 'kms-bench-'));
  cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
  log(`starting the local service in ${dataDir} ...`);
  const started = Date.now();
  const benchUser = benchUserAccessKey();
  const service = await startLocalService({
    dataDir, port: 0, logger: silentLogger, iamIdentities: { directory: new BenchIdentities(), accessKeys: [benchUser] },
  });
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
  const policyCreated = await probe(service.endpoint, await signer.sign('CreateKey', {
    Description: 'benchmark key under a 20-statement key policy', Policy: benchKeyPolicy(), Tags: [{ TagKey: 'Project', TagValue: 'Alpha' }],
  }), 'CreateKey (policies)', (out) => typeof (out['KeyMetadata'] as Record<string, unknown> | undefined)?.['KeyId'] === 'string');
  const policy = {
    keyId: String((policyCreated['KeyMetadata'] as Record<string, unknown>)['KeyId']),
    signer: new RequestSigner(service.endpoint, benchUser),
  };
  log(`key ${policy.keyId} under a 20-statement key policy created; its caller has 5 IAM policies`);

  const spreadKeyIds = settings.symmetric.includes('Encrypt spread') ? await createSpreadKeys(service.endpoint, signer, settings.spreadKeys) : [];

  const probeKms = (request: ReplayRequest, what: string, check: (output: Record<string, unknown>) => boolean) => probe(service.endpoint, request, what, check);
  const asymmetricKms = asymmetricTargets.length === 0 ? undefined : await AsymmetricKmsTargets.create(signer, probeKms, asymmetricTargets, settings.signedCount);
  if (asymmetricKms !== undefined) log(`keys ${asymmetricTargets.map((t) => `${t.keySpec} ${asymmetricKms.keyId(t.id)}`).join(', ')} created`);

  const token = await ensureSoftHsmToken({ dataDir });
  const raw = await RawPkcs11Bench.open(token);
  cleanups.push(() => raw.close());
  const rawAsymmetric = asymmetricTargets.length === 0 ? undefined : await RawAsymmetricBench.open(token, asymmetricTargets);
  if (rawAsymmetric !== undefined) cleanups.push(() => rawAsymmetric.close());

  return { started, service, baseline, load, counter, signer, keyId, policy, ciphertext, decryptPlaintext, spreadKeyIds, asymmetricKms, raw, rawAsymmetric };
}

/** Creates `count` keys, eight at a time. */
async function createSpreadKeys(endpoint: string, signer: RequestSigner, count: number): Promise<string[]> {
  log(`creating ${count} keys for Encrypt spread ...`);
  const began = Date.now();
  const ids: string[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      next++;
      const created = await probe(endpoint, await signer.sign('CreateKey', { Description: 'benchmark spread key' }), 'CreateKey (spread)', (out) =>
        typeof (out['KeyMetadata'] as Record<string, unknown> | undefined)?.['KeyId'] === 'string');
      ids.push(String((created['KeyMetadata'] as Record<string, unknown>)['KeyId']));
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  log(`${count} keys created in ${((Date.now() - began) / 1000).toFixed(1)} s`);
  return ids;
}
