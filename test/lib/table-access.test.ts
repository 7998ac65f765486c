import { beforeAll, describe, expect, it } from 'vitest';
import {
  accessKeyToItem, aliasToItem, backingKeyToItem, grantToItem, keyToItem,
} from '../../src/adapters/dynamodb/item-mapping.js';
import {
  accessKeyKey, aliasKey, grantKey, iamPartition, keyMetadataKey, keyPartition, usageKey, keysListPartition, principalPartition,
} from '../../src/adapters/dynamodb/item-keys.js';
import type { StoredGrant } from '../../src/core/kms/grants/stored-grant.js';
import type { KeyRecord } from '../../src/core/kms/records.js';
import { KEY_MATERIAL_ATTRIBUTES } from '../../lib/constructs/table-access.js';
import { makeAccessKey, makeAlias, makeBackingKey, makeKey } from '../adapters/dynamodb/fixtures.js';
import { allows, iamRequestsOf } from './iam-evaluation.js';
import type { ServiceFunction } from './operation-steps.js';
import { GROUPS, actionsOf, functionId, roleOf, stackUnderTest, statementsOf, type Json } from './synth.js';

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
  ['tags', 'lists every key of an account', 'QueryCommand', query('gsi1pk', keysListPartition(OTHER_ACCOUNT, KEY.region), 'gsi1')],
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
  ...FUNCTIONS.flatMap((fn): [ServiceFunction, string, string, unknown][] => [
    [fn, 'scans the table', 'ScanCommand', { TableName: TABLE }],
    [fn, 'writes in bulk', 'BatchWriteItemCommand', { RequestItems: {} }],
    [fn, 'reads in bulk', 'BatchGetItemCommand', { RequestItems: {} }],
    [fn, 'updates an item in place', 'UpdateItemCommand', keyed(keyMetadataKey(ACCOUNT, KEY.region, KEY.keyId))],
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
  ])('allows %s what its operations need, e.g. when it %s', (fn, _, command, input) => {
    // Prepare / Act
    const allowed = mayRun(fn, command, input);

    // Assess
    expect(allowed).toBe(true);
  });

  it.each(FUNCTIONS)('grants %s no wildcard action and no DynamoDB action without a partition condition', (fn) => {
    // Prepare / Act
    const { statements } = policyOf(fn);

    // Assess
    expect(statements.flatMap(actionsOf).filter((action) => action.includes('*'))).toEqual([]);
    for (const statement of statements.filter((s) => actionsOf(s).some((action) => action.startsWith('dynamodb:')))) {
      expect(statement['Condition']).toMatchObject({ 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': expect.any(Array) as unknown } });
    }
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
