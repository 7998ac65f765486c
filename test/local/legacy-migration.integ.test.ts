/**
 * A data folder made by an earlier version (one root key with all four usages) keeps every key,
 * alias and credential when the current version starts on it: the folder is built with the old
 * root key and the real core, then the real local service starts on it, migrates, and is driven
 * through the stock KMS client.
 */
import { parseProfiles } from '../../src/local/account-credentials.js';
import { constants, createPublicKey, generateKeyPairSync, verify as nodeVerify } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DecryptCommand, DeriveSharedSecretCommand, EncryptCommand, GenerateMacCommand, GetPublicKeyCommand, KMSClient, ListAliasesCommand,
  SignCommand, VerifyCommand,
} from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureTable } from '../../src/adapters/dynamodb/create-table.js';
import { DynamoStore } from '../../src/adapters/dynamodb/dynamo-store.js';
import { DEFAULT_TABLE_NAME } from '../../src/adapters/dynamodb/table-definition.js';
import { Pkcs11KeyMaterial } from '../../src/adapters/pkcs11/pkcs11-key-material.js';
import { randomIds } from '../../src/adapters/system/random-ids.js';
import { systemClock } from '../../src/adapters/system/system-clock.js';
import { createAlias } from '../../src/core/kms/operations/aliases.js';
import { createKey } from '../../src/core/kms/operations/create-key.js';
import { deriveSharedSecret } from '../../src/core/kms/operations/derive-shared-secret.js';
import { encrypt } from '../../src/core/kms/operations/encrypt-decrypt.js';
import { generateMac } from '../../src/core/kms/operations/mac.js';
import { sign } from '../../src/core/kms/operations/sign-verify.js';
import { TouchedResources, type CoreDeps, type OperationHandler } from '../../src/core/kms/service.js';
import type { OperationIO, OperationName } from '../../src/models/kms/generated/operations.js';
import type { KeySpec, KeyUsageType, SigningAlgorithmSpec } from '../../src/models/kms/generated/shapes.js';
import { startDynamoDbLocal } from '../../src/local/dynamodb-local.js';
import { startLocalService, type LocalService } from '../../src/local/local-service.js';
import { ensureRootCredentials } from '../../src/local/root-credentials.js';
import { ensureSoftHsmToken } from '../../src/local/softhsm-token.js';
import type { Logger } from '../../src/pipeline/logger.js';
import { createLegacyRootKey, keysLabelled, legacyMaterials } from '../fixtures/legacy-token.js';
import { makeContext } from '../support/core.js';
import { makeAccess } from '../support/identity-directory.js';
import { integrityOfOldVersions } from '../support/fake-record-authenticator.js';

const ACCOUNT_ID = '111122223333';
const utf8 = (text: string) => new TextEncoder().encode(text);
const MESSAGE = utf8('signed before the migration');
const PEER = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
const PEER_SPKI = new Uint8Array(PEER.publicKey.export({ type: 'spki', format: 'der' }));

interface OldKey {
  readonly spec: KeySpec;
  readonly usage: KeyUsageType;
  readonly region: string;
  readonly algorithm?: SigningAlgorithmSpec;
  keyId?: string;
  /** What the earlier version produced with it: a ciphertext, a signature, a MAC or a shared secret. */
  output?: Uint8Array;
}

const OLD_KEYS: OldKey[] = [
  { spec: 'SYMMETRIC_DEFAULT', usage: 'ENCRYPT_DECRYPT', region: 'us-east-1' },
  { spec: 'RSA_2048', usage: 'SIGN_VERIFY', region: 'us-east-1', algorithm: 'RSASSA_PSS_SHA_256' },
  { spec: 'ECC_NIST_P256', usage: 'SIGN_VERIFY', region: 'us-east-1', algorithm: 'ECDSA_SHA_256' },
  { spec: 'ECC_NIST_P256', usage: 'KEY_AGREEMENT', region: 'us-east-1' },
  { spec: 'HMAC_256', usage: 'GENERATE_VERIFY_MAC', region: 'us-east-1' },
  { spec: 'ECC_NIST_EDWARDS25519', usage: 'SIGN_VERIFY', region: 'us-east-1', algorithm: 'ED25519_SHA_512' },
  { spec: 'ML_DSA_44', usage: 'SIGN_VERIFY', region: 'us-east-1', algorithm: 'ML_DSA_SHAKE_256' },
  { spec: 'SM2', usage: 'SIGN_VERIFY', region: 'cn-north-1', algorithm: 'SM2DSA' },
];

async function run<Op extends OperationName>(deps: CoreDeps, handler: OperationHandler<Op>, input: OperationIO[Op]['input'], region: string) {
  return handler({ deps, ctx: makeContext({ region }), input, touched: new TouchedResources() });
}

/** What the earlier version left: the token with its root key, the table, the credentials file. */
async function buildOldFolder(dataDir: string): Promise<void> {
  const token = await ensureSoftHsmToken({ dataDir });
  const bootstrap = await Pkcs11KeyMaterial.open(token);
  const dynamo = await startDynamoDbLocal({ dataDir });
  const client = dynamo.client();
  try {
    const root = createLegacyRootKey(bootstrap);
    const { material, asymmetric } = legacyMaterials(bootstrap, root);
    await ensureTable(client, DEFAULT_TABLE_NAME);
    const store = new DynamoStore({ tableName: DEFAULT_TABLE_NAME, client, integrity: integrityOfOldVersions() });
    const deps: CoreDeps = { keys: store, aliases: store, grants: store, material, asymmetric, clock: systemClock, ids: randomIds, access: makeAccess() };
    for (const key of OLD_KEYS) {
      const { KeyMetadata } = await run(deps, createKey, { KeySpec: key.spec, KeyUsage: key.usage }, key.region);
      key.keyId = KeyMetadata?.KeyId;
      const KeyId = key.keyId ?? '';
      if (key.spec === 'SYMMETRIC_DEFAULT') {
        key.output = (await run(deps, encrypt, { KeyId, Plaintext: utf8('encrypted before the migration'), EncryptionContext: { a: 'b' } }, key.region)).CiphertextBlob;
        await run(deps, createAlias, { AliasName: 'alias/old', TargetKeyId: KeyId }, key.region);
      } else if (key.usage === 'GENERATE_VERIFY_MAC') {
        key.output = (await run(deps, generateMac, { KeyId, Message: MESSAGE, MacAlgorithm: 'HMAC_SHA_256' }, key.region)).Mac;
      } else if (key.usage === 'KEY_AGREEMENT') {
        key.output = (await run(deps, deriveSharedSecret, { KeyId, KeyAgreementAlgorithm: 'ECDH', PublicKey: PEER_SPKI }, key.region)).SharedSecret;
      } else if (key.algorithm !== undefined) {
        key.output = (await run(deps, sign, { KeyId, Message: MESSAGE, MessageType: 'RAW', SigningAlgorithm: key.algorithm }, key.region)).Signature;
      }
    }
    await ensureRootCredentials({ dataDir, accountId: ACCOUNT_ID, defaultAccountId: ACCOUNT_ID, fixed: undefined, store, material, clock: systemClock });
    expect(keysLabelled(bootstrap, 'kms-root')).toBe(1);
  } finally {
    client.destroy();
    await dynamo.stop();
    await bootstrap.close();
  }
}

describe('a data folder made by the version with one root key', () => {
  let dataDir: string;
  let service: LocalService;
  let oldCredentials: string;
  const logged: { message: string; fields?: Record<string, unknown> }[] = [];
  const logger: Logger = {
    info: (message, fields) => logged.push({ message, ...(fields === undefined ? {} : { fields }) }),
    error: (message, fields) => logged.push({ message, ...(fields === undefined ? {} : { fields }) }),
  };
  const kms = (region: string) => new KMSClient({
    endpoint: service.endpoint, region, maxAttempts: 1,
    credentials: { accessKeyId: service.credentials.accessKeyId, secretAccessKey: service.credentials.secretAccessKey },
  });
  const key = (spec: KeySpec, usage: KeyUsageType) => {
    const found = OLD_KEYS.find((candidate) => candidate.spec === spec && candidate.usage === usage);
    if (found?.keyId === undefined || found.output === undefined) throw new Error(`no old ${spec} key`);
    return { ...found, keyId: found.keyId, output: found.output };
  };

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'kms-legacy-'));
    await buildOldFolder(dataDir);
    oldCredentials = await readFile(join(dataDir, 'credentials'), 'utf8');
    service = await startLocalService({ dataDir, port: 0, logger });
  }, 180_000);

  afterAll(async () => {
    await service?.stop();
    if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true });
  });

  it('keeps the credentials of the credentials file (now also as profile acct-<id>) and its access key, which still signs requests', async () => {
    // Act
    const text = await readFile(join(dataDir, 'credentials'), 'utf8');
    const aliases = await kms('us-east-1').send(new ListAliasesCommand({}));
    // Assess
    const profiles = parseProfiles(text);
    expect(profiles.get('default')).toEqual(parseProfiles(oldCredentials).get('default'));
    expect(profiles.get(`acct-${service.credentials.accountId}`)).toEqual(profiles.get('default'));
    expect(text).toContain(service.credentials.secretAccessKey);
    expect(aliases.Aliases?.map((alias) => alias.AliasName)).toContain('alias/old');
  });

  it('decrypts a ciphertext made before the migration, through its alias too, and encrypts anew', async () => {
    // Prepare
    const old = key('SYMMETRIC_DEFAULT', 'ENCRYPT_DECRYPT');
    // Act
    const decrypted = await kms('us-east-1').send(new DecryptCommand({ CiphertextBlob: old.output, EncryptionContext: { a: 'b' } }));
    const fresh = await kms('us-east-1').send(new EncryptCommand({ KeyId: 'alias/old', Plaintext: utf8('after') }));
    const again = await kms('us-east-1').send(new DecryptCommand({ CiphertextBlob: fresh.CiphertextBlob }));
    // Assess
    expect(new TextDecoder().decode(decrypted.Plaintext)).toBe('encrypted before the migration');
    expect(new TextDecoder().decode(again.Plaintext)).toBe('after');
  });

  it.each(OLD_KEYS.filter((old) => old.algorithm !== undefined).map((old) => [old.spec, old] as const))(
    'verifies a %s signature made before the migration and signs anew with the same key',
    async (_spec, old) => {
      // Prepare
      const client = kms(old.region);
      const KeyId = old.keyId ?? '';
      const SigningAlgorithm = old.algorithm;
      // Act
      const before = await client.send(new VerifyCommand({ KeyId, Message: MESSAGE, MessageType: 'RAW', SigningAlgorithm, Signature: old.output }));
      const fresh = await client.send(new SignCommand({ KeyId, Message: MESSAGE, MessageType: 'RAW', SigningAlgorithm }));
      const after = await client.send(new VerifyCommand({ KeyId, Message: MESSAGE, MessageType: 'RAW', SigningAlgorithm, Signature: fresh.Signature }));
      // Assess
      expect(before.SignatureValid).toBe(true);
      expect(after.SignatureValid).toBe(true);
      if (old.spec === 'RSA_2048' || old.spec === 'ECC_NIST_P256') {
        const { PublicKey } = await client.send(new GetPublicKeyCommand({ KeyId }));
        const publicKey = createPublicKey({ key: Buffer.from(PublicKey ?? new Uint8Array()), format: 'der', type: 'spki' });
        const options = old.spec === 'RSA_2048' ? { key: publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 } : { key: publicKey };
        expect(nodeVerify('sha256', MESSAGE, options, fresh.Signature ?? new Uint8Array())).toBe(true);
      }
    },
    60_000,
  );

  it('computes the same MAC and the same ECDH shared secret as before the migration', async () => {
    // Prepare
    const mac = key('HMAC_256', 'GENERATE_VERIFY_MAC');
    const agreement = key('ECC_NIST_P256', 'KEY_AGREEMENT');
    // Act
    const macAfter = await kms('us-east-1').send(new GenerateMacCommand({ KeyId: mac.keyId, Message: MESSAGE, MacAlgorithm: 'HMAC_SHA_256' }));
    const secretAfter = await kms('us-east-1').send(new DeriveSharedSecretCommand({ KeyId: agreement.keyId, KeyAgreementAlgorithm: 'ECDH', PublicKey: PEER_SPKI }));
    // Assess
    expect(Buffer.from(macAfter.Mac ?? new Uint8Array())).toEqual(Buffer.from(mac.output));
    expect(Buffer.from(secretAfter.SharedSecret ?? new Uint8Array())).toEqual(Buffer.from(agreement.output));
  });

  it('has destroyed the old root key and logged the migration', async () => {
    // Prepare
    const token = await ensureSoftHsmToken({ dataDir });
    const material = await Pkcs11KeyMaterial.open(token);
    // Act
    const left = keysLabelled(material, 'kms-root');
    await material.close();
    // Assess
    expect(left).toBe(0);
    const messages = logged.map((entry) => entry.message);
    expect(messages).toContain('legacy root key migration: legacy root key destroyed');
    const firstPass = logged.find((entry) => entry.message === 'legacy root key migration: pass done' && entry.fields?.['pass'] === 1);
    // Eight backing keys and one access key moved; nothing unreadable.
    expect(firstPass?.fields).toMatchObject({ moved: OLD_KEYS.length + 1, unreadable: 0 });
  });
});
