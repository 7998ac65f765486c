/**
 * The canonical encoding of items and their MACs (src/adapters/dynamodb/item-integrity.ts): what a
 * writer of the table can and cannot change without the token noticing.
 */
import { describe, expect, it } from 'vitest';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import {
  COUNTERS, ItemIntegrity, MAC_ATTRIBUTE, canonicalEncoding, isAuthenticatedPartition, listingEncoding, type IntegrityFailure,
} from '../../../src/adapters/dynamodb/item-integrity.js';
import { KEY_LIST_INDEX } from '../../../src/adapters/dynamodb/table-definition.js';
import { FakeRecordAuthenticator } from '../../support/fake-record-authenticator.js';

type Item = Record<string, AttributeValue>;

const KEY_ITEM: Item = {
  pk: { S: 'KEY#111122223333:us-east-1:1234abcd' },
  sk: { S: 'META' },
  type: { S: 'Key' },
  keyState: { S: 'Disabled' },
  revision: { N: '3' },
  multiRegion: { BOOL: false },
  tags: { L: [{ M: { tagKey: { S: 'a' }, tagValue: { S: 'b' } } }, { M: { tagKey: { S: 'c' }, tagValue: { S: 'd' } } }] },
  wrapped: { B: new Uint8Array([1, 2, 3]) },
};

const encode = (item: Item): string => Buffer.from(canonicalEncoding(item)).toString('hex');

function integrity(upgraded = true): { integrity: ItemIntegrity; failures: IntegrityFailure[] } {
  const failures: IntegrityFailure[] = [];
  return { integrity: new ItemIntegrity({ authenticator: new FakeRecordAuthenticator(), onFailure: (failure) => failures.push(failure) }, upgraded), failures };
}

describe('canonicalEncoding', () => {
  it('does not depend on the order of attributes or of map entries', () => {
    // Prepare
    const reordered: Item = Object.fromEntries(Object.entries(KEY_ITEM).reverse());
    const mapReordered: Item = { ...KEY_ITEM, tags: { L: [{ M: { tagValue: { S: 'b' }, tagKey: { S: 'a' } } }, { M: { tagValue: { S: 'd' }, tagKey: { S: 'c' } } }] } };

    // Act / Assess
    expect(encode(reordered)).toBe(encode(KEY_ITEM));
    expect(encode(mapReordered)).toBe(encode(KEY_ITEM));
  });

  /** Each change a writer of the table might make, and the item it makes. */
  const CHANGES: readonly [string, Item][] = [
    ['a changed value', { ...KEY_ITEM, keyState: { S: 'Enabled' } }],
    ['a changed revision', { ...KEY_ITEM, revision: { N: '4' } }],
    ['the item moved to another key', { ...KEY_ITEM, pk: { S: 'KEY#111122223333:us-east-1:5678efgh' } }],
    ['the item moved to another sort key', { ...KEY_ITEM, sk: { S: 'BACKING#1' } }],
    ['a value of another type with the same text', { ...KEY_ITEM, revision: { S: '3' } }],
    ['a list in another order', { ...KEY_ITEM, tags: { L: [...(KEY_ITEM['tags']?.L ?? [])].reverse() } }],
    ['an added attribute', { ...KEY_ITEM, policy: { S: '{}' } }],
    ['a removed attribute', Object.fromEntries(Object.entries(KEY_ITEM).filter(([name]) => name !== 'multiRegion'))],
    ['bytes moved from a value into its name', { ...Object.fromEntries(Object.entries(KEY_ITEM).filter(([name]) => name !== 'type')), typeK: { S: 'ey' } }],
    ['a changed binary value', { ...KEY_ITEM, wrapped: { B: new Uint8Array([1, 2, 4]) } }],
    ['a boolean flipped', { ...KEY_ITEM, multiRegion: { BOOL: true } }],
  ];

  it.each(CHANGES)('changes with %s', (_change, changed) => {
    // Act / Assess
    expect(encode(changed)).not.toBe(encode(KEY_ITEM));
  });

  it('leaves out the MAC itself and the counters that transactions update in place', () => {
    // Prepare
    const withExtras: Item = { ...KEY_ITEM, [MAC_ATTRIBUTE]: { B: new Uint8Array(32) }, ...Object.fromEntries([...COUNTERS].map((name) => [name, { N: '7' }])) };

    // Act / Assess
    expect(encode(withExtras)).toBe(encode(KEY_ITEM));
  });

  it('encodes a number as the readers read it, so DynamoDB normalizing its text changes nothing', () => {
    // Act / Assess
    expect(encode({ ...KEY_ITEM, revision: { N: '3.0' } })).toBe(encode(KEY_ITEM));
  });

  it('authenticates every partition but last-use records and the service markers', () => {
    // Act / Assess
    expect(['KEY#a', 'ALIASES#a', 'GRANTS#a', 'ACCESSKEY#a', 'IAM#a'].map(isAuthenticatedPartition)).toEqual([true, true, true, true, true]);
    expect(['USAGE#a', 'SERVICE#usage'].map(isAuthenticatedPartition)).toEqual([false, false]);
  });
});

describe('ItemIntegrity', () => {
  it('opens an item it sealed', async () => {
    // Prepare
    const { integrity: checker, failures } = integrity();

    // Act
    const sealed = await checker.seal(KEY_ITEM);

    // Assess
    await expect(checker.open(sealed)).resolves.toEqual(sealed);
    expect(failures).toEqual([]);
  });

  it.each(CHANGES_AFTER_SEALING())('refuses a sealed item after %s, and reports it by its table key', async (_change, change) => {
    // Prepare
    const { integrity: checker, failures } = integrity();
    const sealed = await checker.seal(KEY_ITEM);
    const forged = change(sealed);

    // Act
    const opened = checker.open(forged);

    // Assess
    await expect(opened).rejects.toThrow('failed its integrity check (MAC does not match)');
    expect(failures).toEqual([{ pk: forged['pk']?.S, sk: forged['sk']?.S, type: 'Key', reason: 'MAC does not match' }]);
  });

  it('refuses an item without a MAC once the upgrade has run', async () => {
    // Prepare
    const { integrity: checker, failures } = integrity(true);

    // Act / Assess
    await expect(checker.open(KEY_ITEM)).rejects.toThrow('failed its integrity check (missing MAC)');
    expect(failures.map((failure) => failure.reason)).toEqual(['missing MAC']);
  });

  it('accepts an item without a MAC until the upgrade has run, and refuses it afterwards', async () => {
    // Prepare
    const { integrity: checker } = integrity(false);

    // Act
    const before = await checker.open(KEY_ITEM);
    await checker.markUpgraded();

    // Assess
    expect(before).toEqual(KEY_ITEM);
    expect(checker.upgraded).toBe(true);
    await expect(checker.open(KEY_ITEM)).rejects.toThrow('missing MAC');
  });

  it('refuses an item sealed under another token key', async () => {
    // Prepare
    const { integrity: checker } = integrity();
    const other = new ItemIntegrity({ authenticator: new FakeRecordAuthenticator({ key: new Uint8Array(32).fill(7) }), onFailure: () => undefined }, true);

    // Act / Assess
    await expect(checker.open(await other.seal(KEY_ITEM))).rejects.toThrow('MAC does not match');
  });
});

describe('the listing MAC (ListKeys index)', () => {
  const LISTED_ITEM: Item = { ...KEY_ITEM, listPk: { S: 'KEYS#111122223333:us-east-1' }, listSk: { S: '1234abcd' }, deletionDate: { N: '1800000000000' } };
  /** What the index holds of a sealed item: its keys and included attributes. */
  const projection = (item: Item): Item => Object.fromEntries(Object.entries(item).filter(([name]) =>
    ['pk', 'sk', KEY_LIST_INDEX.partitionKey, KEY_LIST_INDEX.sortKey, ...KEY_LIST_INDEX.included].includes(name)));

  it('is computed from the whole item and checks out on its projection read back from the index', async () => {
    // Prepare
    const { integrity: checker, failures } = integrity();
    const sealed = await checker.seal(LISTED_ITEM);

    // Act
    const opened = await checker.openListing(projection(sealed));

    // Assess
    expect(opened[KEY_LIST_INDEX.mac]).toBeDefined();
    expect(listingEncoding(sealed)).toEqual(listingEncoding(projection(sealed)));
    expect(failures).toEqual([]);
  });

  it('is covered by the record MAC: an item whose listing MAC was replaced fails its record check', async () => {
    // Prepare
    const { integrity: checker } = integrity();
    const sealed = await checker.seal(LISTED_ITEM);

    // Act / Assess
    await expect(checker.open({ ...sealed, [KEY_LIST_INDEX.mac]: { B: new Uint8Array(32) } })).rejects.toThrow('MAC does not match');
  });

  it('is only given to items in the ListKeys index (key metadata)', async () => {
    // Act
    const sealed = await integrity().integrity.seal(KEY_ITEM);

    // Assess
    expect(sealed[KEY_LIST_INDEX.mac]).toBeUndefined();
  });

  it('is not the record MAC of the same attributes (another domain)', () => {
    // Act / Assess
    expect(encode(projection(LISTED_ITEM))).not.toBe(Buffer.from(listingEncoding(LISTED_ITEM)).toString('hex'));
  });

  it.each([
    ['another state', (item: Item): Item => ({ ...item, keyState: { S: 'Enabled' } })],
    ['another deletion date', (item: Item): Item => ({ ...item, deletionDate: { N: '1900000000000' } })],
    ['no deletion date', (item: Item): Item => Object.fromEntries(Object.entries(item).filter(([name]) => name !== 'deletionDate'))],
    ['another account\'s listing', (item: Item): Item => ({ ...item, listPk: { S: 'KEYS#444455556666:us-east-1' } })],
    ['another key ID', (item: Item): Item => ({ ...item, listSk: { S: '5678efgh' } })],
    ['another table key', (item: Item): Item => ({ ...item, pk: { S: 'KEY#111122223333:us-east-1:5678efgh' } })],
  ])('refuses a listing changed to %s, and reports it', async (_change, change) => {
    // Prepare
    const { integrity: checker, failures } = integrity();
    const entry = change(projection(await checker.seal(LISTED_ITEM)));

    // Act / Assess
    await expect(checker.openListing(entry)).rejects.toThrow('MAC does not match');
    expect(failures).toEqual([expect.objectContaining({ reason: 'MAC does not match', type: 'keyList index entry' })]);
  });
});

/** Changes to a sealed item, each leaving its MAC as it was. */
function CHANGES_AFTER_SEALING(): readonly [string, (item: Item) => Item][] {
  return [
    ['its state changed', (item) => ({ ...item, keyState: { S: 'Enabled' } })],
    ['a move to another key', (item) => ({ ...item, pk: { S: 'KEY#111122223333:us-east-1:5678efgh' } })],
    ['a MAC of another item put in', (item) => ({ ...item, [MAC_ATTRIBUTE]: { B: new Uint8Array(32) } })],
  ];
}
