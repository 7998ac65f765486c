import { describe, expect, it } from 'vitest';
import {
  AlreadyExistsException, InvalidAliasNameException, InvalidMarkerException, KMSInvalidStateException, NotFoundException, ValidationException,
} from '../../../../src/models/kms/generated/errors.js';
import type { ListAliasesResponse } from '../../../../src/models/kms/generated/shapes.js';
import { createAlias, deleteAlias, listAliases, updateAlias } from '../../../../src/core/kms/operations/aliases.js';
import { encrypt } from '../../../../src/core/kms/operations/encrypt-decrypt.js';
import {
  ACCOUNT_ID, REGION, bytes, caught, makeAlias, makeCall, makeCore, makeKeyId, runHandler, seedKey, type CoreHarness,
} from '../../../support/core.js';

const PREFIX_MESSAGE = 'Alias must start with the prefix "alias/". Please see https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html';
const aliasArnOf = (name: string) => `arn:aws:kms:${REGION}:${ACCOUNT_ID}:${name}`;

async function listAll(core: CoreHarness, limit: number, keyId?: string): Promise<{ names: string[]; pages: ListAliasesResponse[] }> {
  const pages: ListAliasesResponse[] = [];
  let marker: string | undefined;
  do {
    const page = await runHandler(core, listAliases, { Limit: limit, Marker: marker, KeyId: keyId });
    pages.push(page);
    marker = page.NextMarker;
  } while (marker !== undefined);
  return { names: pages.flatMap((page) => (page.Aliases ?? []).map((alias) => alias.AliasName ?? '')), pages };
}

describe('createAlias', () => {
  it('returns nothing and makes an alias that Encrypt and ListAliases see', async () => {
    // Prepare
    const core = makeCore();
    const key = await seedKey(core);

    // Act
    const output = await runHandler(core, createAlias, { AliasName: 'alias/orders', TargetKeyId: key.keyId });

    // Assess
    expect(output).toEqual({});
    const encrypted = await runHandler(core, encrypt, { KeyId: 'alias/orders', Plaintext: bytes('x') });
    expect(encrypted.KeyId).toBe(key.arn);
    const listed = await runHandler(core, listAliases, {});
    expect(listed).toEqual({
      Aliases: [{
        AliasName: 'alias/orders', AliasArn: aliasArnOf('alias/orders'), TargetKeyId: key.keyId, CreationDate: core.clock.now(), LastUpdatedDate: core.clock.now(),
      }],
      Truncated: false,
    });
  });

  it('accepts the target named by its key ARN and records it among the touched resources', async () => {
    // Prepare
    const core = makeCore();
    const key = await seedKey(core);
    const call = makeCall(core, { AliasName: 'alias/orders', TargetKeyId: key.arn });

    // Act
    await createAlias(call);

    // Assess
    expect(call.touched.list()).toEqual([key.arn]);
  });

  it.each([
    ['has no alias/ prefix', 'orders'],
    ['is only the prefix', 'alias/'],
    ['has the prefix in another case', 'Alias/orders'],
  ])('throws ValidationException because alias names begin with alias/ (the name %s)', async (_, name) => {
    // Prepare
    const core = makeCore();
    const key = await seedKey(core);

    // Act
    const error = await caught(runHandler(core, createAlias, { AliasName: name, TargetKeyId: key.keyId }));

    // Assess
    expect(error).toBeInstanceOf(ValidationException);
    expect(error.message).toBe(PREFIX_MESSAGE);
  });

  it('throws InvalidAliasNameException because the alias/aws/ prefix is reserved for AWS managed keys', async () => {
    // Prepare
    const core = makeCore();
    const key = await seedKey(core);

    // Act
    const error = await caught(runHandler(core, createAlias, { AliasName: 'alias/aws/s3', TargetKeyId: key.keyId }));

    // Assess
    expect(error).toBeInstanceOf(InvalidAliasNameException);
    expect(error.message).toBe('Cannot create, update or delete alias alias/aws/s3: the alias/aws/ prefix is reserved for AWS managed keys.');
  });

  it('throws AlreadyExistsException when the name is taken', async () => {
    // Prepare
    const core = makeCore();
    const key = await seedKey(core);
    await runHandler(core, createAlias, { AliasName: 'alias/orders', TargetKeyId: key.keyId });

    // Act
    const error = await caught(runHandler(core, createAlias, { AliasName: 'alias/orders', TargetKeyId: key.keyId }));

    // Assess
    expect(error).toBeInstanceOf(AlreadyExistsException);
  });

  it('throws KMSInvalidStateException when the target key is pending deletion', async () => {
    // Prepare
    const core = makeCore();
    const key = await seedKey(core, { keyState: 'PendingDeletion', deletionDate: Date.parse('2024-06-01T00:00:00Z') });

    // Act
    const error = await caught(runHandler(core, createAlias, { AliasName: 'alias/orders', TargetKeyId: key.keyId }));

    // Assess
    expect(error).toBeInstanceOf(KMSInvalidStateException);
    expect(error.message).toBe(`${key.arn} is pending deletion.`);
    expect(await core.store.getAlias(ACCOUNT_ID, REGION, 'alias/orders')).toBeUndefined();
  });

  it.each([
    ['an alias', 'alias/other', "Invalid keyId 'alias/other'"],
    ['a key that does not exist', makeKeyId(9), `Key 'arn:aws:kms:${REGION}:${ACCOUNT_ID}:key/${makeKeyId(9)}' does not exist`],
  ])('throws NotFoundException when the target is %s', async (_, target, message) => {
    // Prepare
    const core = makeCore();
    const key = await seedKey(core);
    await core.store.createAlias(makeAlias({ aliasName: 'alias/other', targetKeyId: key.keyId }));

    // Act
    const error = await caught(runHandler(core, createAlias, { AliasName: 'alias/orders', TargetKeyId: target }));

    // Assess
    expect(error).toBeInstanceOf(NotFoundException);
    expect(error.message).toBe(message);
  });
});

describe('updateAlias', () => {
  it('returns nothing and points the alias at the new key, keeping its creation date', async () => {
    // Prepare
    const core = makeCore();
    const first = await seedKey(core, { keyId: makeKeyId(1) });
    const second = await seedKey(core, { keyId: makeKeyId(2) });
    await core.store.createAlias(makeAlias({ aliasName: 'alias/orders', targetKeyId: first.keyId }));
    core.clock.advance(60_000);
    const call = makeCall(core, { AliasName: 'alias/orders', TargetKeyId: second.keyId });

    // Act
    await updateAlias(call);

    // Assess
    expect(await core.store.getAlias(ACCOUNT_ID, REGION, 'alias/orders')).toEqual(makeAlias({
      aliasName: 'alias/orders', targetKeyId: second.keyId, lastUpdatedDate: core.clock.now().getTime(),
    }));
    expect([...call.touched.list()].sort()).toEqual([first.arn, second.arn].sort());
  });

  it('throws NotFoundException when the alias does not exist', async () => {
    // Prepare
    const core = makeCore();
    const key = await seedKey(core);

    // Act
    const error = await caught(runHandler(core, updateAlias, { AliasName: 'alias/missing', TargetKeyId: key.keyId }));

    // Assess
    expect(error).toBeInstanceOf(NotFoundException);
    expect(error.message).toBe(`Alias ${aliasArnOf('alias/missing')} is not found.`);
  });

  it('throws KMSInvalidStateException when the new target key is pending deletion', async () => {
    // Prepare
    const core = makeCore();
    const first = await seedKey(core, { keyId: makeKeyId(1) });
    const doomed = await seedKey(core, { keyId: makeKeyId(2), keyState: 'PendingDeletion' });
    await core.store.createAlias(makeAlias({ aliasName: 'alias/orders', targetKeyId: first.keyId }));

    // Act
    const error = await caught(runHandler(core, updateAlias, { AliasName: 'alias/orders', TargetKeyId: doomed.keyId }));

    // Assess
    expect(error).toBeInstanceOf(KMSInvalidStateException);
    expect((await core.store.getAlias(ACCOUNT_ID, REGION, 'alias/orders'))?.targetKeyId).toBe(first.keyId);
  });

  it('throws ValidationException because an alias moves only between keys of the same type and key usage', async () => {
    // Prepare
    const core = makeCore();
    const symmetric = await seedKey(core, { keyId: makeKeyId(1) });
    const hmac = await seedKey(core, { keyId: makeKeyId(2), keySpec: 'HMAC_256', keyUsage: 'GENERATE_VERIFY_MAC' });
    await core.store.createAlias(makeAlias({ aliasName: 'alias/orders', targetKeyId: symmetric.keyId }));

    // Act
    const error = await caught(runHandler(core, updateAlias, { AliasName: 'alias/orders', TargetKeyId: hmac.keyId }));

    // Assess
    expect(error).toBeInstanceOf(ValidationException);
    expect(error.message).toBe(`${hmac.arn} is not the same type of key, or does not have the same key usage, as the key the alias currently points to.`);
  });

  it('throws InvalidAliasNameException when the alias name is reserved', async () => {
    // Prepare
    const core = makeCore();
    const key = await seedKey(core);

    // Act
    const error = await caught(runHandler(core, updateAlias, { AliasName: 'alias/aws/ebs', TargetKeyId: key.keyId }));

    // Assess
    expect(error).toBeInstanceOf(InvalidAliasNameException);
  });
});

describe('deleteAlias', () => {
  it('returns nothing and removes the alias, recording its key among the touched resources', async () => {
    // Prepare
    const core = makeCore();
    const key = await seedKey(core);
    await core.store.createAlias(makeAlias({ aliasName: 'alias/orders', targetKeyId: key.keyId }));
    const call = makeCall(core, { AliasName: 'alias/orders' });

    // Act
    await deleteAlias(call);

    // Assess
    expect(await core.store.getAlias(ACCOUNT_ID, REGION, 'alias/orders')).toBeUndefined();
    expect(call.touched.list()).toEqual([key.arn]);
  });

  it('returns nothing when the alias points at a key pending deletion', async () => {
    // Prepare
    const core = makeCore();
    const key = await seedKey(core);
    await core.store.createAlias(makeAlias({ aliasName: 'alias/orders', targetKeyId: key.keyId }));
    await core.store.updateKey({ ...key, keyState: 'PendingDeletion', revision: 2 }, 1);

    // Act
    await runHandler(core, deleteAlias, { AliasName: 'alias/orders' });

    // Assess
    expect(await core.store.getAlias(ACCOUNT_ID, REGION, 'alias/orders')).toBeUndefined();
  });

  it.each([
    ['does not exist', 'alias/missing', NotFoundException, `Alias ${aliasArnOf('alias/missing')} is not found.`],
    ['is reserved', 'alias/aws/s3', InvalidAliasNameException, 'Cannot create, update or delete alias alias/aws/s3: the alias/aws/ prefix is reserved for AWS managed keys.'],
    ['has no prefix', 'orders', ValidationException, PREFIX_MESSAGE],
  ])('throws when the alias %s', async (_, name, ErrorClass, message) => {
    // Prepare
    const core = makeCore();

    // Act
    const error = await caught(runHandler(core, deleteAlias, { AliasName: name }));

    // Assess
    expect(error).toBeInstanceOf(ErrorClass);
    expect(error.message).toBe(message);
  });
});

describe('listAliases', () => {
  async function prepareAliases(count: number) {
    const core = makeCore();
    const first = await seedKey(core, { keyId: makeKeyId(1) });
    const second = await seedKey(core, { keyId: makeKeyId(2) });
    for (let i = 0; i < count; i++) {
      const target = i % 3 === 0 ? second : first;
      await core.store.createAlias(makeAlias({ aliasName: `alias/a${String(i).padStart(3, '0')}`, targetKeyId: target.keyId }));
    }
    return { core, first, second };
  }

  it('returns every alias once, in name order, across pages of the asked size', async () => {
    // Prepare
    const { core } = await prepareAliases(23);

    // Act
    const { names, pages } = await listAll(core, 5);

    // Assess
    expect(names).toEqual(Array.from({ length: 23 }, (_, i) => `alias/a${String(i).padStart(3, '0')}`));
    expect(pages.map((page) => page.Aliases?.length)).toEqual([5, 5, 5, 5, 3]);
    expect(pages.map((page) => page.Truncated)).toEqual([true, true, true, true, false]);
  });

  it('returns 50 aliases a page when no limit is given', async () => {
    // Prepare
    const { core } = await prepareAliases(60);

    // Act
    const page = await runHandler(core, listAliases, {});

    // Assess
    expect(page.Aliases).toHaveLength(50);
    expect(page.Truncated).toBe(true);
  });

  it('returns only the aliases of the key when KeyId is given', async () => {
    // Prepare
    const { core, second } = await prepareAliases(10);

    // Act
    const { names } = await listAll(core, 2, second.arn);

    // Assess
    expect(names).toEqual(['alias/a000', 'alias/a003', 'alias/a006', 'alias/a009']);
  });

  it('throws NotFoundException when KeyId is an alias', async () => {
    // Prepare
    const { core } = await prepareAliases(1);

    // Act
    const error = await caught(runHandler(core, listAliases, { KeyId: 'alias/a000' }));

    // Assess
    expect(error).toBeInstanceOf(NotFoundException);
    expect(error.message).toBe("Invalid keyId 'alias/a000'");
  });

  it('throws InvalidMarkerException when the marker is not one the store made', async () => {
    // Prepare
    const { core } = await prepareAliases(3);

    // Act
    const error = await caught(runHandler(core, listAliases, { Marker: 'bogus' }));

    // Assess
    expect(error).toBeInstanceOf(InvalidMarkerException);
  });
});
