/**
 * The contract of `GrantStore`, and of the `GrantLookup` built on it, run against the in-memory
 * fake and against DynamoStore on DynamoDB Local.
 */
import { describe, expect, it } from 'vitest';
import { useDynamoDbLocalTables } from './dynamodb-local-tables.js';
import { DynamoStore } from '../../src/adapters/dynamodb/dynamo-store.js';
import { issueGrantToken } from '../../src/core/kms/grants/grant-token.js';
import { StoredGrantLookup } from '../../src/core/kms/grants/stored-grant-lookup.js';
import type { StoredGrant } from '../../src/core/kms/grants/stored-grant.js';
import type { KeyRecord } from '../../src/core/kms/records.js';
import type { GrantStore, KeyStore, Page, PageRequest } from '../../src/core/ports/index.js';
import {
  AlreadyExistsException, InvalidGrantTokenException, InvalidMarkerException, KMSInvalidStateException, NotFoundException,
} from '../../src/models/kms/generated/errors.js';
import { InMemoryStore } from '../support/in-memory-store.js';
import { REGION, keyIdFor, makeBackingKey, makeKey } from './dynamodb/fixtures.js';
import { testIntegrity } from '../support/fake-record-authenticator.js';

type Store = GrantStore & KeyStore;

const dynamo = useDynamoDbLocalTables();

const STORES: readonly [string, () => Promise<Store>][] = [
  ['InMemoryStore', async () => new InMemoryStore()],
  ['DynamoStore', async () => {
    const tableName = await dynamo.newTable('grants');
    const client = dynamo.client();
    return new DynamoStore({ tableName, client, integrity: testIntegrity() });
  }],
];

const ACCOUNT = '111111111111';
const OTHER_ACCOUNT = '222222222222';
const GRANTEE = `arn:aws:iam::${ACCOUNT}:role/app`;
const RETIRER = `arn:aws:iam::${ACCOUNT}:role/ops`;

function grantIdFor(n: number): string {
  return n.toString(16).padStart(64, '0');
}

function makeGrant(key: KeyRecord, n: number, overrides: Partial<StoredGrant> = {}): StoredGrant {
  return {
    accountId: key.accountId,
    region: key.region,
    keyId: key.keyId,
    keyArn: key.arn,
    grantId: grantIdFor(n),
    granteePrincipal: GRANTEE,
    issuingAccount: `arn:aws:iam::${key.accountId}:root`,
    operations: ['Encrypt', 'Decrypt'],
    creationDate: 1_700_000_000_000 + n,
    tokenSecret: 'ab'.repeat(32),
    ...overrides,
  };
}

async function givenKey(store: Store, accountId = ACCOUNT, n = 1, overrides: Partial<KeyRecord> = {}): Promise<KeyRecord> {
  const key = makeKey(accountId, { keyId: keyIdFor(n), arn: `arn:aws:kms:${REGION}:${accountId}:key/${keyIdFor(n)}`, ...overrides });
  await store.createKey(key, makeBackingKey(key));
  return key;
}

async function all<T>(list: (page: PageRequest) => Promise<Page<T>>, limit: number): Promise<T[]> {
  const items: T[] = [];
  let marker: string | undefined;
  do {
    const page = await list(marker === undefined ? { limit } : { limit, marker });
    items.push(...page.items);
    marker = page.nextMarker;
  } while (marker !== undefined);
  return items;
}

function tokenOf(grant: StoredGrant, secret = grant.tokenSecret): string {
  return issueGrantToken({ grantId: grant.grantId, keyArn: grant.keyArn, secret }, '0'.repeat(32));
}

describe.each(STORES)('GrantStore contract: %s', (_name, makeStore) => {
  it('returns the grant with every property when createGrant wrote it', async () => {
    // Prepare
    const store = await makeStore();
    const key = await givenKey(store);
    const grant = makeGrant(key, 1, {
      retiringPrincipal: RETIRER,
      name: 'app-grant',
      constraints: { encryptionContextEquals: { Department: 'IT' }, encryptionContextSubset: {} },
    });
    // Act
    await store.createGrant(grant);
    // Assess
    expect(await store.getGrant(key, grant.grantId)).toEqual(grant);
    expect(await store.getGrant(key, grantIdFor(2))).toBeUndefined();
  });

  it('throws NotFoundException, KMSInvalidStateException or AlreadyExistsException and writes nothing when the key is missing, pending deletion or the grant ID is taken', async () => {
    // Prepare
    const store = await makeStore();
    const key = await givenKey(store);
    const pending = await givenKey(store, ACCOUNT, 2, { keyState: 'PendingDeletion', deletionDate: 1_800_000_000_000 });
    const missing = makeKey(ACCOUNT, { keyId: keyIdFor(3), arn: `arn:aws:kms:${REGION}:${ACCOUNT}:key/${keyIdFor(3)}` });
    await store.createGrant(makeGrant(key, 1));
    // Act
    const results = await Promise.allSettled([
      store.createGrant(makeGrant(missing, 2)),
      store.createGrant(makeGrant(pending, 3)),
      store.createGrant(makeGrant(key, 1, { name: 'again' })),
    ]);
    // Assess
    expect(results.map((result) => result.status === 'rejected' ? (result.reason as Error).constructor : undefined))
      .toEqual([NotFoundException, KMSInvalidStateException, AlreadyExistsException]);
    expect(results[2]?.status === 'rejected' ? (results[2].reason as Error).message : undefined).toBe(`Grant ${grantIdFor(1)} already exists`);
    expect(await store.getGrant(missing, grantIdFor(2))).toBeUndefined();
    expect(await store.getGrant(pending, grantIdFor(3))).toBeUndefined();
    expect((await store.getGrant(key, grantIdFor(1)))?.name).toBeUndefined();
  });

  it('lists the key\'s grants, and only its, by grant ID across pages, and only a grantee\'s when asked', async () => {
    // Prepare
    const store = await makeStore();
    const key = await givenKey(store);
    const other = await givenKey(store, ACCOUNT, 2);
    const other2 = `arn:aws:iam::${ACCOUNT}:user/bob`;
    for (const n of [5, 1, 4, 2, 3]) await store.createGrant(makeGrant(key, n, n % 2 === 0 ? { granteePrincipal: other2 } : {}));
    await store.createGrant(makeGrant(other, 9));
    // Act
    const listed = await all((page) => store.listGrants(key, page), 2);
    const bobs = await all((page) => store.listGrants(key, { ...page, granteePrincipal: other2 }), 1);
    const onePage = await store.listGrants(key, { limit: 5 });
    // Assess
    expect(listed.map((grant) => grant.grantId)).toEqual([1, 2, 3, 4, 5].map(grantIdFor));
    expect(bobs.map((grant) => grant.grantId)).toEqual([2, 4].map(grantIdFor));
    expect(onePage.nextMarker).toBeUndefined();
    expect((await store.allGrants(key)).map((grant) => grant.grantId)).toEqual([1, 2, 3, 4, 5].map(grantIdFor));
    expect(await store.countGrants(key)).toBe(5);
    expect(await store.countGrants(other)).toBe(1);
  });

  it('lists the grants of a Region a principal may retire, in every account, across pages', async () => {
    // Prepare
    const store = await makeStore();
    const key = await givenKey(store);
    const foreign = await givenKey(store, OTHER_ACCOUNT, 2);
    const elsewhere = await givenKey(store, ACCOUNT, 3, { region: 'us-west-2', arn: `arn:aws:kms:us-west-2:${ACCOUNT}:key/${keyIdFor(3)}` });
    await store.createGrant(makeGrant(key, 1, { retiringPrincipal: RETIRER }));
    await store.createGrant(makeGrant(key, 2));
    await store.createGrant(makeGrant(key, 3, { retiringPrincipal: GRANTEE }));
    await store.createGrant(makeGrant(foreign, 4, { retiringPrincipal: RETIRER }));
    await store.createGrant(makeGrant(foreign, 5, { retiringPrincipal: RETIRER }));
    await store.createGrant(makeGrant(elsewhere, 6, { retiringPrincipal: RETIRER }));
    // Act
    const retirable = await all((page) => store.listRetirableGrants(REGION, RETIRER, page), 1);
    // Assess
    expect(retirable.map((grant) => grant.grantId)).toEqual([1, 4, 5].map(grantIdFor));
    expect(retirable[1]).toEqual(makeGrant(foreign, 4, { retiringPrincipal: RETIRER }));
  });

  it('throws InvalidMarkerException when a listing marker is not one it issued', async () => {
    // Prepare
    const store = await makeStore();
    const key = await givenKey(store);
    // Act
    const results = await Promise.allSettled([
      store.listGrants(key, { limit: 1, marker: 'not-a-marker' }),
      store.listRetirableGrants(REGION, RETIRER, { limit: 1, marker: 'not-a-marker' }),
    ]);
    // Assess
    expect(results.map((result) => result.status === 'rejected' && result.reason instanceof InvalidMarkerException)).toEqual([true, true]);
  });

  it('returns true and forgets the grant when deleteGrant deletes it, and false when there is none', async () => {
    // Prepare
    const store = await makeStore();
    const key = await givenKey(store);
    await store.createGrant(makeGrant(key, 1, { retiringPrincipal: RETIRER }));
    // Act
    const first = await store.deleteGrant(key, grantIdFor(1));
    const second = await store.deleteGrant(key, grantIdFor(1));
    // Assess
    expect([first, second]).toEqual([true, false]);
    expect(await store.getGrant(key, grantIdFor(1))).toBeUndefined();
    expect(await store.allGrants(key)).toEqual([]);
    expect((await store.listRetirableGrants(REGION, RETIRER, { limit: 10 })).items).toEqual([]);
  });
});

describe.each(STORES)('GrantLookup contract over %s', (_name, makeStore) => {
  it('returns every grant on the key, and none of another key, from grantsForKey', async () => {
    // Prepare
    const store = await makeStore();
    const key = await givenKey(store);
    const other = await givenKey(store, ACCOUNT, 2);
    await store.createGrant(makeGrant(key, 1));
    await store.createGrant(makeGrant(other, 2));
    const lookup = new StoredGrantLookup(store);
    // Act
    const grants = await lookup.grantsForKey(key);
    // Assess
    expect(grants.map((grant) => grant.grantId)).toEqual([grantIdFor(1)]);
    expect(grants[0]).toMatchObject({ keyArn: key.arn, granteePrincipal: GRANTEE, operations: ['Encrypt', 'Decrypt'] });
  });

  it('returns the grants the tokens name on the key, once each, and ignores tokens of other keys and of deleted grants', async () => {
    // Prepare
    const store = await makeStore();
    const key = await givenKey(store);
    const other = await givenKey(store, ACCOUNT, 2);
    const [first, second, deleted, foreign] = [makeGrant(key, 1), makeGrant(key, 2), makeGrant(key, 3), makeGrant(other, 4)];
    for (const grant of [first, second, deleted, foreign]) await store.createGrant(grant);
    await store.deleteGrant(key, deleted.grantId);
    const lookup = new StoredGrantLookup(store);
    // Act
    const grants = await lookup.grantsForTokens([tokenOf(first), tokenOf(foreign), tokenOf(deleted), tokenOf(second), tokenOf(first)], key);
    // Assess
    expect(grants.map((grant) => grant.grantId)).toEqual([grantIdFor(1), grantIdFor(2)]);
  });

  it.each([
    ['is not base64url', () => 'not a token!'],
    ['is cut short', (grant: StoredGrant) => tokenOf(grant).slice(0, 40)],
    ['carries another secret than its grant (a grant token carries the secret of the grant it names)', (grant: StoredGrant) => tokenOf(grant, 'cd'.repeat(32))],
  ])('throws InvalidGrantTokenException when a token %s', async (_case, token) => {
    // Prepare
    const store = await makeStore();
    const key = await givenKey(store);
    const grant = makeGrant(key, 1);
    await store.createGrant(grant);
    const lookup = new StoredGrantLookup(store);
    // Act
    const result = lookup.grantsForTokens([tokenOf(grant), token(grant)], key);
    // Assess
    await expect(result).rejects.toBeInstanceOf(InvalidGrantTokenException);
  });
});
