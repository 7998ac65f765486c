import { describe, expect, it, vi } from 'vitest';
import {
  ConflictException, DisabledException, KMSInvalidStateException, NotFoundException,
} from '../../../../src/models/kms/generated/errors.js';
import { encrypt } from '../../../../src/core/kms/operations/encrypt-decrypt.js';
import {
  describeKey, disableKey, enableKey, listKeys, updateKeyDescription,
} from '../../../../src/core/kms/operations/key-management.js';
import {
  ACCOUNT_ID, OTHER_ACCOUNT_ID, REGION, bytes, caught, makeAlias, makeCall, makeCore, makeKeyId, runHandler, seedKey,
} from '../../../support/core.js';

describe('describeKey', () => {
  it.each([
    ['key ID', (arn: string) => arn.split('/')[1] ?? ''],
    ['alias name', () => 'alias/test'],
  ])('returns the key metadata when the key is named by its %s', async (_, name) => {
    // Prepare
    const core = makeCore();
    const key = await seedKey(core, { description: 'orders' });
    await core.store.createAlias(makeAlias({ targetKeyId: key.keyId }));

    // Act
    const { KeyMetadata } = await runHandler(core, describeKey, { KeyId: name(key.arn) });

    // Assess
    expect(KeyMetadata).toMatchObject({ KeyId: key.keyId, Arn: key.arn, Description: 'orders', Enabled: true, KeyState: 'Enabled' });
  });

  it('returns the deletion date and Enabled false when the key is pending deletion', async () => {
    // Prepare
    const core = makeCore();
    const deletionDate = Date.parse('2024-06-01T00:00:00Z');
    const key = await seedKey(core, { keyState: 'PendingDeletion', deletionDate });

    // Act
    const { KeyMetadata } = await runHandler(core, describeKey, { KeyId: key.keyId });

    // Assess
    expect(KeyMetadata).toMatchObject({ Enabled: false, KeyState: 'PendingDeletion', DeletionDate: new Date(deletionDate) });
  });
});

describe('listKeys', () => {
  it('returns the keys of the caller account and Region only, page by page', async () => {
    // Prepare
    const core = makeCore();
    for (let i = 1; i <= 5; i++) await seedKey(core, { keyId: makeKeyId(i) });
    await seedKey(core, { keyId: makeKeyId(6), accountId: OTHER_ACCOUNT_ID });
    await seedKey(core, { keyId: makeKeyId(7), region: 'eu-west-1' });

    // Act
    const first = await runHandler(core, listKeys, { Limit: 3 });
    const second = await runHandler(core, listKeys, { Limit: 3, Marker: first.NextMarker });

    // Assess
    expect(first.Truncated).toBe(true);
    expect(second.Truncated).toBe(false);
    expect([...(first.Keys ?? []), ...(second.Keys ?? [])]).toEqual(
      [1, 2, 3, 4, 5].map((i) => ({ KeyId: makeKeyId(i), KeyArn: `arn:aws:kms:${REGION}:${ACCOUNT_ID}:key/${makeKeyId(i)}` })),
    );
  });
});

describe('updateKeyDescription', () => {
  it('returns nothing and stores the new description at the next revision', async () => {
    // Prepare
    const core = makeCore();
    const key = await seedKey(core);

    // Act
    await runHandler(core, updateKeyDescription, { KeyId: key.arn, Description: 'new' });

    // Assess
    expect(await core.store.getKey(key)).toMatchObject({ description: 'new', revision: 2 });
  });

  it('throws ConflictException when another writer changed the key since it was read', async () => {
    // Prepare
    const core = makeCore();
    const key = await seedKey(core);
    const stale = { ...key };
    await core.store.updateKey({ ...key, description: 'other writer', revision: 2 }, 1);
    vi.spyOn(core.store, 'getKey').mockResolvedValueOnce(stale);

    // Act
    const error = await caught(runHandler(core, updateKeyDescription, { KeyId: key.keyId, Description: 'mine' }));

    // Assess
    expect(error).toBeInstanceOf(ConflictException);
    expect((await core.store.getKey(key))?.description).toBe('other writer');
  });

  it('throws NotFoundException when the key is named by an alias', async () => {
    // Prepare
    const core = makeCore();
    await seedKey(core);

    // Act
    const error = await caught(runHandler(core, updateKeyDescription, { KeyId: 'alias/test', Description: 'x' }));

    // Assess
    expect(error).toBeInstanceOf(NotFoundException);
  });
});

describe('disableKey and enableKey', () => {
  it('returns nothing, and the disabled key refuses Encrypt until it is enabled again', async () => {
    // Prepare
    const core = makeCore();
    const key = await seedKey(core);

    // Act
    await runHandler(core, disableKey, { KeyId: key.keyId });
    const whileDisabled = await caught(runHandler(core, encrypt, { KeyId: key.keyId, Plaintext: bytes('x') }));
    await runHandler(core, enableKey, { KeyId: key.keyId });
    const afterEnable = await runHandler(core, encrypt, { KeyId: key.keyId, Plaintext: bytes('x') });

    // Assess
    expect(whileDisabled).toBeInstanceOf(DisabledException);
    expect(afterEnable.KeyId).toBe(key.arn);
    expect((await core.store.getKey(key))?.revision).toBe(3);
  });

  it('writes nothing when the key is already in the asked state', async () => {
    // Prepare
    const core = makeCore();
    const key = await seedKey(core);
    const update = vi.spyOn(core.store, 'updateKey');

    // Act
    await runHandler(core, enableKey, { KeyId: key.keyId });

    // Assess
    expect(update).not.toHaveBeenCalled();
  });

  it.each([
    ['enableKey', enableKey],
    ['disableKey', disableKey],
  ] as const)('%s throws KMSInvalidStateException when the key is pending deletion', async (_, handler) => {
    // Prepare
    const core = makeCore();
    const key = await seedKey(core, { keyState: 'PendingDeletion' });

    // Act
    const error = await caught(handler(makeCall(core, { KeyId: key.keyId })));

    // Assess
    expect(error).toBeInstanceOf(KMSInvalidStateException);
    expect(error.message).toBe(`${key.arn} is pending deletion.`);
  });
});
