import {
  CreateAliasCommand, CreateKeyCommand, DeleteAliasCommand, DescribeKeyCommand, ListAliasesCommand,
  ListResourceTagsCommand, TagResourceCommand, UntagResourceCommand, UpdateAliasCommand,
  type AliasListEntry, type KeyMetadata, type Tag,
} from '@aws-sdk/client-kms';
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { collectPages, expectKmsError } from './support/assertions.js';
import { ACCOUNT_ID, OTHER_REGION, REGION, useLocalService } from './support/local-service.js';

const e2e = useLocalService();

async function createKey(tags?: Tag[]): Promise<KeyMetadata> {
  const { KeyMetadata: metadata } = await e2e.kms.send(new CreateKeyCommand({ Tags: tags }));
  if (metadata?.KeyId === undefined) throw new Error('CreateKey returned no KeyMetadata');
  return metadata;
}

function uniqueAlias(prefix = 'test'): string {
  return `alias/${prefix}-${randomUUID()}`;
}

function aliasArnOf(aliasName: string, region = REGION): string {
  return `arn:aws:kms:${region}:${ACCOUNT_ID}:${aliasName}`;
}

async function allAliases(keyId?: string): Promise<AliasListEntry[]> {
  const { items } = await collectPages(100, async (marker) => {
    const page = await e2e.kms.send(new ListAliasesCommand({ KeyId: keyId, Marker: marker, Limit: 100 }));
    return { items: page.Aliases ?? [], NextMarker: page.NextMarker, Truncated: page.Truncated };
  });
  return items;
}

async function targetOf(aliasName: string): Promise<string | undefined> {
  const { KeyMetadata: metadata } = await e2e.kms.send(new DescribeKeyCommand({ KeyId: aliasName }));
  return metadata?.KeyId;
}

describe('CreateAlias, UpdateAlias and DeleteAlias', () => {
  let key: KeyMetadata;
  let otherKey: KeyMetadata;

  beforeAll(async () => {
    key = await createKey();
    otherKey = await createKey();
  });

  it.each([
    ['key ID', () => key.KeyId ?? ''],
    ['key ARN', () => key.Arn ?? ''],
  ])('returns the alias from ListAliases when CreateAlias names the target by its %s', async (_form, target) => {
    // Prepare
    const aliasName = uniqueAlias();
    const before = Date.now();

    // Act
    const response = await e2e.kms.send(new CreateAliasCommand({ AliasName: aliasName, TargetKeyId: target() }));

    // Assess
    expect(Object.keys(response)).toEqual(['$metadata']);
    const listed = (await allAliases()).filter((alias) => alias.AliasName === aliasName);
    expect(listed).toEqual([{
      AliasName: aliasName,
      AliasArn: aliasArnOf(aliasName),
      TargetKeyId: key.KeyId,
      CreationDate: expect.any(Date),
      LastUpdatedDate: expect.any(Date),
    }]);
    expect(listed[0]?.CreationDate?.getTime()).toBeGreaterThanOrEqual(before - 1000);
  });

  it('returns the new target from DescribeKey when UpdateAlias moves the alias', async () => {
    // Prepare
    const aliasName = uniqueAlias();
    await e2e.kms.send(new CreateAliasCommand({ AliasName: aliasName, TargetKeyId: key.KeyId }));

    // Act
    await e2e.kms.send(new UpdateAliasCommand({ AliasName: aliasName, TargetKeyId: otherKey.Arn }));

    // Assess
    expect(await targetOf(aliasName)).toBe(otherKey.KeyId);
    const [listed] = (await allAliases(otherKey.KeyId)).filter((alias) => alias.AliasName === aliasName);
    expect(listed?.LastUpdatedDate?.getTime()).toBeGreaterThanOrEqual(listed?.CreationDate?.getTime() ?? Infinity);
  });

  it('returns NotFoundException for the alias when DeleteAlias removed it', async () => {
    // Prepare
    const aliasName = uniqueAlias();
    await e2e.kms.send(new CreateAliasCommand({ AliasName: aliasName, TargetKeyId: key.KeyId }));

    // Act
    await e2e.kms.send(new DeleteAliasCommand({ AliasName: aliasName }));

    // Assess
    await expectKmsError(targetOf(aliasName), 'NotFoundException', `Alias ${aliasArnOf(aliasName)} is not found.`);
    expect((await allAliases()).map((alias) => alias.AliasName)).not.toContain(aliasName);
    expect(await targetOf(key.KeyId ?? '')).toBe(key.KeyId);
  });

  it('returns AlreadyExistsException when the alias name is taken', async () => {
    // Prepare
    const aliasName = uniqueAlias();
    await e2e.kms.send(new CreateAliasCommand({ AliasName: aliasName, TargetKeyId: key.KeyId }));

    // Act
    const request = e2e.kms.send(new CreateAliasCommand({ AliasName: aliasName, TargetKeyId: otherKey.KeyId }));

    // Assess
    await expectKmsError(request, 'AlreadyExistsException', `An alias with the name ${aliasArnOf(aliasName)} already exists`);
    expect(await targetOf(aliasName)).toBe(key.KeyId);
  });

  it.each([
    ['CreateAlias', (name: string) => new CreateAliasCommand({ AliasName: name, TargetKeyId: key.KeyId })],
    ['UpdateAlias', (name: string) => new UpdateAliasCommand({ AliasName: name, TargetKeyId: key.KeyId })],
    ['DeleteAlias', (name: string) => new DeleteAliasCommand({ AliasName: name })],
  ] as const)('returns ValidationException from %s when the alias name lacks the alias/ prefix', async (_operation, command) => {
    // Prepare
    const name = `no-prefix-${randomUUID()}`;

    // Act
    const request = e2e.kms.send(command(name) as never);

    // Assess
    await expectKmsError(request, 'ValidationException');
  });

  it.each([
    ['CreateAlias', (name: string) => new CreateAliasCommand({ AliasName: name, TargetKeyId: key.KeyId })],
    ['UpdateAlias', (name: string) => new UpdateAliasCommand({ AliasName: name, TargetKeyId: key.KeyId })],
    ['DeleteAlias', (name: string) => new DeleteAliasCommand({ AliasName: name })],
  ] as const)('returns InvalidAliasNameException from %s when the alias name begins with alias/aws/', async (_operation, command) => {
    // Prepare
    const name = 'alias/aws/ebs';

    // Act
    const request = e2e.kms.send(command(name) as never);

    // Assess
    await expectKmsError(request, 'InvalidAliasNameException');
  });

  it.each([
    ['UpdateAlias', (name: string) => new UpdateAliasCommand({ AliasName: name, TargetKeyId: key.KeyId })],
    ['DeleteAlias', (name: string) => new DeleteAliasCommand({ AliasName: name })],
  ] as const)('returns NotFoundException from %s when the alias does not exist', async (_operation, command) => {
    // Prepare
    const name = uniqueAlias('missing');

    // Act
    const request = e2e.kms.send(command(name) as never);

    // Assess
    await expectKmsError(request, 'NotFoundException', `Alias ${aliasArnOf(name)} is not found.`);
  });

  it('returns NotFoundException from CreateAlias when the target key does not exist', async () => {
    // Prepare
    const aliasName = uniqueAlias();
    const keyId = randomUUID();

    // Act
    const request = e2e.kms.send(new CreateAliasCommand({ AliasName: aliasName, TargetKeyId: keyId }));

    // Assess
    await expectKmsError(request, 'NotFoundException', `Key 'arn:aws:kms:${REGION}:${ACCOUNT_ID}:key/${keyId}' does not exist`);
    expect((await allAliases()).map((alias) => alias.AliasName)).not.toContain(aliasName);
  });

  it('returns NotFoundException from us-west-2 when the alias was made in us-east-1', async () => {
    // Prepare
    const aliasName = uniqueAlias();
    await e2e.kms.send(new CreateAliasCommand({ AliasName: aliasName, TargetKeyId: key.KeyId }));

    // Act
    const request = e2e.kmsIn(OTHER_REGION).send(new DescribeKeyCommand({ KeyId: aliasName }));

    // Assess
    await expectKmsError(request, 'NotFoundException', `Alias ${aliasArnOf(aliasName, OTHER_REGION)} is not found.`);
  });
});

describe('ListAliases', () => {
  let key: KeyMetadata;
  const keyAliases = [uniqueAlias('paged'), uniqueAlias('paged'), uniqueAlias('paged')];

  beforeAll(async () => {
    key = await createKey();
    const elsewhere = await createKey();
    for (const name of keyAliases) await e2e.kms.send(new CreateAliasCommand({ AliasName: name, TargetKeyId: key.KeyId }));
    for (let i = 0; i < 3; i++) await e2e.kms.send(new CreateAliasCommand({ AliasName: uniqueAlias('other'), TargetKeyId: elsewhere.KeyId }));
  });

  it('returns every alias exactly once when ListAliases is paged with Limit 2', async () => {
    // Prepare
    const unpaged = await e2e.kms.send(new ListAliasesCommand({ Limit: 100 }));

    // Act
    const { items, pages } = await collectPages(2, async (marker) => {
      const page = await e2e.kms.send(new ListAliasesCommand({ Limit: 2, Marker: marker }));
      return { items: page.Aliases ?? [], NextMarker: page.NextMarker, Truncated: page.Truncated };
    });

    // Assess
    expect(unpaged.Truncated).toBe(false);
    expect(pages).toBeGreaterThanOrEqual(3);
    const names = items.map((alias) => alias.AliasName);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toEqual(expect.arrayContaining(keyAliases));
    expect(items).toEqual(expect.arrayContaining(unpaged.Aliases ?? []));
    expect(items).toHaveLength(unpaged.Aliases?.length ?? -1);
  });

  it.each([
    ['key ID', () => key.KeyId ?? ''],
    ['key ARN', () => key.Arn ?? ''],
  ])('returns only the aliases of the key, across pages, when KeyId is its %s', async (_form, keyId) => {
    // Prepare
    const limit = 2;

    // Act
    const { items, pages } = await collectPages(limit, async (marker) => {
      const page = await e2e.kms.send(new ListAliasesCommand({ KeyId: keyId(), Limit: limit, Marker: marker }));
      return { items: page.Aliases ?? [], NextMarker: page.NextMarker, Truncated: page.Truncated };
    });

    // Assess
    expect(pages).toBeGreaterThanOrEqual(2);
    expect(items.map((alias) => alias.AliasName).sort()).toEqual([...keyAliases].sort());
    expect(items.every((alias) => alias.TargetKeyId === key.KeyId)).toBe(true);
  });

  it.each([
    ['without KeyId', () => ({})],
    ['with KeyId', () => ({ KeyId: key.KeyId })],
  ])('returns InvalidMarkerException %s when the Marker was not issued by ListAliases', async (_case, input) => {
    // Prepare
    const marker = 'not-a-marker';

    // Act
    const request = e2e.kms.send(new ListAliasesCommand({ ...input(), Marker: marker }));

    // Assess
    await expectKmsError(request, 'InvalidMarkerException');
  });

  it('returns NotFoundException when KeyId names no key', async () => {
    // Prepare
    const keyId = randomUUID();

    // Act
    const request = e2e.kms.send(new ListAliasesCommand({ KeyId: keyId }));

    // Assess
    await expectKmsError(request, 'NotFoundException');
  });
});

describe('TagResource, UntagResource and ListResourceTags', () => {
  it('returns the added tags, with changed values replaced, from ListResourceTags', async () => {
    // Prepare
    const key = await createKey([{ TagKey: 'owner', TagValue: 'alice' }]);

    // Act
    const response = await e2e.kms.send(new TagResourceCommand({
      KeyId: key.Arn,
      Tags: [{ TagKey: 'owner', TagValue: 'bob' }, { TagKey: 'cost-center', TagValue: '42' }],
    }));

    // Assess
    expect(Object.keys(response)).toEqual(['$metadata']);
    const { $metadata: _metadata, ...listed } = await e2e.kms.send(new ListResourceTagsCommand({ KeyId: key.KeyId }));
    expect(listed).toEqual({
      Tags: expect.arrayContaining([{ TagKey: 'owner', TagValue: 'bob' }, { TagKey: 'cost-center', TagValue: '42' }]),
      Truncated: false,
    });
    expect(listed.Tags).toHaveLength(2);
  });

  it('returns only the remaining tags when UntagResource removes some, ignoring unknown tag keys', async () => {
    // Prepare
    const key = await createKey([{ TagKey: 'a', TagValue: '1' }, { TagKey: 'b', TagValue: '2' }, { TagKey: 'c', TagValue: '3' }]);

    // Act
    await e2e.kms.send(new UntagResourceCommand({ KeyId: key.KeyId, TagKeys: ['a', 'c', 'never-set'] }));

    // Assess
    const listed = await e2e.kms.send(new ListResourceTagsCommand({ KeyId: key.Arn }));
    expect(listed.Tags).toEqual([{ TagKey: 'b', TagValue: '2' }]);
  });

  it('returns an empty tag list when the key has no tags', async () => {
    // Prepare
    const key = await createKey();

    // Act
    const listed = await e2e.kms.send(new ListResourceTagsCommand({ KeyId: key.KeyId }));

    // Assess
    expect(listed.Tags).toEqual([]);
    expect(listed.Truncated).toBe(false);
  });

  it('returns TagException and keeps the tags when TagResource would exceed 50 tags', async () => {
    // Prepare
    const tags = Array.from({ length: 45 }, (_, index) => ({ TagKey: `t${index}`, TagValue: 'v' }));
    const key = await createKey(tags);
    const extra = Array.from({ length: 6 }, (_, index) => ({ TagKey: `extra${index}`, TagValue: 'v' }));

    // Act
    const request = e2e.kms.send(new TagResourceCommand({ KeyId: key.KeyId, Tags: extra }));

    // Assess
    await expectKmsError(request, 'TagException', 'Too many tags');
    const listed = await e2e.kms.send(new ListResourceTagsCommand({ KeyId: key.KeyId }));
    expect(listed.Tags).toHaveLength(45);
  });

  it.each(['aws:owner', 'AWS:cost'])('returns TagException from TagResource when a tag key is %s', async (tagKey) => {
    // Prepare
    const key = await createKey();

    // Act
    const request = e2e.kms.send(new TagResourceCommand({ KeyId: key.KeyId, Tags: [{ TagKey: tagKey, TagValue: 'x' }] }));

    // Assess
    await expectKmsError(request, 'TagException');
    expect((await e2e.kms.send(new ListResourceTagsCommand({ KeyId: key.KeyId }))).Tags).toEqual([]);
  });

  it('returns ValidationException from TagResource when a tag key is longer than 128 characters', async () => {
    // Prepare
    const key = await createKey();
    const tagKey = 'k'.repeat(129);

    // Act
    const request = e2e.kms.send(new TagResourceCommand({ KeyId: key.KeyId, Tags: [{ TagKey: 'ok', TagValue: 'v' }, { TagKey: tagKey, TagValue: 'v' }] }));

    // Assess
    await expectKmsError(request, 'ValidationException',
      `1 validation error detected: Value '${tagKey}' at 'tags.2.member.tagKey' failed to satisfy constraint: Member must have length less than or equal to 128`);
  });

  it('returns every tag exactly once when ListResourceTags is paged with Limit 7', async () => {
    // Prepare
    const tags = Array.from({ length: 50 }, (_, index) => ({ TagKey: `key-${index}`, TagValue: `value-${index}` }));
    const key = await createKey(tags);

    // Act
    const { items, pages } = await collectPages(7, async (marker) => {
      const page = await e2e.kms.send(new ListResourceTagsCommand({ KeyId: key.KeyId, Limit: 7, Marker: marker }));
      return { items: page.Tags ?? [], NextMarker: page.NextMarker, Truncated: page.Truncated };
    });

    // Assess
    expect(pages).toBeGreaterThanOrEqual(8);
    expect(items).toHaveLength(50);
    expect(items).toEqual(expect.arrayContaining(tags));
  });

  it('returns InvalidMarkerException when the Marker was not issued by ListResourceTags', async () => {
    // Prepare
    const key = await createKey([{ TagKey: 'a', TagValue: '1' }]);

    // Act
    const request = e2e.kms.send(new ListResourceTagsCommand({ KeyId: key.KeyId, Marker: 'not-a-marker' }));

    // Assess
    await expectKmsError(request, 'InvalidMarkerException');
  });

  it('returns NotFoundException from TagResource when the key does not exist', async () => {
    // Prepare
    const keyId = randomUUID();

    // Act
    const request = e2e.kms.send(new TagResourceCommand({ KeyId: keyId, Tags: [{ TagKey: 'a', TagValue: 'b' }] }));

    // Assess
    await expectKmsError(request, 'NotFoundException', `Key 'arn:aws:kms:${REGION}:${ACCOUNT_ID}:key/${keyId}' does not exist`);
  });
});
