import { describe, expect, it } from 'vitest';
import {
  InvalidMarkerException, KMSInvalidStateException, NotFoundException, TagException,
} from '../../../../src/models/kms/generated/errors.js';
import type { ListResourceTagsResponse } from '../../../../src/models/kms/generated/shapes.js';
import type { TagRecord } from '../../../../src/core/kms/records.js';
import { listResourceTags, tagResource, untagResource } from '../../../../src/core/kms/operations/tags.js';
import { ACCOUNT_ID, REGION, caught, makeCore, runHandler, seedKey, type CoreHarness } from '../../../support/core.js';

const makeTagRecords = (count: number): TagRecord[] =>
  Array.from({ length: count }, (_, i) => ({ tagKey: `k${String(i).padStart(2, '0')}`, tagValue: `v${i}` }));

async function storedTags(core: CoreHarness, keyId: string) {
  return (await core.store.getKey({ accountId: ACCOUNT_ID, region: REGION, keyId }))?.tags;
}

describe('tagResource', () => {
  it('returns nothing and merges the tags: a known key gets the new value, a new key is added', async () => {
    // Prepare
    const core = makeCore();
    const key = await seedKey(core, { tags: [{ tagKey: 'team', tagValue: 'a' }, { tagKey: 'env', tagValue: 'dev' }] });

    // Act
    const output = await runHandler(core, tagResource, { KeyId: key.keyId, Tags: [{ TagKey: 'env', TagValue: 'prod' }, { TagKey: 'cost', TagValue: '42' }] });

    // Assess
    expect(output).toEqual({});
    expect(await storedTags(core, key.keyId)).toEqual([
      { tagKey: 'team', tagValue: 'a' }, { tagKey: 'env', tagValue: 'prod' }, { tagKey: 'cost', tagValue: '42' },
    ]);
    expect((await core.store.getKey(key))?.revision).toBe(2);
  });

  it.each([
    ['49 tags plus one new', 49, [{ TagKey: 'new', TagValue: 'x' }]],
    ['50 tags and a changed value', 50, [{ TagKey: 'k00', TagValue: 'changed' }]],
  ])('returns nothing and leaves 50 tags when the key has %s', async (_, existing, tags) => {
    // Prepare
    const core = makeCore();
    const key = await seedKey(core, { tags: makeTagRecords(existing) });

    // Act
    await runHandler(core, tagResource, { KeyId: key.keyId, Tags: tags });

    // Assess
    expect(await storedTags(core, key.keyId)).toHaveLength(50);
  });

  it('throws TagException because a key has at most 50 tags; more is a TagException, as AWS answers it', async () => {
    // Prepare
    const core = makeCore();
    const key = await seedKey(core, { tags: makeTagRecords(49) });

    // Act
    const error = await caught(runHandler(core, tagResource, { KeyId: key.keyId, Tags: [{ TagKey: 'x', TagValue: '1' }, { TagKey: 'y', TagValue: '2' }] }));

    // Assess
    expect(error).toBeInstanceOf(TagException);
    expect(error.message).toBe('Too many tags');
    expect(await storedTags(core, key.keyId)).toHaveLength(49);
  });

  it.each([
    ['tag keys beginning with aws: are reserved for AWS', [{ TagKey: 'aws:cloudformation:stack', TagValue: 'x' }], 'Tags beginning with aws: are reserved'],
    ['one request names each tag key once', [{ TagKey: 'a', TagValue: '1' }, { TagKey: 'a', TagValue: '1' }], 'Duplicate tag keys'],
  ])('throws TagException because %s', async (_, tags, message) => {
    // Prepare
    const core = makeCore();
    const key = await seedKey(core);

    // Act
    const error = await caught(runHandler(core, tagResource, { KeyId: key.keyId, Tags: tags }));

    // Assess
    expect(error).toBeInstanceOf(TagException);
    expect(error.message).toBe(message);
  });

  it('throws KMSInvalidStateException when the key is pending deletion', async () => {
    // Prepare
    const core = makeCore();
    const key = await seedKey(core, { keyState: 'PendingDeletion' });

    // Act
    const error = await caught(runHandler(core, tagResource, { KeyId: key.keyId, Tags: [{ TagKey: 'a', TagValue: '1' }] }));

    // Assess
    expect(error).toBeInstanceOf(KMSInvalidStateException);
  });

  it('throws NotFoundException when the key is named by an alias', async () => {
    // Prepare
    const core = makeCore();
    await seedKey(core);

    // Act
    const error = await caught(runHandler(core, tagResource, { KeyId: 'alias/test', Tags: [{ TagKey: 'a', TagValue: '1' }] }));

    // Assess
    expect(error).toBeInstanceOf(NotFoundException);
    expect(error.message).toBe("Invalid keyId 'alias/test'");
  });
});

describe('untagResource', () => {
  it('returns nothing and removes the named tags, ignoring names the key does not have', async () => {
    // Prepare
    const core = makeCore();
    const key = await seedKey(core, { tags: makeTagRecords(3) });

    // Act
    await runHandler(core, untagResource, { KeyId: key.keyId, TagKeys: ['k01', 'unknown'] });

    // Assess
    expect(await storedTags(core, key.keyId)).toEqual([{ tagKey: 'k00', tagValue: 'v0' }, { tagKey: 'k02', tagValue: 'v2' }]);
  });
});

describe('listResourceTags', () => {
  async function listAll(core: CoreHarness, keyId: string, limit?: number) {
    const pages: ListResourceTagsResponse[] = [];
    let marker: string | undefined;
    do {
      const page = await runHandler(core, listResourceTags, { KeyId: keyId, Limit: limit, Marker: marker });
      pages.push(page);
      marker = page.NextMarker;
    } while (marker !== undefined);
    return pages;
  }

  it('returns every tag once across pages of the asked size, with markers and Truncated', async () => {
    // Prepare
    const core = makeCore();
    const key = await seedKey(core, { tags: makeTagRecords(50) });

    // Act
    const pages = await listAll(core, key.keyId, 20);

    // Assess
    expect(pages.map((page) => page.Tags?.length)).toEqual([20, 20, 10]);
    expect(pages.map((page) => page.Truncated)).toEqual([true, true, false]);
    expect(pages.flatMap((page) => page.Tags)).toEqual(makeTagRecords(50).map((tag) => ({ TagKey: tag.tagKey, TagValue: tag.tagValue })));
  });

  it('returns all 50 tags on one page when no limit is given', async () => {
    // Prepare
    const core = makeCore();
    const key = await seedKey(core, { tags: makeTagRecords(50) });

    // Act
    const page = await runHandler(core, listResourceTags, { KeyId: key.keyId });

    // Assess
    expect(page.Tags).toHaveLength(50);
    expect(page).not.toHaveProperty('NextMarker');
    expect(page.Truncated).toBe(false);
  });

  it('returns the tags of a key pending deletion', async () => {
    // Prepare
    const core = makeCore();
    const key = await seedKey(core, { keyState: 'PendingDeletion', tags: makeTagRecords(1) });

    // Act
    const page = await runHandler(core, listResourceTags, { KeyId: key.arn });

    // Assess
    expect(page.Tags).toEqual([{ TagKey: 'k00', TagValue: 'v0' }]);
  });

  it('throws InvalidMarkerException when the marker is not one it made', async () => {
    // Prepare
    const core = makeCore();
    const key = await seedKey(core, { tags: makeTagRecords(3) });

    // Act
    const error = await caught(runHandler(core, listResourceTags, { KeyId: key.keyId, Marker: 'not-a-marker' }));

    // Assess
    expect(error).toBeInstanceOf(InvalidMarkerException);
    expect(error.message).toBe('The request was rejected because the marker that specifies where pagination should next begin is not valid.');
  });
});
