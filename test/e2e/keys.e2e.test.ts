import {
  CreateAliasCommand, CreateKeyCommand, DescribeKeyCommand, DisableKeyCommand, EnableKeyCommand, ListKeysCommand,
  ListResourceTagsCommand, TagResourceCommand, UntagResourceCommand, UpdateKeyDescriptionCommand,
  type CreateKeyCommandInput, type KeyMetadata, type KeySpec, type KMSClient,
} from '@aws-sdk/client-kms';
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { collectPages, expectKmsError } from './support/assertions.js';
import { ACCOUNT_ID, OTHER_REGION, REGION, useLocalService } from './support/local-service.js';

const e2e = useLocalService();

const KEY_SPECS = [
  'RSA_2048', 'RSA_3072', 'RSA_4096', 'ECC_NIST_P256', 'ECC_NIST_P384', 'ECC_NIST_P521', 'ECC_SECG_P256K1',
  'SYMMETRIC_DEFAULT', 'HMAC_224', 'HMAC_256', 'HMAC_384', 'HMAC_512', 'SM2', 'ML_DSA_44', 'ML_DSA_65', 'ML_DSA_87',
  'ECC_NIST_EDWARDS25519',
];

async function createKey(input: CreateKeyCommandInput = {}, kms: KMSClient = e2e.kms): Promise<KeyMetadata> {
  const { KeyMetadata: metadata } = await kms.send(new CreateKeyCommand(input));
  if (metadata?.KeyId === undefined) throw new Error('CreateKey returned no KeyMetadata');
  return metadata;
}

async function describeKey(keyId: string, kms: KMSClient = e2e.kms): Promise<KeyMetadata> {
  const { KeyMetadata: metadata } = await kms.send(new DescribeKeyCommand({ KeyId: keyId }));
  if (metadata === undefined) throw new Error('DescribeKey returned no KeyMetadata');
  return metadata;
}

function keyArnOf(keyId: string, region = REGION): string {
  return `arn:aws:kms:${region}:${ACCOUNT_ID}:key/${keyId}`;
}

describe('CreateKey', () => {
  it('returns the KeyMetadata AWS returns for a symmetric key when called without parameters', async () => {
    // Prepare
    const before = Date.now();

    // Act
    const response = await e2e.kms.send(new CreateKeyCommand({}));

    // Assess
    const after = Date.now();
    const keyId = response.KeyMetadata?.KeyId ?? '';
    expect(keyId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(response.KeyMetadata).toEqual({
      AWSAccountId: ACCOUNT_ID,
      KeyId: keyId,
      Arn: keyArnOf(keyId),
      CreationDate: expect.any(Date),
      Enabled: true,
      Description: '',
      KeyUsage: 'ENCRYPT_DECRYPT',
      KeyState: 'Enabled',
      Origin: 'AWS_KMS',
      KeyManager: 'CUSTOMER',
      CustomerMasterKeySpec: 'SYMMETRIC_DEFAULT',
      KeySpec: 'SYMMETRIC_DEFAULT',
      EncryptionAlgorithms: ['SYMMETRIC_DEFAULT'],
      MultiRegion: false,
      // "present for symmetric encryption keys with AWS_KMS or EXTERNAL origin" (the model's documentation)
      CurrentKeyMaterialId: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    const created = response.KeyMetadata?.CreationDate?.getTime() ?? 0;
    expect(created).toBeGreaterThanOrEqual(before - 1000);
    expect(created).toBeLessThanOrEqual(after + 1000);
  });

  it('returns the description and stores the tags when CreateKey is given them', async () => {
    // Prepare
    const tags = [{ TagKey: 'team', TagValue: 'payments' }, { TagKey: 'env', TagValue: '' }];

    // Act
    const metadata = await createKey({ Description: 'orders key', Tags: tags, KeyUsage: 'ENCRYPT_DECRYPT', KeySpec: 'SYMMETRIC_DEFAULT' });

    // Assess
    expect(metadata.Description).toBe('orders key');
    const listed = await e2e.kms.send(new ListResourceTagsCommand({ KeyId: metadata.KeyId }));
    expect(listed.Tags).toEqual(expect.arrayContaining(tags));
    expect(listed.Tags).toHaveLength(2);
  });

  it.each([
    ['Origin EXTERNAL_KEY_STORE', { Origin: 'EXTERNAL_KEY_STORE' }, /Origin EXTERNAL_KEY_STORE/],
    ['Origin AWS_CLOUDHSM', { Origin: 'AWS_CLOUDHSM' }, /Origin AWS_CLOUDHSM/],
    ['MultiRegion', { MultiRegion: true }, /Multi-Region/],
  ] as const)(
    'returns UnsupportedOperationException when CreateKey asks for %s, which is not built yet',
    async (_, input, message) => {
      // Act
      const request = e2e.kms.send(new CreateKeyCommand(input));

      // Assess
      await expectKmsError(request, 'UnsupportedOperationException', message);
    },
  );

  it('returns ValidationException with the enum value set when KeySpec is not a key spec', async () => {
    // Prepare
    const input = { KeySpec: 'AES_256' as KeySpec };

    // Act
    const request = e2e.kms.send(new CreateKeyCommand(input));

    // Assess
    await expectKmsError(request, 'ValidationException',
      `1 validation error detected: Value 'AES_256' at 'keySpec' failed to satisfy constraint: Member must satisfy enum value set: [${KEY_SPECS.join(', ')}]`);
  });

  it('returns ValidationException when Description is longer than 8192 characters', async () => {
    // Prepare
    const description = 'd'.repeat(8193);

    // Act
    const request = e2e.kms.send(new CreateKeyCommand({ Description: description }));

    // Assess
    await expectKmsError(request, 'ValidationException',
      `1 validation error detected: Value '${description}' at 'description' failed to satisfy constraint: Member must have length less than or equal to 8192`);
  });

  it('returns ValidationException when a tag key is longer than 128 characters', async () => {
    // Prepare
    const tagKey = 'k'.repeat(129);

    // Act
    const request = e2e.kms.send(new CreateKeyCommand({ Tags: [{ TagKey: tagKey, TagValue: 'v' }] }));

    // Assess
    await expectKmsError(request, 'ValidationException',
      `1 validation error detected: Value '${tagKey}' at 'tags.1.member.tagKey' failed to satisfy constraint: Member must have length less than or equal to 128`);
  });

  it('returns TagException and creates no key when given more than 50 tags', async () => {
    // Prepare
    const tags = Array.from({ length: 51 }, (_, index) => ({ TagKey: `tag-${index}`, TagValue: 'v' }));
    const keysBefore = (await e2e.kms.send(new ListKeysCommand({ Limit: 1000 }))).Keys?.length;

    // Act
    const request = e2e.kms.send(new CreateKeyCommand({ Tags: tags }));

    // Assess
    await expectKmsError(request, 'TagException', 'Too many tags');
    expect((await e2e.kms.send(new ListKeysCommand({ Limit: 1000 }))).Keys).toHaveLength(keysBefore ?? -1);
  });

  it.each(['aws:created-by', 'AWS:Owner'])('returns TagException when a tag key is %s', async (tagKey) => {
    // Prepare
    const tags = [{ TagKey: tagKey, TagValue: 'me' }];

    // Act
    const request = e2e.kms.send(new CreateKeyCommand({ Tags: tags }));

    // Assess
    await expectKmsError(request, 'TagException');
  });
});

describe('key identifiers', () => {
  let key: KeyMetadata;
  const aliasName = `alias/ident-${randomUUID()}`;

  beforeAll(async () => {
    key = await createKey({ Description: 'identifiers' });
    await e2e.kms.send(new CreateAliasCommand({ AliasName: aliasName, TargetKeyId: key.KeyId }));
  });

  it.each([
    ['key ID', () => key.KeyId ?? ''],
    ['key ARN', () => key.Arn ?? ''],
    ['alias name', () => aliasName],
    ['alias ARN', () => `arn:aws:kms:${REGION}:${ACCOUNT_ID}:${aliasName}`],
  ])('returns the key metadata from DescribeKey when the key is named by its %s', async (_form, identifier) => {
    // Prepare
    const keyId = identifier();

    // Act
    const metadata = await describeKey(keyId);

    // Assess
    expect(metadata).toEqual(key);
  });

  it('returns NotFoundException naming the key ARN when no key has the key ID', async () => {
    // Prepare
    const keyId = randomUUID();

    // Act
    const request = describeKey(keyId);

    // Assess
    await expectKmsError(request, 'NotFoundException', `Key '${keyArnOf(keyId)}' does not exist`);
  });

  it('returns NotFoundException when no key has the key ARN', async () => {
    // Prepare
    const arn = keyArnOf(randomUUID());

    // Act
    const request = describeKey(arn);

    // Assess
    await expectKmsError(request, 'NotFoundException', `Key '${arn}' does not exist`);
  });

  it('returns NotFoundException naming the alias ARN when no alias has the name', async () => {
    // Prepare
    const name = `alias/missing-${randomUUID()}`;

    // Act
    const request = describeKey(name);

    // Assess
    await expectKmsError(request, 'NotFoundException', `Alias arn:aws:kms:${REGION}:${ACCOUNT_ID}:${name} is not found.`);
  });

  it.each([
    `arn:aws:kms:${REGION}:not-an-account:key/${randomUUID()}`,
    `arn:aws:kms:not-a-region:${ACCOUNT_ID}:key/${randomUUID()}`,
    `arn:aws:kms:${REGION}:${ACCOUNT_ID}`,
  ])('returns InvalidArnException when the KeyId is the malformed ARN %s', async (arn) => {
    // Prepare
    const keyId = arn;

    // Act
    const request = describeKey(keyId);

    // Assess
    await expectKmsError(request, 'InvalidArnException');
  });

  it.each([
    ['UpdateKeyDescription', (id: string) => new UpdateKeyDescriptionCommand({ KeyId: id, Description: 'x' })],
    ['EnableKey', (id: string) => new EnableKeyCommand({ KeyId: id })],
    ['DisableKey', (id: string) => new DisableKeyCommand({ KeyId: id })],
    ['TagResource', (id: string) => new TagResourceCommand({ KeyId: id, Tags: [{ TagKey: 'a', TagValue: 'b' }] })],
    ['UntagResource', (id: string) => new UntagResourceCommand({ KeyId: id, TagKeys: ['a'] })],
    ['ListResourceTags', (id: string) => new ListResourceTagsCommand({ KeyId: id })],
    ['CreateAlias', (id: string) => new CreateAliasCommand({ AliasName: `alias/other-${randomUUID()}`, TargetKeyId: id })],
  ] as const)('returns NotFoundException from %s when the key is named by an alias', async (_operation, command) => {
    // Prepare
    const identifiers = [aliasName, `arn:aws:kms:${REGION}:${ACCOUNT_ID}:${aliasName}`];

    // Act
    const requests = identifiers.map((id) => e2e.kms.send(command(id) as never));

    // Assess
    for (const request of requests) await expectKmsError(request, 'NotFoundException');
    expect((await describeKey(key.KeyId ?? '')).KeyState).toBe('Enabled');
  });
});

describe('Region isolation', () => {
  it.each([
    ['key ID', (key: KeyMetadata) => key.KeyId ?? ''],
    ['key ARN', (key: KeyMetadata) => key.Arn ?? ''],
  ])('returns NotFoundException from us-west-2 when a us-east-1 key is named by its %s', async (_form, identifier) => {
    // Prepare
    const key = await createKey();

    // Act
    const request = describeKey(identifier(key), e2e.kmsIn(OTHER_REGION));

    // Assess
    await expectKmsError(request, 'NotFoundException');
  });

  it('returns each Region its own keys and ARNs when ListKeys is called in two Regions', async () => {
    // Prepare
    const west = await createKey({}, e2e.kmsIn(OTHER_REGION));

    // Act
    const westKeys = await e2e.kmsIn(OTHER_REGION).send(new ListKeysCommand({ Limit: 1000 }));
    const eastKeys = await e2e.kms.send(new ListKeysCommand({ Limit: 1000 }));

    // Assess
    expect(west.Arn).toBe(keyArnOf(west.KeyId ?? '', OTHER_REGION));
    expect(westKeys.Keys).toEqual([{ KeyId: west.KeyId, KeyArn: west.Arn }]);
    expect(eastKeys.Keys?.map((key) => key.KeyId)).not.toContain(west.KeyId);
    expect(eastKeys.Keys?.every((key) => key.KeyArn === keyArnOf(key.KeyId ?? ''))).toBe(true);
  });
});

describe('ListKeys', () => {
  beforeAll(async () => {
    for (let i = 0; i < 5; i++) await createKey({ Description: `listed ${i}` });
  });

  it('returns every key exactly once when ListKeys is paged with Limit 2', async () => {
    // Prepare
    const all = await e2e.kms.send(new ListKeysCommand({}));

    // Act
    const { items, pages } = await collectPages(2, async (marker) => {
      const page = await e2e.kms.send(new ListKeysCommand({ Limit: 2, Marker: marker }));
      return { items: page.Keys ?? [], NextMarker: page.NextMarker, Truncated: page.Truncated };
    });

    // Assess
    expect(all.Truncated).toBe(false);
    expect(all.NextMarker).toBeUndefined();
    expect(items.length).toBeGreaterThanOrEqual(5);
    expect(pages).toBeGreaterThanOrEqual(Math.ceil(items.length / 2));
    expect(new Set(items.map((key) => key.KeyId)).size).toBe(items.length);
    expect(items).toEqual(expect.arrayContaining(all.Keys ?? []));
    expect(items).toHaveLength(all.Keys?.length ?? -1);
  });

  it('returns Truncated false and no NextMarker when the keys fit in one page', async () => {
    // Prepare
    const input = { Limit: 1000 };

    // Act
    const page = await e2e.kms.send(new ListKeysCommand(input));

    // Assess
    expect(page.Truncated).toBe(false);
    expect(page).not.toHaveProperty('NextMarker', expect.anything());
    expect(page.Keys?.[0]).toEqual({ KeyId: expect.any(String), KeyArn: keyArnOf(page.Keys?.[0]?.KeyId ?? '') });
  });

  it('returns InvalidMarkerException when the Marker was not issued by ListKeys', async () => {
    // Prepare
    const marker = 'not-a-marker';

    // Act
    const request = e2e.kms.send(new ListKeysCommand({ Marker: marker }));

    // Assess
    await expectKmsError(request, 'InvalidMarkerException');
  });
});

describe('UpdateKeyDescription', () => {
  it.each([
    ['key ID', (key: KeyMetadata) => key.KeyId ?? ''],
    ['key ARN', (key: KeyMetadata) => key.Arn ?? ''],
  ])('returns the new description from DescribeKey when the key is named by its %s', async (_form, identifier) => {
    // Prepare
    const key = await createKey({ Description: 'before' });

    // Act
    const response = await e2e.kms.send(new UpdateKeyDescriptionCommand({ KeyId: identifier(key), Description: 'after' }));

    // Assess
    expect(Object.keys(response).filter((name) => name !== '$metadata')).toEqual([]);
    expect(await describeKey(key.KeyId ?? '')).toEqual({ ...key, Description: 'after' });
  });

  it('returns NotFoundException when the key does not exist', async () => {
    // Prepare
    const keyId = randomUUID();

    // Act
    const request = e2e.kms.send(new UpdateKeyDescriptionCommand({ KeyId: keyId, Description: 'x' }));

    // Assess
    await expectKmsError(request, 'NotFoundException', `Key '${keyArnOf(keyId)}' does not exist`);
  });
});

describe('EnableKey and DisableKey', () => {
  it('returns KeyState Disabled and Enabled false from DescribeKey when the key is disabled', async () => {
    // Prepare
    const key = await createKey();

    // Act
    await e2e.kms.send(new DisableKeyCommand({ KeyId: key.KeyId }));

    // Assess
    expect(await describeKey(key.KeyId ?? '')).toEqual({ ...key, Enabled: false, KeyState: 'Disabled' });
  });

  it('returns the key to Enabled when EnableKey follows DisableKey', async () => {
    // Prepare
    const key = await createKey();
    await e2e.kms.send(new DisableKeyCommand({ KeyId: key.Arn }));

    // Act
    await e2e.kms.send(new EnableKeyCommand({ KeyId: key.Arn }));

    // Assess
    expect(await describeKey(key.KeyId ?? '')).toEqual(key);
  });

  it('returns success and keeps the state when the key is already in that state', async () => {
    // Prepare
    const key = await createKey();

    // Act
    await e2e.kms.send(new EnableKeyCommand({ KeyId: key.KeyId }));
    await e2e.kms.send(new DisableKeyCommand({ KeyId: key.KeyId }));
    await e2e.kms.send(new DisableKeyCommand({ KeyId: key.KeyId }));

    // Assess
    expect((await describeKey(key.KeyId ?? '')).KeyState).toBe('Disabled');
  });
});
