/**
 * Local mode's key caches have no TTL: an entry stays until a write changes it. So every write
 * operation must leave the cache agreeing with the table at once. Each row performs one write on
 * a key whose state the cache already holds (the read before it costs no table read) and checks,
 * with the clock standing still, that the next read sees the write.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { assembleCore } from '../../src/composition/core-deps.js';
import { OPERATION_HANDLERS } from '../../src/core/kms/operations/registry.js';
import { TouchedResources, type CoreDeps } from '../../src/core/kms/service.js';
import { localKeyCache } from '../../src/local/local-service.js';
import type { OperationName } from '../../src/models/kms/generated/operations.js';
import { runOperation } from '../../src/pipeline/run-operation.js';
import { decodeInput } from '../../src/protocol/aws-json/decode-input.js';
import { LocalScheduler } from '../../src/adapters/scheduler/local-scheduler.js';
import { ManualTimers, makeContext } from '../support/core.js';
import { FakeAsymmetricMaterial } from '../support/fake-asymmetric-material.js';
import { FakeClock } from '../support/fake-clock.js';
import { FakeKeyMaterial } from '../support/fake-key-material.js';
import { FakeKeyImport } from '../support/fake-key-import.js';
import { wrapForImport } from '../support/wrap-for-import.js';
import { InMemoryStore } from '../support/in-memory-store.js';
import { SequentialIds } from '../support/sequential-ids.js';

type Output = Record<string, unknown>;

interface Harness {
  readonly store: InMemoryStore;
  call(operation: OperationName, input: Output): Promise<Output>;
  /** The error name the operation fails with, or 'ok'. */
  outcome(operation: OperationName, input: Output): Promise<string>;
}

function makeHarness(): Harness {
  const store = new InMemoryStore();
  const clock = new FakeClock();
  const lifecycle = { scheduler: new LocalScheduler({ clock, index: store, timers: new ManualTimers() }), removal: store };
  const material = new FakeKeyMaterial();
  const asymmetric = new FakeAsymmetricMaterial();
  const { core } = assembleCore({
    store, material, asymmetric, keyImport: new FakeKeyImport(material, asymmetric), clock, ids: new SequentialIds(),
    cacheTtlMs: 5_000, keyCache: localKeyCache(100), lifecycle,
  });
  const deps: CoreDeps = core;
  const call = async (operation: OperationName, input: Output): Promise<Output> => {
    const decoded = decodeInput(operation, new TextEncoder().encode(JSON.stringify(input)));
    return JSON.parse(await runOperation(deps, operation, decoded as never, makeContext(), new TouchedResources())) as Output;
  };
  const outcome = async (operation: OperationName, input: Output): Promise<string> => {
    try {
      await call(operation, input);
      return 'ok';
    } catch (error) {
      return error instanceof Error ? error.name : String(error);
    }
  };
  return { store, call, outcome };
}

const PLAINTEXT = Buffer.from('cached?').toString('base64');

/** A key policy that keeps the caller's access (the lockout check) and is recognisable by its Sid. */
const MARKED_POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Sid: 'cached', Effect: 'Allow', Principal: { AWS: '*' }, Action: 'kms:*', Resource: '*' }],
});

interface WriteRow {
  readonly operation: OperationName;
  /** Puts the key (and alias) in the state the write starts from. */
  readonly before?: (h: Harness, keyId: string, otherKeyId: string, externalKeyId: string) => Promise<void>;
  readonly input: (keyId: string, otherKeyId: string, externalKeyId: string) => Output;
  /** A read whose answer the write changes; called before (warming the cache) and after. */
  readonly observe: (h: Harness, keyId: string, otherKeyId: string, externalKeyId: string) => Promise<unknown>;
  readonly expectedBefore: (keyId: string, otherKeyId: string) => unknown;
  readonly expectedAfter: (keyId: string, otherKeyId: string) => unknown;
}

const describeAlias = async (h: Harness) => h.call('DescribeKey', { KeyId: 'alias/cached' })
  .then((out) => (out['KeyMetadata'] as Output)['KeyId'])
  .catch((error: Error) => error.name);

/** GetParametersForImport and 32 bytes of material wrapped for it: the members ImportKeyMaterial takes. */
async function importMembers(h: Harness, keyId: string): Promise<Output> {
  const parameters = await h.call('GetParametersForImport', { KeyId: keyId, WrappingAlgorithm: 'RSAES_OAEP_SHA_1', WrappingKeySpec: 'RSA_2048' });
  const encrypted = wrapForImport(Buffer.from(String(parameters['PublicKey']), 'base64'), 'RSAES_OAEP_SHA_1', new Uint8Array(32).fill(7));
  return { KeyId: keyId, ImportToken: parameters['ImportToken'], EncryptedKeyMaterial: Buffer.from(encrypted).toString('base64'), ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' };
}
const keyStateOf = async (h: Harness, keyId: string) => ((await h.call('DescribeKey', { KeyId: keyId }))['KeyMetadata'] as Output)['KeyState'];
let pendingImport: Output = {};

/** Every write operation the service has, with a read it changes. */
const WRITES: readonly WriteRow[] = [
  {
    operation: 'ImportKeyMaterial',
    before: async (h, _k, _o, external) => { pendingImport = await importMembers(h, external); },
    input: () => pendingImport,
    observe: (h, _k, _o, external) => keyStateOf(h, external),
    expectedBefore: () => 'PendingImport',
    expectedAfter: () => 'Enabled',
  },
  {
    operation: 'DeleteImportedKeyMaterial',
    before: async (h, _k, _o, external) => { await h.call('ImportKeyMaterial', await importMembers(h, external)); },
    input: (_k, _o, external) => ({ KeyId: external }),
    observe: (h, _k, _o, external) => keyStateOf(h, external),
    expectedBefore: () => 'Enabled',
    expectedAfter: () => 'PendingImport',
  },
  {
    operation: 'UpdateKeyDescription',
    input: (keyId) => ({ KeyId: keyId, Description: 'changed' }),
    observe: async (h, keyId) => ((await h.call('DescribeKey', { KeyId: keyId }))['KeyMetadata'] as Output)['Description'],
    expectedBefore: () => 'original',
    expectedAfter: () => 'changed',
  },
  {
    operation: 'DisableKey',
    input: (keyId) => ({ KeyId: keyId }),
    observe: (h, keyId) => h.outcome('Encrypt', { KeyId: keyId, Plaintext: PLAINTEXT }),
    expectedBefore: () => 'ok',
    expectedAfter: () => 'DisabledException',
  },
  {
    operation: 'EnableKey',
    before: async (h, keyId) => { await h.call('DisableKey', { KeyId: keyId }); },
    input: (keyId) => ({ KeyId: keyId }),
    observe: (h, keyId) => h.outcome('Encrypt', { KeyId: keyId, Plaintext: PLAINTEXT }),
    expectedBefore: () => 'DisabledException',
    expectedAfter: () => 'ok',
  },
  {
    operation: 'TagResource',
    input: (keyId) => ({ KeyId: keyId, Tags: [{ TagKey: 'team', TagValue: 'blue' }] }),
    observe: async (h, keyId) => (await h.call('ListResourceTags', { KeyId: keyId }))['Tags'],
    expectedBefore: () => [],
    expectedAfter: () => [{ TagKey: 'team', TagValue: 'blue' }],
  },
  {
    operation: 'UntagResource',
    before: async (h, keyId) => { await h.call('TagResource', { KeyId: keyId, Tags: [{ TagKey: 'team', TagValue: 'blue' }] }); },
    input: (keyId) => ({ KeyId: keyId, TagKeys: ['team'] }),
    observe: async (h, keyId) => (await h.call('ListResourceTags', { KeyId: keyId }))['Tags'],
    expectedBefore: () => [{ TagKey: 'team', TagValue: 'blue' }],
    expectedAfter: () => [],
  },
  {
    operation: 'CreateAlias',
    input: (keyId) => ({ AliasName: 'alias/cached', TargetKeyId: keyId }),
    observe: describeAlias,
    expectedBefore: () => 'NotFoundException',
    expectedAfter: (keyId) => keyId,
  },
  {
    operation: 'UpdateAlias',
    before: async (h, keyId) => { await h.call('CreateAlias', { AliasName: 'alias/cached', TargetKeyId: keyId }); },
    input: (_keyId, otherKeyId) => ({ AliasName: 'alias/cached', TargetKeyId: otherKeyId }),
    observe: describeAlias,
    expectedBefore: (keyId) => keyId,
    expectedAfter: (_keyId, otherKeyId) => otherKeyId,
  },
  {
    operation: 'DeleteAlias',
    before: async (h, keyId) => { await h.call('CreateAlias', { AliasName: 'alias/cached', TargetKeyId: keyId }); },
    input: () => ({ AliasName: 'alias/cached' }),
    observe: describeAlias,
    expectedBefore: (keyId) => keyId,
    expectedAfter: () => 'NotFoundException',
  },
  {
    operation: 'ScheduleKeyDeletion',
    input: (keyId) => ({ KeyId: keyId, PendingWindowInDays: 7 }),
    observe: (h, keyId) => h.outcome('Encrypt', { KeyId: keyId, Plaintext: PLAINTEXT }),
    expectedBefore: () => 'ok',
    expectedAfter: () => 'KMSInvalidStateException',
  },
  {
    operation: 'CancelKeyDeletion',
    before: async (h, keyId) => { await h.call('ScheduleKeyDeletion', { KeyId: keyId, PendingWindowInDays: 7 }); },
    input: (keyId) => ({ KeyId: keyId }),
    observe: async (h, keyId) => ((await h.call('DescribeKey', { KeyId: keyId }))['KeyMetadata'] as Output)['KeyState'],
    expectedBefore: () => 'PendingDeletion',
    expectedAfter: () => 'Disabled',
  },
  {
    operation: 'EnableKeyRotation',
    input: (keyId) => ({ KeyId: keyId }),
    observe: async (h, keyId) => (await h.call('GetKeyRotationStatus', { KeyId: keyId }))['KeyRotationEnabled'],
    expectedBefore: () => false,
    expectedAfter: () => true,
  },
  {
    operation: 'DisableKeyRotation',
    before: async (h, keyId) => { await h.call('EnableKeyRotation', { KeyId: keyId }); },
    input: (keyId) => ({ KeyId: keyId }),
    observe: async (h, keyId) => (await h.call('GetKeyRotationStatus', { KeyId: keyId }))['KeyRotationEnabled'],
    expectedBefore: () => true,
    expectedAfter: () => false,
  },
  {
    operation: 'RotateKeyOnDemand',
    input: (keyId) => ({ KeyId: keyId }),
    observe: async (h, keyId) => 'OnDemandRotationStartDate' in await h.call('GetKeyRotationStatus', { KeyId: keyId }),
    expectedBefore: () => false,
    expectedAfter: () => true,
  },
  {
    operation: 'PutKeyPolicy',
    input: (keyId) => ({ KeyId: keyId, PolicyName: 'default', Policy: MARKED_POLICY }),
    observe: async (h, keyId) => (JSON.parse(String((await h.call('GetKeyPolicy', { KeyId: keyId, PolicyName: 'default' }))['Policy'])) as { Statement: { Sid?: string }[] })
      .Statement.some((statement) => statement.Sid === 'cached'),
    expectedBefore: () => false,
    expectedAfter: () => true,
  },
];

/**
 * Operations that write nothing to the key or alias records (CreateKey has its own test below).
 * The grant operations write grants only, whose cache every grant write drops (CachingGrants).
 */
const READS: readonly OperationName[] = [
  'DescribeKey', 'ListKeys', 'Encrypt', 'Decrypt', 'ReEncrypt', 'GenerateDataKey', 'GenerateDataKeyWithoutPlaintext',
  'GenerateRandom', 'GenerateDataKeyPair', 'GenerateDataKeyPairWithoutPlaintext', 'Sign', 'Verify', 'GetPublicKey',
  'GenerateMac', 'VerifyMac', 'DeriveSharedSecret', 'ListAliases', 'ListResourceTags', 'GetKeyPolicy', 'ListKeyPolicies',
  'CreateGrant', 'ListGrants', 'ListRetirableGrants', 'RetireGrant', 'RevokeGrant', 'GetKeyRotationStatus', 'ListKeyRotations',
  'GetKeyLastUsage', 'GetParametersForImport',
];

describe('local mode caches: invalidation on every write operation', () => {
  let h: Harness;
  let keyId: string;
  let otherKeyId: string;
  let externalKeyId: string;

  beforeEach(async () => {
    h = makeHarness();
    keyId = String(((await h.call('CreateKey', { Description: 'original' }))['KeyMetadata'] as Output)['KeyId']);
    otherKeyId = String(((await h.call('CreateKey', {}))['KeyMetadata'] as Output)['KeyId']);
    externalKeyId = String(((await h.call('CreateKey', { Origin: 'EXTERNAL' }))['KeyMetadata'] as Output)['KeyId']);
  });

  it('every operation the service has is either a write with a row here or a read', () => {
    const classified = new Set<string>([...WRITES.map((row) => row.operation), ...READS, 'CreateKey']);
    const unclassified = Object.keys(OPERATION_HANDLERS).filter((operation) => !classified.has(operation));
    expect(unclassified, 'add a row to WRITES (or the name to READS) for').toEqual([]);
  });

  it.each(WRITES.map((row) => [row.operation, row] as const))('%s: the next read sees the write, with the clock standing still', async (_name, row) => {
    await row.before?.(h, keyId, otherKeyId, externalKeyId);
    expect(await row.observe(h, keyId, otherKeyId, externalKeyId)).toEqual(row.expectedBefore(keyId, otherKeyId));
    // The state is now cached: reading it again costs no table read.
    const getKey = vi.spyOn(h.store, 'getKey');
    expect(await row.observe(h, keyId, otherKeyId, externalKeyId)).toEqual(row.expectedBefore(keyId, otherKeyId));
    const cachedReads = getKey.mock.calls.length;
    await h.call(row.operation, row.input(keyId, otherKeyId, externalKeyId));
    expect(await row.observe(h, keyId, otherKeyId, externalKeyId)).toEqual(row.expectedAfter(keyId, otherKeyId));
    expect(cachedReads).toBe(0);
  });

  it('CreateKey leaves the new key and its backing key cached: its first uses read nothing from the table', async () => {
    const getKey = vi.spyOn(h.store, 'getKey');
    const getBackingKey = vi.spyOn(h.store, 'getBackingKey');
    const created = String(((await h.call('CreateKey', {}))['KeyMetadata'] as Output)['KeyId']);
    const encrypted = await h.call('Encrypt', { KeyId: created, Plaintext: PLAINTEXT });
    const decrypted = await h.call('Decrypt', { CiphertextBlob: encrypted['CiphertextBlob'] });
    expect(decrypted['Plaintext']).toBe(PLAINTEXT);
    expect(((await h.call('DescribeKey', { KeyId: created }))['KeyMetadata'] as Output)['KeyId']).toBe(created);
    expect(getKey).not.toHaveBeenCalled();
    expect(getBackingKey).not.toHaveBeenCalled();
  });

  it('keeps at most --cache-keys keys: the least recently used is read again', async () => {
    const small = makeHarness();
    const ids: string[] = [];
    for (let i = 0; i < 101; i++) ids.push(String(((await small.call('CreateKey', {}))['KeyMetadata'] as Output)['KeyId']));
    const getKey = vi.spyOn(small.store, 'getKey');
    await small.call('DescribeKey', { KeyId: ids[100] });
    expect(getKey).not.toHaveBeenCalled();
    await small.call('DescribeKey', { KeyId: ids[0] });
    expect(getKey).toHaveBeenCalledTimes(1);
  });
});
