import { beforeAll, describe, expect, it } from 'vitest';
import {
  accessKeyToItem, aliasToItem, backingKeyToItem, grantToItem, keyToItem,
} from '../../src/adapters/dynamodb/item-mapping.js';
import {
  accessKeyKey, accessKeyPartition, aliasKey, aliasPartition, grantKey, grantsPartition, iamPartition, keyMetadataKey, keyPartition, usageKey, usagePartition,
  keysListPartition, principalPartition, servicePartition,
} from '../../src/adapters/dynamodb/item-keys.js';
import { MAC_ATTRIBUTE, isAuthenticatedPartition } from '../../src/adapters/dynamodb/item-integrity.js';
import { KEY_LIST_INDEX } from '../../src/adapters/dynamodb/table-definition.js';
import type { StoredGrant } from '../../src/core/kms/grants/stored-grant.js';
import type { KeyRecord } from '../../src/core/kms/records.js';
import { KEY_MATERIAL_ATTRIBUTES } from '../../lib/constructs/table-access.js';
import { makeAccessKey, makeAlias, makeBackingKey, makeKey } from '../adapters/dynamodb/fixtures.js';
import { allows, iamRequestsOf, resolved } from './iam-evaluation.js';
import type { ServiceFunction } from './operation-steps.js';
import { GROUPS, actionsOf, functionId, resourceList, roleOf, stackUnderTest, statementsOf, type Json } from './synth.js';

const ACCOUNT = '111122223333';
const OTHER_ACCOUNT = '444455556666';
const KEY = makeKey(ACCOUNT);
const VICTIM_KEY = makeKey(OTHER_ACCOUNT);
const FUNCTIONS: ServiceFunction[] = ['front', 'lifecycle', ...GROUPS];

function makeGrantItem(key: KeyRecord): StoredGrant {
  return {
    accountId: key.accountId, region: key.region, keyId: key.keyId, keyArn: key.arn, grantId: 'a'.repeat(64),
    granteePrincipal: `arn:aws:iam::${OTHER_ACCOUNT}:root`, issuingAccount: `arn:aws:iam::${key.accountId}:root`,
    operations: ['Decrypt'], creationDate: 0, tokenSecret: 'b'.repeat(64),
  };
}

beforeAll(() => {
  stackUnderTest();
}, 60_000);

/** Every policy statement of the function's role, and the table as its statements name it. */
function policyOf(fn: ServiceFunction): { statements: Json[]; table: string } {
  const { stack, template } = stackUnderTest();
  const lambda = fn === 'front' ? stack.frontFunction : fn === 'lifecycle' ? stack.lifecycleFunction : stack.groupFunctions[fn];
  const tableId = Object.keys(template.findResources('AWS::DynamoDB::GlobalTable'))[0] ?? '';
  return { statements: statementsOf(template, roleOf(template, functionId(stack, lambda))), table: `${tableId}.Arn` };
}

/** Whether the function's role allows every IAM request DynamoDB makes of the command. */
function mayRun(fn: ServiceFunction, command: string, input: unknown): boolean {
  const { statements, table } = policyOf(fn);
  return iamRequestsOf(command, input, table).every((request) => allows(statements, request));
}

const TABLE = 'kms';
const put = (Item: Json) => ({ TableName: TABLE, Item });
const keyed = (Key: Json) => ({ TableName: TABLE, Key });
/** An UpdateItem that sets `values`, each attribute named through a placeholder (as the store writes them). */
const updates = (Key: Json, values: Record<string, unknown>) => {
  const names = Object.keys(values);
  return {
    TableName: TABLE, Key,
    UpdateExpression: `SET ${names.map((_, i) => `#a${i} = :v${i}`).join(', ')}`,
    ExpressionAttributeNames: Object.fromEntries(names.map((name, i) => [`#a${i}`, name])),
    ExpressionAttributeValues: Object.fromEntries(names.map((name, i) => [`:v${i}`, values[name]])),
  };
};
const query = (partitionKey: string, value: string, index?: string) => ({
  TableName: TABLE,
  ...(index === undefined ? {} : { IndexName: index }),
  KeyConditionExpression: '#p = :p',
  ExpressionAttributeNames: { '#p': partitionKey },
  ExpressionAttributeValues: { ':p': { S: value } },
});

/** What a compromised function might send, beyond what its operations ever do. */
const ATTACKS: [ServiceFunction, string, string, unknown][] = [
  ['tags', 'rewrites an access key to name another account\'s principal', 'PutItemCommand',
    put(accessKeyToItem(makeAccessKey('AKIAEXAMPLE000000001', { accountId: OTHER_ACCOUNT })))],
  ['tags', 'plants key material into a key', 'PutItemCommand', put(backingKeyToItem(makeBackingKey(VICTIM_KEY)))],
  ['tags', 'reads an access key\'s sealed secret', 'GetItemCommand', keyed(accessKeyKey('AKIAEXAMPLE000000001'))],
  ['tags', 'repoints an alias', 'PutItemCommand', put(aliasToItem(makeAlias(VICTIM_KEY, 'alias/app')))],
  ['tags', 'deletes a key', 'DeleteItemCommand', keyed(keyMetadataKey(OTHER_ACCOUNT, VICTIM_KEY.region, VICTIM_KEY.keyId))],
  ['tags', 'lists every key of an account', 'QueryCommand', query(KEY_LIST_INDEX.partitionKey, keysListPartition(OTHER_ACCOUNT, KEY.region), KEY_LIST_INDEX.indexName)],
  ['aliases', 'rewrites a key\'s metadata', 'PutItemCommand', put(keyToItem({ ...VICTIM_KEY, keyState: 'Disabled' }))],
  ['aliases', 'writes an alias item carrying key material', 'PutItemCommand',
    put({ ...aliasToItem(makeAlias(KEY, 'alias/app')), wrappedMaterial: { B: new Uint8Array(32) } })],
  ['aliases', 'reads an access key\'s sealed secret', 'GetItemCommand', keyed(accessKeyKey('AKIAEXAMPLE000000001'))],
  ['aliases', 'lists a principal\'s access keys', 'QueryCommand', query('gsi1pk', principalPartition(`arn:aws:iam::${ACCOUNT}:root`), 'gsi1')],
  ['keys', 'rewrites an access key', 'PutItemCommand', put(accessKeyToItem(makeAccessKey('AKIAEXAMPLE000000001')))],
  ['keys', 'reads an access key\'s sealed secret', 'GetItemCommand', keyed(accessKeyKey('AKIAEXAMPLE000000001'))],
  ['keys', 'deletes an alias', 'DeleteItemCommand', keyed(aliasKey(ACCOUNT, KEY.region, 'alias/app'))],
  ['grants', 'rewrites a key\'s metadata', 'PutItemCommand', put(keyToItem({ ...VICTIM_KEY, keyState: 'Disabled' }))],
  ['grants', 'plants key material into a key', 'PutItemCommand', put(backingKeyToItem(makeBackingKey(VICTIM_KEY)))],
  ['grants', 'writes a grant item carrying key material', 'PutItemCommand',
    put({ ...grantToItem(makeGrantItem(KEY)), wrappedMaterial: { B: new Uint8Array(32) } })],
  ['grants', 'reads an access key\'s sealed secret', 'GetItemCommand', keyed(accessKeyKey('AKIAEXAMPLE000000001'))],
  ['grants', 'repoints an alias', 'PutItemCommand', put(aliasToItem(makeAlias(VICTIM_KEY, 'alias/app')))],
  ['grants', 'deletes a key', 'DeleteItemCommand', keyed(keyMetadataKey(OTHER_ACCOUNT, VICTIM_KEY.region, VICTIM_KEY.keyId))],
  ['grants', 'reads a key\'s items by partition', 'QueryCommand', query('pk', keyPartition(OTHER_ACCOUNT, KEY.region, VICTIM_KEY.keyId))],
  ['tags', 'writes a grant', 'PutItemCommand', put(grantToItem(makeGrantItem(VICTIM_KEY)))],
  ['keys', 'deletes a grant', 'DeleteItemCommand', keyed(grantKey(ACCOUNT, KEY.region, KEY.keyId, 'a'.repeat(64)))],
  ['front', 'reads a key\'s items by partition', 'QueryCommand', query('pk', keyPartition(OTHER_ACCOUNT, KEY.region, VICTIM_KEY.keyId))],
  ['front', 'deletes a grant', 'DeleteItemCommand', keyed(grantKey(ACCOUNT, KEY.region, KEY.keyId, 'a'.repeat(64)))],
  ['front', 'writes a grant', 'PutItemCommand', put(grantToItem(makeGrantItem(VICTIM_KEY)))],
  ['identities', 'rewrites a key\'s metadata', 'PutItemCommand', put(keyToItem({ ...VICTIM_KEY, keyState: 'Disabled' }))],
  ['identities', 'repoints an alias', 'PutItemCommand', put(aliasToItem(makeAlias(VICTIM_KEY, 'alias/app')))],
  ['identities', 'reads a key\'s backing keys', 'QueryCommand', query('pk', keyPartition(OTHER_ACCOUNT, KEY.region, VICTIM_KEY.keyId))],
  ['identities', 'writes an IAM item carrying key material', 'PutItemCommand',
    put({ pk: { S: iamPartition(OTHER_ACCOUNT) }, sk: { S: 'USER#mallory' }, sealedSecretCiphertext: { B: new Uint8Array(32) } })],
  ['front', 'writes an IAM user', 'PutItemCommand', put({ pk: { S: iamPartition(OTHER_ACCOUNT) }, sk: { S: 'USER#mallory' } })],
  ['front', 'writes anything', 'PutItemCommand', put(keyToItem(VICTIM_KEY))],
  ['front', 're-enables a key through UpdateItem', 'UpdateItemCommand', {
    ...keyed(keyMetadataKey(ACCOUNT, KEY.region, KEY.keyId)), UpdateExpression: 'SET keyState = :s', ExpressionAttributeValues: { ':s': { S: 'Enabled' } },
  }],
  ['front', 'plants key material into a usage item', 'UpdateItemCommand', {
    ...keyed(usageKey(ACCOUNT, KEY.region, KEY.keyId)), UpdateExpression: 'SET #m = :m', ExpressionAttributeNames: { '#m': 'wrappedMaterial' }, ExpressionAttributeValues: { ':m': { B: new Uint8Array(1) } },
  }],
  ['front', 'deletes an alias', 'DeleteItemCommand', keyed(aliasKey(ACCOUNT, KEY.region, 'alias/app'))],
  ['front', 'lists a principal\'s access keys', 'QueryCommand', query('gsi1pk', principalPartition(`arn:aws:iam::${ACCOUNT}:root`), 'gsi1')],
  // The lifecycle function scans the base table and sets MACs (its record check), and nothing more.
  ['lifecycle', 'scans the keys index', 'ScanCommand', { TableName: TABLE, IndexName: 'gsi1' }],
  ['lifecycle', 'scans the due-date index', 'ScanCommand', { TableName: TABLE, IndexName: 'due' }],
  ['lifecycle', 're-enables a key through UpdateItem', 'UpdateItemCommand', updates(keyMetadataKey(ACCOUNT, KEY.region, KEY.keyId), { keyState: { S: 'Enabled' } })],
  ['lifecycle', 'plants key material into a key through UpdateItem', 'UpdateItemCommand',
    updates(keyMetadataKey(OTHER_ACCOUNT, VICTIM_KEY.region, VICTIM_KEY.keyId), { wrappedMaterial: { B: new Uint8Array(32) } })],
  ['lifecycle', 'rewrites an access key\'s principal beside its MAC', 'UpdateItemCommand',
    updates(accessKeyKey('AKIAEXAMPLE000000001'), { principalArn: { S: `arn:aws:iam::${OTHER_ACCOUNT}:root` }, [MAC_ATTRIBUTE]: { B: new Uint8Array(32) } })],
  ['lifecycle', 'rewrites an IAM user\'s policies beside its MAC', 'UpdateItemCommand',
    updates({ pk: { S: iamPartition(ACCOUNT) }, sk: { S: 'USER#bob' } }, { inlinePolicyCount: { N: '0' }, [MAC_ATTRIBUTE]: { B: new Uint8Array(32) } })],
  ['lifecycle', 'writes an access key', 'PutItemCommand', put(accessKeyToItem(makeAccessKey('AKIAEXAMPLE000000001')))],
  ['lifecycle', 'reads an access key\'s sealed secret', 'GetItemCommand', keyed(accessKeyKey('AKIAEXAMPLE000000001'))],
  ...FUNCTIONS.flatMap((fn): [ServiceFunction, string, string, unknown][] => [
    ...(fn === 'lifecycle' ? [] : [
      [fn, 'scans the table', 'ScanCommand', { TableName: TABLE }],
      [fn, 'updates an item in place', 'UpdateItemCommand', keyed(keyMetadataKey(ACCOUNT, KEY.region, KEY.keyId))],
      [fn, 'gives an item a MAC', 'UpdateItemCommand', updates(aliasKey(ACCOUNT, KEY.region, 'alias/app'), { [MAC_ATTRIBUTE]: { B: new Uint8Array(32) } })],
    ] satisfies [ServiceFunction, string, string, unknown][]),
    [fn, 'writes in bulk', 'BatchWriteItemCommand', { RequestItems: {} }],
    [fn, 'reads in bulk', 'BatchGetItemCommand', { RequestItems: {} }],
  ]),
];

describe('the table permissions of each function', () => {
  it.each(ATTACKS)('denies %s when it %s', (fn, _, command, input) => {
    // Prepare / Act
    const allowed = mayRun(fn, command, input);

    // Assess
    expect(allowed).toBe(false);
  });

  it.each<[ServiceFunction, string, string, unknown]>([
    ['tags', 'rewrites a key\'s metadata', 'PutItemCommand', put(keyToItem(KEY))],
    ['aliases', 'writes an alias', 'PutItemCommand', put(aliasToItem(makeAlias(KEY, 'alias/app')))],
    ['keys', 'writes a backing key', 'PutItemCommand', put(backingKeyToItem(makeBackingKey(KEY)))],
    ['front', 'reads an access key', 'GetItemCommand', keyed(accessKeyKey('AKIAEXAMPLE000000001'))],
    ['lifecycle', 'scans the table', 'ScanCommand', { TableName: TABLE, ConsistentRead: true }],
    // As the upgrade sets a MAC (record-scan.ts).
    ...[accessKeyKey('AKIAEXAMPLE000000001'), aliasKey(ACCOUNT, KEY.region, 'alias/app'), { pk: { S: iamPartition(ACCOUNT) }, sk: { S: 'USER#bob' } }]
      .map((key): [ServiceFunction, string, string, unknown] => ['lifecycle', `gives ${key['pk']?.S ?? ''} its MAC`, 'UpdateItemCommand', {
        TableName: TABLE, Key: key, UpdateExpression: 'SET #mac = :mac', ConditionExpression: 'attribute_exists(#pk) AND attribute_not_exists(#mac)',
        ExpressionAttributeNames: { '#pk': 'pk', '#mac': MAC_ATTRIBUTE }, ExpressionAttributeValues: { ':mac': { B: new Uint8Array(32) } },
      }]),
  ])('allows %s what its operations need, e.g. when it %s', (fn, _, command, input) => {
    // Prepare / Act
    const allowed = mayRun(fn, command, input);

    // Assess
    expect(allowed).toBe(true);
  });

  it.each(FUNCTIONS)('grants %s no wildcard action and no DynamoDB action but the lifecycle function\'s Scan without a partition condition', (fn) => {
    // Prepare / Act
    const { statements } = policyOf(fn);

    // Assess
    expect(statements.flatMap(actionsOf).filter((action) => action.includes('*'))).toEqual([]);
    const unlimited = (s: Json) => actionsOf(s).some((action) => action.startsWith('dynamodb:')) && !(fn === 'lifecycle' && actionsOf(s).includes('dynamodb:Scan'));
    for (const statement of statements.filter(unlimited)) {
      expect(statement['Condition']).toMatchObject({ 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': expect.any(Array) as unknown } });
    }
  });

  it('lets only the lifecycle function scan, the base table alone, in a statement with no other action', () => {
    // Prepare / Act
    const scans = FUNCTIONS.map((fn) => {
      const { statements, table } = policyOf(fn);
      return { fn, table, scans: statements.filter((statement) => actionsOf(statement).includes('dynamodb:Scan')) };
    }).filter(({ scans: found }) => found.length > 0);

    // Assess
    expect(scans.map(({ fn }) => fn)).toEqual(['lifecycle']);
    const [{ scans: [statement], table } = { scans: [], table: '' }] = scans;
    expect(actionsOf(statement ?? {})).toEqual(['dynamodb:Scan']);
    expect(resourceList(statement ?? {}).map(resolved)).toEqual([table]);
    expect(statement?.['Effect']).toBe('Allow');
  });

  it('lets the lifecycle function update items of the authenticated partitions only, naming no attribute but the table key and the MAC', () => {
    // Prepare
    const { statements } = policyOf('lifecycle');
    // Every partition of the base table, by its kind, and those whose items carry a MAC.
    const baseTable = [keyPartition(ACCOUNT, KEY.region, KEY.keyId), aliasPartition(ACCOUNT, KEY.region), grantsPartition(ACCOUNT, KEY.region, KEY.keyId),
      accessKeyPartition('AKIAEXAMPLE000000001'), iamPartition(ACCOUNT), usagePartition(ACCOUNT, KEY.region, KEY.keyId), servicePartition('usage-tracking')];
    const authenticated = baseTable.filter(isAuthenticatedPartition).map((pk) => `${pk.slice(0, pk.indexOf('#') + 1)}*`);

    // Act
    const updates = statements.filter((statement) => actionsOf(statement).includes('dynamodb:UpdateItem'));

    // Assess
    expect(updates).toHaveLength(1);
    expect(actionsOf(updates[0] ?? {})).toEqual(['dynamodb:UpdateItem']);
    expect(updates[0]?.['Condition']).toEqual({
      'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': expect.arrayContaining(authenticated) as unknown },
      'ForAllValues:StringEquals': { 'dynamodb:Attributes': ['pk', 'sk', MAC_ATTRIBUTE] },
    });
    expect([(updates[0]?.['Condition'] as Record<string, Record<string, unknown>>)['ForAllValues:StringLike']?.['dynamodb:LeadingKeys']].flat()).toHaveLength(authenticated.length);
  });

  it('names as key material exactly the binary attributes of the stored items', () => {
    // Prepare
    const items = [
      keyToItem({ ...KEY, deletionDate: 1 }),
      backingKeyToItem(makeBackingKey(KEY, { tier: 'software', publicKey: new Uint8Array(4) })),
      aliasToItem(makeAlias(KEY, 'alias/app')),
      accessKeyToItem(makeAccessKey('AKIAEXAMPLE000000001')),
    ];

    // Act
    const binary = items.flatMap((item) => Object.entries(item).filter(([, value]) => value.B !== undefined).map(([name]) => name));

    // Assess
    expect(new Set(binary)).toEqual(new Set(KEY_MATERIAL_ATTRIBUTES));
  });
});
