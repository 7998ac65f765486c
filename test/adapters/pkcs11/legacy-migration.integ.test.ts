/**
 * The legacy root key migration against SoftHSM: interrupted and resumed, run twice at once, with
 * a blob no key opens, and the fallback that keeps unmoved keys usable meanwhile.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { asymmetricMaterialFor } from '../../../src/composition/asymmetric-material.js';
import { migrateLegacyRootKey, migrateLegacyRootKeyOrLog } from '../../../src/adapters/pkcs11/legacy-migration.js';
import type { MigrationLogger, MigrationStore } from '../../../src/adapters/pkcs11/legacy-migration.js';
import { Pkcs11KeyMaterial } from '../../../src/adapters/pkcs11/pkcs11-key-material.js';
import { randomIds } from '../../../src/adapters/system/random-ids.js';
import { systemClock } from '../../../src/adapters/system/system-clock.js';
import { secretAad } from '../../../src/authn/stored-credentials.js';
import { createKey } from '../../../src/core/kms/operations/create-key.js';
import { decrypt, encrypt } from '../../../src/core/kms/operations/encrypt-decrypt.js';
import { generateMac } from '../../../src/core/kms/operations/mac.js';
import { sign, verify } from '../../../src/core/kms/operations/sign-verify.js';
import { TouchedResources, type CoreDeps, type OperationHandler } from '../../../src/core/kms/service.js';
import type { OperationIO, OperationName } from '../../../src/models/kms/generated/operations.js';
import { ensureSoftHsmToken, type SoftHsmTokenConfig } from '../../../src/local/softhsm-token.js';
import { createLegacyRootKey, keysLabelled, legacyMaterials } from '../../fixtures/legacy-token.js';
import { makeContext } from '../../support/core.js';
import { InMemoryStore } from '../../support/in-memory-store.js';
import { makeAccess } from '../../support/identity-directory.js';

const utf8 = (text: string) => new TextEncoder().encode(text);
const MESSAGE = utf8('message');
const ACCESS_KEY_ID = 'AKIAMIGRATIONTEST001';
const SECRET = 'the access key secret';

function run<Op extends OperationName>(deps: CoreDeps, handler: OperationHandler<Op>, input: OperationIO[Op]['input']) {
  return handler({ deps, ctx: makeContext(), input, touched: new TouchedResources() });
}

const silent = (): MigrationLogger & { lines: { message: string; fields?: Record<string, unknown> }[] } => {
  const lines: { message: string; fields?: Record<string, unknown> }[] = [];
  const log = (message: string, fields?: Record<string, unknown>) => lines.push({ message, ...(fields === undefined ? {} : { fields }) });
  return { lines, info: log, error: log };
};

interface OldData {
  readonly store: InMemoryStore;
  readonly symmetric: string;
  readonly ciphertext: Uint8Array;
  readonly hmac: string;
  readonly mac: Uint8Array;
  readonly signing: readonly { keyId: string; algorithm: 'ECDSA_SHA_256' | 'ED25519_SHA_512'; signature: Uint8Array }[];
}

/** Keys, data and a sealed access key secret made under a legacy root key, in a fresh token. */
async function oldData(config: SoftHsmTokenConfig): Promise<OldData> {
  const bootstrap = await Pkcs11KeyMaterial.open(config);
  try {
    const root = createLegacyRootKey(bootstrap);
    const { material, asymmetric } = legacyMaterials(bootstrap, root);
    const store = new InMemoryStore();
    const deps: CoreDeps = { keys: store, aliases: store, grants: store, material, asymmetric, clock: systemClock, ids: randomIds, access: makeAccess() };
    const symmetric = (await run(deps, createKey, {})).KeyMetadata?.KeyId ?? '';
    const ciphertext = (await run(deps, encrypt, { KeyId: symmetric, Plaintext: utf8('old data') })).CiphertextBlob ?? new Uint8Array();
    const hmac = (await run(deps, createKey, { KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' })).KeyMetadata?.KeyId ?? '';
    const mac = (await run(deps, generateMac, { KeyId: hmac, Message: MESSAGE, MacAlgorithm: 'HMAC_SHA_256' })).Mac ?? new Uint8Array();
    const signing = [];
    for (const [KeySpec, algorithm] of [['ECC_NIST_P256', 'ECDSA_SHA_256'], ['ECC_NIST_EDWARDS25519', 'ED25519_SHA_512']] as const) {
      const keyId = (await run(deps, createKey, { KeySpec, KeyUsage: 'SIGN_VERIFY' })).KeyMetadata?.KeyId ?? '';
      const signature = (await run(deps, sign, { KeyId: keyId, Message: MESSAGE, SigningAlgorithm: algorithm })).Signature ?? new Uint8Array();
      signing.push({ keyId, algorithm, signature });
    }
    await store.putAccessKey({
      accessKeyId: ACCESS_KEY_ID, sealedSecret: await material.sealSecret(utf8(SECRET), secretAad(ACCESS_KEY_ID)),
      accountId: '111122223333', principalArn: 'arn:aws:iam::111122223333:root', principalId: '111122223333', status: 'Active', creationDate: 0,
    });
    return { store, symmetric, ciphertext, hmac, mac, signing };
  } finally {
    await bootstrap.close();
  }
}

/** Runs every operation of the old data through `material`, as a client would use it. */
async function expectUsable(material: Pkcs11KeyMaterial, data: OldData): Promise<void> {
  const deps: CoreDeps = { keys: data.store, aliases: data.store, grants: data.store, material, asymmetric: asymmetricMaterialFor(material), clock: systemClock, ids: randomIds, access: makeAccess() };
  const plaintext = (await run(deps, decrypt, { CiphertextBlob: data.ciphertext })).Plaintext;
  expect(new TextDecoder().decode(plaintext)).toBe('old data');
  const mac = (await run(deps, generateMac, { KeyId: data.hmac, Message: MESSAGE, MacAlgorithm: 'HMAC_SHA_256' })).Mac;
  expect(Buffer.from(mac ?? [])).toEqual(Buffer.from(data.mac));
  for (const { keyId, algorithm, signature } of data.signing) {
    expect((await run(deps, verify, { KeyId: keyId, Message: MESSAGE, SigningAlgorithm: algorithm, Signature: signature })).SignatureValid).toBe(true);
    const fresh = (await run(deps, sign, { KeyId: keyId, Message: MESSAGE, SigningAlgorithm: algorithm })).Signature;
    expect((await run(deps, verify, { KeyId: keyId, Message: MESSAGE, SigningAlgorithm: algorithm, Signature: fresh ?? new Uint8Array() })).SignatureValid).toBe(true);
  }
  const record = await data.store.getAccessKey(ACCESS_KEY_ID);
  expect(new TextDecoder().decode(await material.openSecret(record!.sealedSecret, secretAad(ACCESS_KEY_ID)))).toBe(SECRET);
}

/** A store whose writes fail after `writes` successful ones, as a crash or a lost table would. */
function failingAfter(store: InMemoryStore, writes: number): MigrationStore {
  let left = writes;
  const guard = () => {
    if (left-- <= 0) throw new Error('the table went away');
  };
  return {
    getKey: (locator) => store.getKey(locator),
    scanBackingKeys: (page) => store.scanBackingKeys(page),
    scanAccessKeys: (page) => store.scanAccessKeys(page),
    replaceWrappedMaterial: async (record, expected) => { guard(); return store.replaceWrappedMaterial(record, expected); },
    replaceSealedSecret: async (record, expected) => { guard(); return store.replaceSealedSecret(record, expected); },
  };
}

describe('migrateLegacyRootKey', () => {
  const dirs: string[] = [];
  let config: SoftHsmTokenConfig;
  let data: OldData;

  beforeEach(async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'kms-migration-'));
    dirs.push(dataDir);
    config = await ensureSoftHsmToken({ dataDir });
    data = await oldData(config);
  }, 60_000);

  afterAll(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it('serves the old keys through the legacy root key before the migration has run', async () => {
    // Prepare
    const material = await Pkcs11KeyMaterial.open(config);
    try {
      // Act / Assess
      await expectUsable(material, data);
      expect(material.legacyRootKey()).toBeDefined();
    } finally {
      await material.close();
    }
  });

  it('completes at the next run, with every key usable, when a run is interrupted part way', async () => {
    // Prepare
    const material = await Pkcs11KeyMaterial.open(config);
    const logger = silent();
    try {
      // Act
      const interrupted = migrateLegacyRootKey(material, { store: failingAfter(data.store, 2), accessKeyAad: secretAad, logger, pageSize: 2 });
      await expect(interrupted).rejects.toThrow('the table went away');
      const legacyAfterCrash = keysLabelled(material, 'kms-root');
      await material.close();
      const restarted = await Pkcs11KeyMaterial.open(config);
      try {
        const migrated = await migrateLegacyRootKey(restarted, { store: data.store, accessKeyAad: secretAad, logger });
        const again = await migrateLegacyRootKey(restarted, { store: data.store, accessKeyAad: secretAad, logger });
        // Assess
        expect(legacyAfterCrash).toBe(1);
        expect([migrated, again]).toEqual([true, false]);
        expect(keysLabelled(restarted, 'kms-root')).toBe(0);
        const passes = logger.lines.filter((line) => line.message === 'legacy root key migration: pass done').map((line) => line.fields);
        // The resumed run moves what the interrupted one had not (5 records, 2 already moved), then verifies.
        expect(passes).toEqual([{ pass: 1, moved: 3, current: 2, unreadable: 0 }, { pass: 2, moved: 0, current: 5, unreadable: 0 }]);
        await expectUsable(restarted, data);
      } finally {
        await restarted.close();
      }
    } finally {
      await material.close();
    }
  }, 60_000);

  it('moves every record once and leaves every key usable when two processes migrate at once', async () => {
    // Prepare
    const first = await Pkcs11KeyMaterial.open(config);
    const second = await Pkcs11KeyMaterial.open(config);
    try {
      // Act
      const results = await Promise.all([first, second].map((material) =>
        migrateLegacyRootKey(material, { store: data.store, accessKeyAad: secretAad, logger: silent(), pageSize: 1 })));
      // Assess
      expect(results).toEqual([true, true]);
      expect(keysLabelled(first, 'kms-root')).toBe(0);
      await expectUsable(first, data);
    } finally {
      await second.close();
      await first.close();
    }
  }, 60_000);

  it('logs a backing key that no key opens, leaves it as it is and still retires the legacy key', async () => {
    // Prepare
    const { items: [victim] } = await data.store.scanBackingKeys({ limit: 1 });
    const damaged = Uint8Array.from(victim!.wrappedMaterial, (byte, i) => (i === 10 ? byte ^ 1 : byte));
    await data.store.replaceWrappedMaterial({ ...victim!, wrappedMaterial: damaged }, victim!.wrappedMaterial);
    const material = await Pkcs11KeyMaterial.open(config);
    const logger = silent();
    try {
      // Act
      const migrated = await migrateLegacyRootKey(material, { store: data.store, accessKeyAad: secretAad, logger });
      // Assess
      expect(migrated).toBe(true);
      const after = await data.store.getBackingKey(victim!, victim!.backingKeyId);
      expect(Buffer.from(after!.wrappedMaterial)).toEqual(Buffer.from(damaged));
      expect(logger.lines).toContainEqual(expect.objectContaining({
        message: expect.stringContaining('opens under no key') as string,
        fields: expect.objectContaining({ keyId: victim!.keyId, backingKeyId: victim!.backingKeyId }) as object,
      }));
      expect(keysLabelled(material, 'kms-root')).toBe(0);
    } finally {
      await material.close();
    }
  }, 60_000);

  it('logs and returns, leaving the legacy key for the next start, when the table fails (the Lambda variant)', async () => {
    // Prepare
    const material = await Pkcs11KeyMaterial.open(config);
    const logger = silent();
    try {
      // Act
      await migrateLegacyRootKeyOrLog(material, { store: failingAfter(data.store, 0), accessKeyAad: secretAad, logger });
      // Assess
      expect(logger.lines.at(-1)).toEqual({ message: 'legacy root key migration did not complete; it runs again at the next start', fields: { error: 'Error' } });
      expect(JSON.stringify(logger.lines)).not.toContain(SECRET);
      expect(keysLabelled(material, 'kms-root')).toBe(1);
      await expectUsable(material, data);
    } finally {
      await material.close();
    }
  });
});
