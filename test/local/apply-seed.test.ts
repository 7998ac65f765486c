import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { applySeed, seedBackingKeyId, type SeedTarget } from '../../src/local/seed/apply-seed.js';
import { SeedFileError, parseSeed, type SeedPlan } from '../../src/local/seed/seed-file.js';
import { encryptUnderKey, decryptBlob } from '../../src/core/kms/crypto/symmetric.js';
import { TouchedResources, type OperationCall } from '../../src/core/kms/service.js';
import { makeContext, makeCore, makeKey, type CoreHarness } from '../support/core.js';
import { AES_KEYS, SEED_IDS, aesSeed, fullSeed, generateSeedKeys } from '../e2e/support/seed-fixtures.js';

const SCOPE = { accountId: '111122223333', region: 'us-east-1' };
const PATH = 'seed.yaml';

function targetOf(core: CoreHarness): SeedTarget {
  return { keys: core.store, aliases: core.store, material: core.deps.material, asymmetric: core.deps.asymmetric, clock: core.clock };
}

function callOf(core: CoreHarness): OperationCall<unknown> {
  return { deps: core.deps, ctx: makeContext(), input: {}, touched: new TouchedResources() };
}

describe('applySeed', () => {
  let full: string;
  beforeAll(() => {
    full = fullSeed(generateSeedKeys());
  });

  it('creates every key and alias of the file, enabled, with the seeded metadata', async () => {
    // Prepare
    const core = makeCore();
    const plan = await parseSeed(full, PATH);

    // Act
    const outcome = await applySeed(plan, SCOPE, targetOf(core));

    // Assess
    expect(outcome).toEqual({ keysCreated: 6, keysKept: 0, aliasesCreated: 2, aliasesKept: 0 });
    const aes = await core.store.getKey({ ...SCOPE, keyId: SEED_IDS.aes });
    expect(aes).toMatchObject({
      arn: `arn:aws:kms:us-east-1:111122223333:key/${SEED_IDS.aes}`, keyState: 'Enabled', origin: 'AWS_KMS',
      description: 'seeded AES key', tags: [{ tagKey: 'team', tagValue: 'payments' }],
    });
    expect(await core.store.getAlias(SCOPE.accountId, SCOPE.region, 'alias/signing')).toMatchObject({ targetKeyId: SEED_IDS.rsa });
  });

  it('derives each backing key version ID from the key ID and the material, the last backing key current', async () => {
    // Prepare
    const core = makeCore();
    const plan = await parseSeed(aesSeed(SEED_IDS.rotated, [AES_KEYS.old, AES_KEYS.current]), PATH);
    const expected = [AES_KEYS.old, AES_KEYS.current].map((hex) => createHash('sha256')
      .update('open-kms seed backing key v1').update('\0').update(SEED_IDS.rotated).update('\0').update(Buffer.from(hex, 'hex')).digest('hex'));

    // Act
    await applySeed(plan, SCOPE, targetOf(core));
    const key = await core.store.getKey({ ...SCOPE, keyId: SEED_IDS.rotated });
    const versions = await Promise.all(expected.map((id) => core.store.getBackingKey({ ...SCOPE, keyId: SEED_IDS.rotated }, id)));

    // Assess
    expect(key?.currentBackingKeyId).toBe(expected[1]);
    expect(versions.map((version) => version?.backingKeyId)).toEqual(expected);
    expect(seedBackingKeyId(SEED_IDS.rotated, Buffer.from(AES_KEYS.old, 'hex'))).toBe(expected[0]);
  });

  it('decrypts a ciphertext made under an older backing key after the key was seeded rotated', async () => {
    // Prepare
    const before = makeCore();
    await applySeed(await parseSeed(aesSeed(SEED_IDS.rotated, [AES_KEYS.old]), PATH), SCOPE, targetOf(before));
    const oldKey = await before.store.getKey({ ...SCOPE, keyId: SEED_IDS.rotated });
    const blob = await encryptUnderKey(callOf(before), oldKey ?? makeKey(), new TextEncoder().encode('made before'), { at: 'first' });
    const after = makeCore();

    // Act
    await applySeed(await parseSeed(aesSeed(SEED_IDS.rotated, [AES_KEYS.old, AES_KEYS.current]), PATH), SCOPE, targetOf(after));
    const { plaintext } = await decryptBlob(callOf(after), blob, { context: { at: 'first' }, algorithm: undefined, action: 'kms:Decrypt', operation: 'Decrypt' });

    // Assess
    expect(new TextDecoder().decode(plaintext)).toBe('made before');
  });

  it('creates nothing twice and leaves existing keys and aliases as they are when applied again', async () => {
    // Prepare
    const core = makeCore();
    await applySeed(await parseSeed(full, PATH), SCOPE, targetOf(core));
    const first = await core.store.getKey({ ...SCOPE, keyId: SEED_IDS.aes });
    core.clock.advance(60_000);

    // Act
    const outcome = await applySeed(await parseSeed(full, PATH), SCOPE, targetOf(core));

    // Assess
    expect(outcome).toEqual({ keysCreated: 0, keysKept: 6, aliasesCreated: 0, aliasesKept: 2 });
    expect(await core.store.getKey({ ...SCOPE, keyId: SEED_IDS.aes })).toEqual(first);
  });

  it('throws SeedFileError before writing anything when an alias points at a key that is neither seeded nor existing', async () => {
    // Prepare
    const core = makeCore();
    const missing = '11111111-2222-4333-8444-555555555555';
    const plan = await parseSeed(`${aesSeed(SEED_IDS.aes, [AES_KEYS.single])}Aliases:\n  - AliasName: alias/orphan\n    TargetKeyId: ${missing}\n`, PATH);

    // Act
    const result = applySeed(plan, SCOPE, targetOf(core));

    // Assess
    await expect(result).rejects.toThrow(new SeedFileError(`Seed file seed.yaml: Aliases[0] (alias/orphan): TargetKeyId ${missing} is neither a key of the seed file nor an existing key.`));
    expect(await core.store.getKey({ ...SCOPE, keyId: SEED_IDS.aes })).toBeUndefined();
  });

  it('creates an alias that points at a key which already exists outside the seed file', async () => {
    // Prepare
    const core = makeCore();
    const existing = makeKey({ keyId: '11111111-2222-4333-8444-555555555555' });
    core.store.putKey(existing);
    const plan: SeedPlan = await parseSeed(`Aliases:\n  - AliasName: alias/existing\n    TargetKeyId: ${existing.keyId}\n`, PATH);

    // Act
    const outcome = await applySeed(plan, SCOPE, targetOf(core));

    // Assess
    expect(outcome.aliasesCreated).toBe(1);
  });

  it('throws SeedFileError when an alias names its target by an ARN of another account or Region', async () => {
    // Prepare
    const core = makeCore();
    const plan = await parseSeed(`${aesSeed(SEED_IDS.aes, [AES_KEYS.single])}Aliases:\n  - AliasName: alias/x\n    TargetKeyId: arn:aws:kms:eu-west-2:111122223333:key/${SEED_IDS.aes}\n`, PATH);

    // Act
    const result = applySeed(plan, SCOPE, targetOf(core));

    // Assess
    await expect(result).rejects.toThrow(/is not in account 111122223333 and Region us-east-1, where the seed is created\./);
  });
});
