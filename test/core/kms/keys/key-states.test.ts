/**
 * Every cell of the key state table, checked through the real operation handlers: for each
 * operation that is built, each key state and each origin, the handler answers what the table
 * (the same data the core reads) says.
 */
import { describe, expect, it } from 'vitest';
import {
  DisabledException, KMSInvalidStateException, UnsupportedOperationException,
} from '../../../../src/models/kms/generated/errors.js';
import type { ServiceErrorClass } from '../../../../src/core/errors/service-error.js';
import { KeyStateValues, type KeyState, type OriginType } from '../../../../src/models/kms/generated/shapes.js';
import type { OperationName } from '../../../../src/models/kms/generated/operations.js';
import { KEY_STATE_TABLE, type FailureNote, type KeyStateOperation } from '../../../../src/core/kms/keys/key-state-table.js';
import { assertKeyStateAllows, outcomeOf } from '../../../../src/core/kms/keys/key-states.js';
import { OPERATION_HANDLERS } from '../../../../src/core/kms/operations/registry.js';
import type { KeyRecord } from '../../../../src/core/kms/records.js';
import type { OperationHandler } from '../../../../src/core/kms/service.js';
import { encrypt } from '../../../../src/core/kms/operations/encrypt-decrypt.js';
import { sign } from '../../../../src/core/kms/operations/sign-verify.js';
import { generateMac } from '../../../../src/core/kms/operations/mac.js';
import { createGrant } from '../../../../src/core/kms/operations/grants.js';
import {
  bytes, caughtSync, importParametersFor, makeAlias, makeCall, makeCore, makeKey, makeKeyId, seedAsymmetricKey, seedKey, type CoreHarness,
} from '../../../support/core.js';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { wrapForImport } from '../../../support/wrap-for-import.js';
import { defaultKeyPolicy } from '../../../../src/core/kms/keys/default-key-policy.js';

/** What each footnote of the guide says the operation answers, for a key `arn` in `state`. */
const FOOTNOTES: Record<FailureNote, (arn: string, state: KeyState, origin: OriginType) => [ServiceErrorClass, string]> = {
  1: (arn) => [DisabledException, `${arn} is disabled.`],
  3: (arn, state) => [KMSInvalidStateException, `${arn} is ${state === 'PendingReplicaDeletion' ? 'pending replica deletion' : 'pending deletion'}.`],
  4: (arn) => [KMSInvalidStateException, `${arn} is not pending deletion.`],
  5: (arn) => [KMSInvalidStateException, `${arn} is pending import.`],
  6: (arn, _, origin) => [UnsupportedOperationException, `${arn} origin is ${origin} which is not valid for this operation.`],
  7: (arn, _, origin) => [UnsupportedOperationException, `${arn} origin is ${origin} which is not valid for this operation.`],
  9: (arn, _, origin) => [UnsupportedOperationException, `${arn} origin is ${origin} which is not valid for this operation.`],
  11: (arn) => [KMSInvalidStateException, `${arn} is unavailable. You cannot perform this operation on an unavailable KMS key.`],
  14: (arn) => [KMSInvalidStateException, `${arn} is creating.`],
  15: (arn) => [KMSInvalidStateException, `${arn} is updating.`],
};

const OTHER_KEY_ID = makeKeyId(99);
const peerPublicKey = new Uint8Array(generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).publicKey.export({ type: 'spki', format: 'der' }));

/** How to call one operation on a key: the kind of key it needs and a valid input naming it. */
interface OperationCase {
  readonly seed: (core: CoreHarness, overrides: Partial<KeyRecord>) => Promise<KeyRecord>;
  readonly input: (core: CoreHarness, key: KeyRecord) => unknown;
}

const symmetric = (core: CoreHarness, overrides: Partial<KeyRecord>) => seedKey(core, overrides);
const signing = (core: CoreHarness, overrides: Partial<KeyRecord>) =>
  seedAsymmetricKey(core, { keySpec: 'ECC_NIST_P256', keyUsage: 'SIGN_VERIFY', ...overrides });
const mac = (core: CoreHarness, overrides: Partial<KeyRecord>) =>
  seedAsymmetricKey(core, { keySpec: 'HMAC_256', keyUsage: 'GENERATE_VERIFY_MAC', ...overrides });
const agreement = (core: CoreHarness, overrides: Partial<KeyRecord>) =>
  seedAsymmetricKey(core, { keySpec: 'ECC_NIST_P256', keyUsage: 'KEY_AGREEMENT', ...overrides });

/** Runs `act` while `key` is Enabled, then puts the key back as it was seeded. */
async function whileEnabled<T>(core: CoreHarness, key: KeyRecord, act: () => Promise<T>): Promise<T> {
  const stored = await core.store.getKey(key);
  if (stored === undefined) throw new Error('key not seeded');
  core.store.putKey({ ...stored, keyState: 'Enabled' });
  try {
    return await act();
  } finally {
    core.store.putKey(stored);
  }
}

async function ciphertextOf(core: CoreHarness, key: KeyRecord): Promise<Uint8Array> {
  const { CiphertextBlob } = await whileEnabled(core, key, () => encrypt(makeCall(core, { KeyId: key.keyId, Plaintext: bytes('secret') })));
  if (CiphertextBlob === undefined) throw new Error('no ciphertext');
  return CiphertextBlob;
}

async function signatureOf(core: CoreHarness, key: KeyRecord): Promise<Uint8Array> {
  const { Signature } = await whileEnabled(core, key, () =>
    sign(makeCall(core, { KeyId: key.keyId, Message: bytes('m'), SigningAlgorithm: 'ECDSA_SHA_256' })));
  if (Signature === undefined) throw new Error('no signature');
  return Signature;
}

async function macOf(core: CoreHarness, key: KeyRecord): Promise<Uint8Array> {
  const { Mac } = await whileEnabled(core, key, () =>
    generateMac(makeCall(core, { KeyId: key.keyId, Message: bytes('m'), MacAlgorithm: 'HMAC_SHA_256' })));
  if (Mac === undefined) throw new Error('no MAC');
  return Mac;
}

async function grantOf(core: CoreHarness, key: KeyRecord): Promise<string> {
  const { GrantId } = await whileEnabled(core, key, () => createGrant(makeCall(core, {
    KeyId: key.keyId, GranteePrincipal: `arn:aws:iam::${key.accountId}:root`, RetiringPrincipal: `arn:aws:iam::${key.accountId}:root`, Operations: ['Decrypt'],
  })));
  if (GrantId === undefined) throw new Error('no grant');
  return GrantId;
}

const CASES: { readonly [Op in KeyStateOperation]?: OperationCase } = {
  DescribeKey: { seed: symmetric, input: (_, key) => ({ KeyId: key.keyId }) },
  UpdateKeyDescription: { seed: symmetric, input: (_, key) => ({ KeyId: key.keyId, Description: 'new' }) },
  EnableKey: { seed: symmetric, input: (_, key) => ({ KeyId: key.keyId }) },
  DisableKey: { seed: symmetric, input: (_, key) => ({ KeyId: key.keyId }) },
  Encrypt: { seed: symmetric, input: (_, key) => ({ KeyId: key.keyId, Plaintext: bytes('secret') }) },
  Decrypt: { seed: symmetric, input: async (core, key) => ({ CiphertextBlob: await ciphertextOf(core, key) }) },
  ReEncrypt: {
    seed: symmetric,
    input: async (core, key) => {
      await seedKey(core, { keyId: OTHER_KEY_ID });
      return { CiphertextBlob: await ciphertextOf(core, key), DestinationKeyId: OTHER_KEY_ID };
    },
  },
  GenerateDataKey: { seed: symmetric, input: (_, key) => ({ KeyId: key.keyId, KeySpec: 'AES_256' }) },
  GenerateDataKeyWithoutPlaintext: { seed: symmetric, input: (_, key) => ({ KeyId: key.keyId, KeySpec: 'AES_256' }) },
  GenerateDataKeyPair: { seed: symmetric, input: (_, key) => ({ KeyId: key.keyId, KeyPairSpec: 'ECC_NIST_P256' }) },
  GenerateDataKeyPairWithoutPlaintext: { seed: symmetric, input: (_, key) => ({ KeyId: key.keyId, KeyPairSpec: 'ECC_NIST_P256' }) },
  Sign: { seed: signing, input: (_, key) => ({ KeyId: key.keyId, Message: bytes('m'), SigningAlgorithm: 'ECDSA_SHA_256' }) },
  Verify: {
    seed: signing,
    input: async (core, key) => ({ KeyId: key.keyId, Message: bytes('m'), SigningAlgorithm: 'ECDSA_SHA_256', Signature: await signatureOf(core, key) }),
  },
  GetPublicKey: { seed: signing, input: (_, key) => ({ KeyId: key.keyId }) },
  GenerateMac: { seed: mac, input: (_, key) => ({ KeyId: key.keyId, Message: bytes('m'), MacAlgorithm: 'HMAC_SHA_256' }) },
  VerifyMac: { seed: mac, input: async (core, key) => ({ KeyId: key.keyId, Message: bytes('m'), MacAlgorithm: 'HMAC_SHA_256', Mac: await macOf(core, key) }) },
  DeriveSharedSecret: { seed: agreement, input: (_, key) => ({ KeyId: key.keyId, KeyAgreementAlgorithm: 'ECDH', PublicKey: peerPublicKey }) },
  CreateAlias: { seed: symmetric, input: (_, key) => ({ AliasName: 'alias/new', TargetKeyId: key.keyId }) },
  UpdateAlias: {
    seed: symmetric,
    input: async (core, key) => {
      await seedKey(core, { keyId: OTHER_KEY_ID });
      await core.store.createAlias(makeAlias({ aliasName: 'alias/moving', targetKeyId: OTHER_KEY_ID }));
      return { AliasName: 'alias/moving', TargetKeyId: key.keyId };
    },
  },
  DeleteAlias: {
    seed: symmetric,
    input: async (core, key) => {
      await whileEnabled(core, key, () => core.store.createAlias(makeAlias({ aliasName: 'alias/leaving', targetKeyId: key.keyId })));
      return { AliasName: 'alias/leaving' };
    },
  },
  ListAliases: { seed: symmetric, input: (_, key) => ({ KeyId: key.keyId }) },
  TagResource: { seed: symmetric, input: (_, key) => ({ KeyId: key.keyId, Tags: [{ TagKey: 'k', TagValue: 'v' }] }) },
  UntagResource: { seed: symmetric, input: (_, key) => ({ KeyId: key.keyId, TagKeys: ['k'] }) },
  ListResourceTags: { seed: symmetric, input: (_, key) => ({ KeyId: key.keyId }) },
  ScheduleKeyDeletion: { seed: symmetric, input: (_, key) => ({ KeyId: key.keyId, PendingWindowInDays: 7 }) },
  CancelKeyDeletion: { seed: symmetric, input: (_, key) => ({ KeyId: key.keyId }) },
  GetKeyPolicy: { seed: symmetric, input: (_, key) => ({ KeyId: key.keyId, PolicyName: 'default' }) },
  ListKeyPolicies: { seed: symmetric, input: (_, key) => ({ KeyId: key.keyId }) },
  CreateGrant: { seed: symmetric, input: (_, key) => ({ KeyId: key.keyId, GranteePrincipal: `arn:aws:iam::${key.accountId}:root`, Operations: ['Decrypt'] }) },
  ListGrants: { seed: symmetric, input: (_, key) => ({ KeyId: key.keyId }) },
  RevokeGrant: { seed: symmetric, input: async (core, key) => ({ KeyId: key.keyId, GrantId: await grantOf(core, key) }) },
  RetireGrant: { seed: symmetric, input: async (core, key) => ({ KeyId: key.arn, GrantId: await grantOf(core, key) }) },
  PutKeyPolicy: { seed: symmetric, input: (_, key) => ({ KeyId: key.keyId, PolicyName: 'default', Policy: defaultKeyPolicy(key.accountId) }) },
  EnableKeyRotation: { seed: symmetric, input: (_, key) => ({ KeyId: key.keyId, RotationPeriodInDays: 90 }) },
  DisableKeyRotation: { seed: symmetric, input: (_, key) => ({ KeyId: key.keyId }) },
  GetKeyRotationStatus: { seed: symmetric, input: (_, key) => ({ KeyId: key.keyId }) },
  RotateKeyOnDemand: {
    // A key with imported material rotates to new material imported for it.
    seed: (core, overrides) => seedKey(core, { ...overrides, pendingImportedMaterial: { keyMaterialId: 'cd'.repeat(32), terms: { expirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' } } }),
    input: (_, key) => ({ KeyId: key.keyId }),
  },
  ListKeyRotations: { seed: symmetric, input: (_, key) => ({ KeyId: key.keyId }) },
  GetKeyLastUsage: { seed: symmetric, input: (_, key) => ({ KeyId: key.keyId }) },
  GetParametersForImport: { seed: symmetric, input: (_, key) => ({ KeyId: key.keyId, WrappingAlgorithm: 'RSAES_OAEP_SHA_256', WrappingKeySpec: 'RSA_2048' }) },
  ImportKeyMaterial: {
    // A key that never had material, so any material is its first.
    seed: (core, overrides) => seedKey(core, { ...overrides, currentBackingKeyId: '' }),
    input: async (core, key) => {
      const { ImportToken, PublicKey } = await importParametersFor(core, key);
      const EncryptedKeyMaterial = wrapForImport(PublicKey, 'RSAES_OAEP_SHA_256', new Uint8Array(randomBytes(32)));
      return { KeyId: key.keyId, ImportToken, EncryptedKeyMaterial, ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' };
    },
  },
  DeleteImportedKeyMaterial: {
    seed: (core, overrides) => seedKey(core, { ...overrides, importedMaterial: { expirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' } }),
    input: (_, key) => ({ KeyId: key.keyId }),
  },
};

const ORIGINS: readonly OriginType[] = ['AWS_KMS', 'EXTERNAL'];
const OPERATIONS = (Object.keys(KEY_STATE_TABLE) as KeyStateOperation[]).filter((op) => op in OPERATION_HANDLERS);
const CELLS = OPERATIONS.flatMap((operation) => KeyStateValues.flatMap((state) => ORIGINS.map((origin) => {
  const outcome = outcomeOf(KEY_STATE_TABLE[operation][state], makeKey({ origin }));
  return [operation, state, origin, outcome] as const;
})));

async function run(operation: KeyStateOperation, state: KeyState, origin: OriginType): Promise<{ key: KeyRecord; result: Promise<unknown> }> {
  const core = makeCore();
  const testCase = CASES[operation];
  if (testCase === undefined) throw new Error(`no case for ${operation}`);
  const key = await testCase.seed(core, { keyState: state, origin, ...(state === 'PendingDeletion' ? { deletionDate: Date.parse('2024-06-01T00:00:00Z') } : {}) });
  const input = await testCase.input(core, key);
  const handler = OPERATION_HANDLERS[operation as OperationName] as OperationHandler<OperationName> | undefined;
  if (handler === undefined) throw new Error(`no handler for ${operation}`);
  return { key, result: handler(makeCall(core, input as never)) };
}

describe('the key state table', () => {
  it('has a row for every state of the model in every operation', () => {
    // Prepare / Act
    const columns = Object.values(KEY_STATE_TABLE).map((row) => Object.keys(row).sort());

    // Assess
    for (const column of columns) expect(column).toEqual([...KeyStateValues].sort());
  });

  it('has a test case for every operation of the table that is built', () => {
    // Prepare / Act
    const missing = OPERATIONS.filter((operation) => CASES[operation] === undefined);

    // Assess
    expect(missing).toEqual([]);
  });

  it.each(CELLS.filter(([, , , outcome]) => outcome === 'ok'))('lets %s use a %s key of origin %s', async (operation, state, origin) => {
    // Prepare
    const { result } = await run(operation, state, origin);

    // Act / Assess
    await expect(result).resolves.toBeDefined();
  });

  it.each(CELLS.filter(([, , , outcome]) => outcome !== 'ok'))('refuses %s on a %s key of origin %s (footnote [%s])', async (operation, state, origin, outcome) => {
    // Prepare
    const { key, result } = await run(operation, state, origin);
    const [ErrorClass, message] = FOOTNOTES[outcome as FailureNote](key.arn, state, origin);

    // Act
    const error = await result.then(() => undefined, (e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(ErrorClass);
    expect((error as Error).message).toBe(message);
  });

  it('throws DisabledException because the key state table allows the operation in the key\'s state only', () => {
    // Prepare
    const key = makeKey({ keyState: 'Disabled' });

    // Act
    const error = caughtSync(() => assertKeyStateAllows(key, 'Encrypt'));

    // Assess
    expect(error).toBeInstanceOf(DisabledException);
    expect(error.message).toBe(`${key.arn} is disabled.`);
  });
});

/** Cells whose answer AWS KMS has been recorded giving (LocalStack's snapshots of real AWS). */
describe('the key state table against recorded AWS answers', () => {
  it.each([
    ['Encrypt', 'PendingImport', 'EXTERNAL', KMSInvalidStateException, 'is pending import.'],
    ['RotateKeyOnDemand', 'Disabled', 'AWS_KMS', DisabledException, 'is disabled.'],
    ['RotateKeyOnDemand', 'PendingImport', 'EXTERNAL', KMSInvalidStateException, 'is pending import.'],
    ['GetParametersForImport', 'Enabled', 'AWS_KMS', UnsupportedOperationException, 'origin is AWS_KMS which is not valid for this operation.'],
    ['GetParametersForImport', 'Enabled', 'AWS_KMS', UnsupportedOperationException, 'origin is AWS_KMS which is not valid for this operation.'],
    ['Encrypt', 'PendingDeletion', 'AWS_KMS', KMSInvalidStateException, 'is pending deletion.'],
  ] as const)('answers %s on a %s key of origin %s as AWS does', (operation, state, origin, ErrorClass, words) => {
    // Prepare
    const key = makeKey({ keyState: state, origin });

    // Act
    const error = caughtSync(() => assertKeyStateAllows(key, operation));

    // Assess
    expect(error).toBeInstanceOf(ErrorClass);
    expect(error.message).toBe(`${key.arn} ${words}`);
  });
});
