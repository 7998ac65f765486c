import { PutItemCommand, UpdateItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureTable } from '../../src/adapters/dynamodb/create-table.js';
import { DynamoStore } from '../../src/adapters/dynamodb/dynamo-store.js';
import { DynamoDueIndex } from '../../src/adapters/dynamodb/due-index.js';
import { DynamoKeyRemoval } from '../../src/adapters/dynamodb/key-removal.js';
import { runDueWork } from '../../src/core/kms/lifecycle/due-work.js';
import { TouchedResources } from '../../src/core/kms/service.js';
import type { OperationName } from '../../src/models/kms/generated/operations.js';
import { runEncodedOperation } from '../../src/pipeline/run-operation.js';
import { StoredCredentialResolver, secretAad } from '../../src/authn/stored-credentials.js';
import type { CoreDeps } from '../../src/core/kms/service.js';
import { startDynamoDbLocal, type DynamoDbLocal } from '../../src/local/dynamodb-local.js';
import { ACCOUNT_ID, ManualTimers, REGION } from '../support/core.js';
import { CoalescingUsageLog } from '../../src/adapters/usage/coalescing-usage-log.js';
import { DynamoKeyUsageStore } from '../../src/adapters/dynamodb/key-usage-store.js';
import { FakeAsymmetricMaterial } from '../support/fake-asymmetric-material.js';
import { FakeKeyImport } from '../support/fake-key-import.js';
import { wrapForImport } from '../support/wrap-for-import.js';
import { randomBytes } from 'node:crypto';
import { FakeClock } from '../support/fake-clock.js';
import { FakeKeyMaterial } from '../support/fake-key-material.js';
import { SequentialIds } from '../support/sequential-ids.js';
import { allows, iamRequestsOf, type IamRequest } from './iam-evaluation.js';
import { functionOf, runIdentitySteps, runSteps, type ServiceFunction } from './operation-steps.js';
import { DynamoIdentityStore } from '../../src/adapters/dynamodb/identity-store.js';
import { assembleIdentities } from '../../src/composition/identity-deps.js';
import { makeContext } from '../support/core.js';
import { GROUPS, functionId, roleOf, stackUnderTest, statementsOf } from './synth.js';
import { makeAccess } from '../support/identity-directory.js';
import { FakeRecordAuthenticator, testIntegrity } from '../support/fake-record-authenticator.js';
import { ItemIntegrity, MAC_ATTRIBUTE, type IntegrityFailure } from '../../src/adapters/dynamodb/item-integrity.js';
import { accessKeyToItem, aliasToItem, backingKeyToItem, grantToItem, keyToItem, type Item } from '../../src/adapters/dynamodb/item-mapping.js';
import { aliasKey, iamPartition, usageKey } from '../../src/adapters/dynamodb/item-keys.js';
import { tableVerification } from '../../src/composition/lambda-runtime.js';
import { makeAccessKey, makeAlias, makeBackingKey, makeKey } from '../adapters/dynamodb/fixtures.js';

const TABLE = 'kms';

let local: DynamoDbLocal;
let client: DynamoDBClient;
/** The function the commands sent now are attributed to; undefined during set-up. */
let attributedTo: ServiceFunction | undefined;
const sent: { fn: ServiceFunction; command: string; input: unknown }[] = [];

beforeAll(async () => {
  stackUnderTest();
  local = await startDynamoDbLocal({});
  client = local.client();
  await ensureTable(client, TABLE);
  client.middlewareStack.add((next, context) => async (args) => {
    if (attributedTo !== undefined) sent.push({ fn: attributedTo, command: context.commandName ?? '', input: structuredClone(args.input) });
    return next(args);
  }, { step: 'initialize', name: 'recordForIamCheck' });
});

afterAll(async () => {
  client?.destroy();
  await local?.stop();
});

/** The IAM requests of everything `fn` sent that its role's statements do not allow. */
function deniedFor(fn: ServiceFunction): IamRequest[] {
  const { stack, template } = stackUnderTest();
  const lambda = fn === 'front' ? stack.frontFunction : fn === 'lifecycle' ? stack.lifecycleFunction : stack.groupFunctions[fn];
  const statements = statementsOf(template, roleOf(template, functionId(stack, lambda)));
  const tableId = Object.keys(template.findResources('AWS::DynamoDB::GlobalTable'))[0] ?? '';
  return sent
    .filter((command) => command.fn === fn)
    .flatMap((command) => iamRequestsOf(command.command, command.input, `${tableId}.Arn`))
    .filter((request) => !allows(statements, request));
}

describe('the table permissions of each function, against DynamoDB Local', () => {
  it('allow every request the store sends for every built operation and every SigV4 credential lookup', async () => {
    // Prepare
    const store = new DynamoStore({ tableName: TABLE, client, integrity: testIntegrity() });
    const material = new FakeKeyMaterial();
    const usage = new CoalescingUsageLog({ store: new DynamoKeyUsageStore({ client, tableName: TABLE }), clock: new FakeClock(), timers: new ManualTimers() });
    const clock = new FakeClock();
    // The deployment's scheduler writes EventBridge schedules, not the table; key removal is the table's.
    const lifecycle = { scheduler: { arrange: async () => undefined }, removal: new DynamoKeyRemoval({ client, tableName: TABLE, integrity: testIntegrity() }) };
    const asymmetric = new FakeAsymmetricMaterial();
    const deps: CoreDeps = {
      keys: store, aliases: store, grants: store, material, asymmetric, keyImport: new FakeKeyImport(material, asymmetric), clock, ids: new SequentialIds(),
      access: makeAccess(), usage, lifecycle,
    };
    const accessKeyId = 'AKIAEXAMPLE000000001';
    await store.putAccessKey({
      accessKeyId,
      sealedSecret: await material.sealSecret(new TextEncoder().encode('secret'), secretAad(accessKeyId)),
      accountId: ACCOUNT_ID,
      principalArn: `arn:aws:iam::${ACCOUNT_ID}:root`,
      principalId: ACCOUNT_ID,
      status: 'Active',
      creationDate: 0,
    });
    const identityStore = new DynamoIdentityStore({ tableName: TABLE, client, integrity: testIntegrity() });
    await identityStore.putAccount(ACCOUNT_ID, 0);
    const identities = assembleIdentities({ client, tableName: TABLE, integrity: testIntegrity(), credentials: store, material, clock: new FakeClock(), ids: new SequentialIds() }, identityStore);
    const credentials = new StoredCredentialResolver({ store, material, clock: new FakeClock(), ttlMs: 0, identities: identityStore });

    // Act
    const results = await runSteps(() => deps, {
      before: (operation) => { attributedTo = functionOf(operation); },
      after: () => { attributedTo = undefined; },
    });
    attributedTo = 'identities';
    const identityResults = await runIdentitySteps(identities.run);
    await identities.run('iam', 'CreateUser', { UserName: 'bob' }, makeContext());
    const bobKey = (await identities.run('iam', 'CreateAccessKey', { UserName: 'bob' }, makeContext()))?.['AccessKey'] as { AccessKeyId: string };
    // The lifecycle function: a deletion and an on-demand rotation fall due, and a sweep runs them.
    attributedTo = undefined;
    const call = async (operation: OperationName, input: Record<string, unknown>) =>
      JSON.parse(await runEncodedOperation(deps, operation, JSON.stringify(input), makeContext(), new TouchedResources())) as { KeyMetadata?: { KeyId?: string } };
    const doomed = (await call('CreateKey', {})).KeyMetadata?.KeyId ?? '';
    await call('CreateAlias', { AliasName: 'alias/doomed', TargetKeyId: doomed });
    await call('ScheduleKeyDeletion', { KeyId: doomed, PendingWindowInDays: 7 });
    const rotated = (await call('CreateKey', {})).KeyMetadata?.KeyId ?? '';
    await call('RotateKeyOnDemand', { KeyId: rotated });
    const expiring = (await call('CreateKey', { Origin: 'EXTERNAL' })).KeyMetadata?.KeyId ?? '';
    const parameters = JSON.parse(await runEncodedOperation(deps, 'GetParametersForImport',
      JSON.stringify({ KeyId: expiring, WrappingAlgorithm: 'RSAES_OAEP_SHA_1', WrappingKeySpec: 'RSA_2048' }), makeContext(), new TouchedResources())) as { ImportToken: string; PublicKey: string };
    await call('ImportKeyMaterial', {
      KeyId: expiring, ImportToken: parameters.ImportToken, ValidTo: (clock.now().getTime() + 86_400_000) / 1000,
      EncryptedKeyMaterial: Buffer.from(wrapForImport(Buffer.from(parameters.PublicKey, 'base64'), 'RSAES_OAEP_SHA_1', randomBytes(32))).toString('base64'),
    });
    clock.advance(8 * 86_400_000);
    attributedTo = 'lifecycle';
    const outcomes = [];
    for (const { locator } of await new DynamoDueIndex({ client, tableName: TABLE }).dueKeys(clock.now().getTime())) outcomes.push(await runDueWork(deps, lifecycle, locator));
    attributedTo = undefined;
    const [listed] = (await store.listKeys(ACCOUNT_ID, REGION, { limit: 1 })).items;
    const usedKey = listed === undefined ? undefined : { accountId: ACCOUNT_ID, region: REGION, keyId: listed.keyId };
    attributedTo = 'front';
    // The front notes the keys each cryptographic operation used, and writes them out.
    if (usedKey !== undefined) usage.note(usedKey, { operation: 'Encrypt', cloudTrailEventId: 'event', kmsRequestId: 'request' });
    await usage.flush();
    const resolved = await credentials.resolve(accessKeyId);
    const bob = await credentials.resolve(bobKey.AccessKeyId);
    await credentials.resolve('AKIAUNKNOWN000000001');
    attributedTo = undefined;

    // Assess
    expect(results.filter((result) => result.error !== undefined)).toEqual([]);
    // The steps' own on-demand rotation fell due too.
    expect(outcomes.map((outcome) => outcome.done).sort()).toEqual(['DeleteExpiredKeyMaterial', 'DeleteKey', 'RotateKey', 'RotateKey']);
    expect(identityResults.filter((result) => result.error !== undefined)).toEqual([]);
    expect(resolved?.secretAccessKey).toBe('secret');
    expect(bob?.principal).toMatchObject({ type: 'IAMUser', userName: 'bob' });
    expect((await usage.lastUsage(usedKey ?? { accountId: '', region: '', keyId: '' }))?.kmsRequestId).toBe('request');
    for (const fn of ['front', 'lifecycle', ...GROUPS] as ServiceFunction[]) {
      expect(sent.some((command) => command.fn === fn), `${fn} sent nothing`).toBe(true);
      expect(deniedFor(fn).map((request) => request.label), fn).toEqual([]);
    }
  });

  it('allow the lifecycle function\'s record check: the upgrade of a table made before records were authenticated, then the daily verification', async () => {
    // Prepare: a table of its own, its items written by a version that gave them no MAC, and one forged item.
    const tableName = 'kms-verification';
    await ensureTable(client, tableName);
    const key = makeKey(ACCOUNT_ID);
    const older: Item[] = [
      keyToItem(key),
      backingKeyToItem(makeBackingKey(key)),
      aliasToItem(makeAlias(key, 'alias/app')),
      grantToItem({
        accountId: key.accountId, region: key.region, keyId: key.keyId, keyArn: key.arn, grantId: 'a'.repeat(64),
        granteePrincipal: `arn:aws:iam::${ACCOUNT_ID}:root`, issuingAccount: `arn:aws:iam::${ACCOUNT_ID}:root`,
        operations: ['Decrypt'], creationDate: 0, tokenSecret: 'b'.repeat(64),
      }),
      accessKeyToItem(makeAccessKey('AKIAEXAMPLE000000009')),
      { pk: { S: iamPartition(ACCOUNT_ID) }, sk: { S: 'USER#bob' }, type: { S: 'User' }, userName: { S: 'bob' } },
    ];
    const forged: Item = { ...aliasToItem(makeAlias(key, 'alias/forged')), [MAC_ATTRIBUTE]: { B: new Uint8Array(32) } };
    // A last-use record carries no MAC by design: neither sealed nor checked.
    const usage: Item = { ...usageKey(ACCOUNT_ID, key.region, key.keyId), timestamp: { N: '1' } };
    for (const item of [...older, forged, usage]) await client.send(new PutItemCommand({ TableName: tableName, Item: item }));
    const reported: IntegrityFailure[] = [];
    const integrity = new ItemIntegrity({ authenticator: new FakeRecordAuthenticator({ upgraded: false }), onFailure: () => undefined }, false);
    const verify = tableVerification({ client, tableName, integrity }, (failure) => reported.push(failure));

    // Act: the first run upgrades and verifies; an alias is repointed by hand; the second run only verifies.
    attributedTo = 'lifecycle';
    const first = await verify();
    attributedTo = undefined;
    const reportedFirst = reported.splice(0);
    await client.send(new UpdateItemCommand({
      TableName: tableName, Key: aliasKey(ACCOUNT_ID, key.region, 'alias/app'),
      UpdateExpression: 'SET targetKeyId = :k', ExpressionAttributeValues: { ':k': { S: 'another-key' } },
    }));
    attributedTo = 'lifecycle';
    const second = await verify();
    attributedTo = undefined;

    // Assess
    expect(first).toEqual({ checked: older.length + 1, failed: 1, sealed: older.length });
    expect(integrity.upgraded).toBe(true);
    expect(second).toEqual({ checked: older.length + 1, failed: 2 });
    // The forged alias once a run (the upgrade found it before the verification did), then the repointed alias too.
    expect(reportedFirst.map((failure) => [failure.sk, failure.reason])).toEqual([['alias/forged', 'MAC does not match']]);
    expect(reported.map((failure) => [failure.sk, failure.reason]).sort()).toEqual([['alias/app', 'MAC does not match'], ['alias/forged', 'MAC does not match']]);
    expect(sent.filter((command) => command.fn === 'lifecycle').map((command) => command.command)).toEqual(expect.arrayContaining(['ScanCommand', 'UpdateItemCommand']));
    expect(deniedFor('lifecycle').map((request) => request.label)).toEqual([]);
  });
});
