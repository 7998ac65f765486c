/**
 * The contract of `IdentityStore`, run against the in-memory fake and against DynamoIdentityStore
 * on DynamoDB Local: IAM's errors with IAM's wording, names unique without regard to case, the
 * deletion conflicts and quotas, and nothing half-written when a write is refused.
 */
import { describe, expect, it } from 'vitest';
import { useDynamoDbLocalTables } from './dynamodb-local-tables.js';
import { DynamoIdentityStore } from '../../src/adapters/dynamodb/identity-store.js';
import type { AccessKeyRecord, ManagedPolicyRecord, PolicyOwner, RoleRecord, UserRecord } from '../../src/core/iam/records.js';
import type { IdentityStore } from '../../src/core/ports/index.js';
import {
  ConcurrentModificationException, DeleteConflictException, EntityAlreadyExistsException, LimitExceededException, NoSuchEntityException,
} from '../../src/models/iam/generated/errors.js';
import { InMemoryIdentityStore } from '../support/in-memory-identity-store.js';
import { testIntegrity } from '../support/fake-record-authenticator.js';

type Store = IdentityStore & { getAccessKey(accessKeyId: string): Promise<AccessKeyRecord | undefined> };

const dynamo = useDynamoDbLocalTables();

const STORES: readonly [string, () => Promise<Store>][] = [
  ['InMemoryIdentityStore', async () => new InMemoryIdentityStore()],
  ['DynamoIdentityStore', async () => {
    const tableName = await dynamo.newTable('identities');
    const client = dynamo.client();
    return new DynamoIdentityStore({ tableName, client, integrity: testIntegrity() });
  }],
];

const ACCOUNT = '111122223333';
const OTHER_ACCOUNT = '444455556666';

function user(userName: string, accountId = ACCOUNT): UserRecord {
  return {
    accountId, userName, path: '/', userId: `AIDA${userName.toUpperCase().padEnd(17, 'X')}`, arn: `arn:aws:iam::${accountId}:user/${userName}`,
    createDate: 1_700_000_000_000, tags: [{ key: 'team', value: 'blue' }], revision: 0,
  };
}

function role(roleName: string, accountId = ACCOUNT): RoleRecord {
  return {
    accountId, roleName, path: '/', roleId: `AROA${roleName.toUpperCase().padEnd(17, 'X')}`, arn: `arn:aws:iam::${accountId}:role/${roleName}`,
    createDate: 1_700_000_000_000, assumeRolePolicyDocument: '{"Version":"2012-10-17","Statement":[]}', description: 'app role',
    maxSessionDuration: 3600, tags: [], revision: 0,
  };
}

function accessKey(n: number, userName = 'alice'): AccessKeyRecord & { userName: string } {
  return {
    accessKeyId: `AKIAEXAMPLE${String(n).padStart(9, '0')}`, sealedSecret: { iv: new Uint8Array(12).fill(n), ciphertext: new Uint8Array(56).fill(n) },
    accountId: ACCOUNT, principalArn: `arn:aws:iam::${ACCOUNT}:user/${userName}`, principalId: 'AIDAEXAMPLE', status: 'Active',
    creationDate: 1_700_000_000_000 + n, userName,
  };
}

function managed(policyName: string, policyId = `ANPA${policyName.toUpperCase().padEnd(17, 'X')}`): ManagedPolicyRecord {
  return {
    accountId: ACCOUNT, policyName, path: '/', policyId, arn: `arn:aws:iam::${ACCOUNT}:policy/${policyName}`,
    document: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:*","Resource":"*"}]}',
    defaultVersionId: 'v1', createDate: 1_700_000_000_000, updateDate: 1_700_000_000_000, tags: [], attachmentCount: 0,
  };
}

const ALICE: PolicyOwner = { accountId: ACCOUNT, kind: 'user', name: 'alice' };
const APP: PolicyOwner = { accountId: ACCOUNT, kind: 'role', name: 'app' };
const DOCUMENT = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:Encrypt","Resource":"*"}]}';

/** The error a promise rejects with (the test fails if it resolves). */
async function refusal(promise: Promise<unknown>): Promise<Error> {
  return promise.then(() => { throw new Error('expected a refusal'); }, (error: unknown) => error as Error);
}

describe.each(STORES)('IdentityStore contract: %s', (_name, makeStore) => {
  it('records an account once, keeping its first creation date, and knows no other', async () => {
    // Prepare
    const store = await makeStore();

    // Act
    await store.putAccount(ACCOUNT, 1);
    await store.putAccount(ACCOUNT, 2);

    // Assess
    expect(await store.accountExists(ACCOUNT)).toBe(true);
    expect(await store.accountCreateDate(ACCOUNT)).toBe(1);
    expect(await store.accountExists(OTHER_ACCOUNT)).toBe(false);
    expect(await store.accountCreateDate(OTHER_ACCOUNT)).toBeUndefined();
  });

  it.each([
    ['user', (s: Store) => s.createUser(user('alice')), (s: Store) => s.createUser(user('ALICE')), (s: Store, n: string) => s.getUser(ACCOUNT, n), user('alice'), 'Alice',
      'User with name ALICE already exists.'],
    ['role', (s: Store) => s.createRole(role('app')), (s: Store) => s.createRole(role('App')), (s: Store, n: string) => s.getRole(ACCOUNT, n), role('app'), 'APP',
      'Role with name App already exists.'],
  ] as const)('stores a %s with every property, finds it by its name in any case, and refuses the name again in another case', async (_kind, create, again, get, expected, otherCase, message) => {
    // Prepare
    const store = await makeStore();

    // Act
    await create(store);
    const error = await refusal(again(store));

    // Assess
    expect(await get(store, otherCase)).toEqual(expected);
    expect(await get(store, 'nobody')).toBeUndefined();
    expect(error).toBeInstanceOf(EntityAlreadyExistsException);
    expect(error.message).toBe(message);
  });

  it('lists the users and roles of one account, sorted by name without regard to case', async () => {
    // Prepare
    const store = await makeStore();
    for (const name of ['carol', 'Bob', 'alice']) await store.createUser(user(name));
    await store.createUser(user('dave', OTHER_ACCOUNT));
    for (const name of ['ops', 'App']) await store.createRole(role(name));

    // Act
    const users = await store.listUsers(ACCOUNT);
    const roles = await store.listRoles(ACCOUNT);

    // Assess
    expect(users.map((u) => u.userName)).toEqual(['alice', 'Bob', 'carol']);
    expect(roles.map((r) => r.roleName)).toEqual(['App', 'ops']);
    expect((await store.listUsers(OTHER_ACCOUNT)).map((u) => u.userName)).toEqual(['dave']);
  });

  it('replaces tags at the revision read and moves the revision on; refuses a stale revision with ConcurrentModification and a missing owner with NoSuchEntity', async () => {
    // Prepare
    const store = await makeStore();
    await store.createUser(user('alice'));
    await store.createRole(role('app'));
    const tags = [{ key: 'tier', value: '1' }];

    // Act
    await store.setUserTags(user('alice'), tags);
    await store.setRoleTags(role('app'), tags);
    const stale = await refusal(store.setUserTags(user('alice'), []));
    const missingUser = await refusal(store.setUserTags(user('nobody'), tags));
    const missingRole = await refusal(store.setRoleTags(role('nobody'), tags));

    // Assess
    expect(await store.getUser(ACCOUNT, 'alice')).toEqual({ ...user('alice'), tags, revision: 1 });
    expect(await store.getRole(ACCOUNT, 'app')).toEqual({ ...role('app'), tags, revision: 1 });
    expect(stale).toBeInstanceOf(ConcurrentModificationException);
    expect(missingUser).toBeInstanceOf(NoSuchEntityException);
    expect(missingUser.message).toBe('The user with name nobody cannot be found.');
    expect(missingRole.message).toBe('The role with name nobody cannot be found.');
  });

  it('gives a user at most two access keys, refuses a key for a missing user and a taken access key ID, and writes nothing then', async () => {
    // Prepare
    const store = await makeStore();
    await store.createUser(user('alice'));
    await store.createUser(user('bob'));

    // Act
    await store.createUserAccessKey(accessKey(1));
    await store.createUserAccessKey(accessKey(2));
    const third = await refusal(store.createUserAccessKey(accessKey(3)));
    const noUser = await refusal(store.createUserAccessKey(accessKey(4, 'nobody')));
    const taken = await refusal(store.createUserAccessKey({ ...accessKey(1, 'bob') }));

    // Assess
    expect(third).toBeInstanceOf(LimitExceededException);
    expect(third.message).toBe('Cannot exceed quota for AccessKeysPerUser: 2');
    expect(noUser).toBeInstanceOf(NoSuchEntityException);
    expect(noUser.message).toBe('The user with name nobody cannot be found.');
    expect(taken).toBeInstanceOf(ConcurrentModificationException);
    expect(await store.getAccessKey(accessKey(1).accessKeyId)).toEqual(accessKey(1));
    expect(await store.getAccessKey(accessKey(3).accessKeyId)).toBeUndefined();
    // bob's refused key did not count: he can still have two.
    await store.createUserAccessKey(accessKey(5, 'bob'));
    await store.createUserAccessKey(accessKey(6, 'bob'));
  });

  it('changes an access key\'s status and deletes it only for its own user (NoSuchEntity otherwise)', async () => {
    // Prepare
    const store = await makeStore();
    await store.createUser(user('alice'));
    await store.createUser(user('bob'));
    await store.createUserAccessKey(accessKey(1));
    const id = accessKey(1).accessKeyId;

    // Act
    await store.setAccessKeyStatus(ACCOUNT, 'alice', id, 'Inactive');
    const statusOfOther = await refusal(store.setAccessKeyStatus(ACCOUNT, 'bob', id, 'Active'));
    const deleteOfOther = await refusal(store.deleteUserAccessKey(ACCOUNT, 'bob', id));
    const deleteOfMissingUser = await refusal(store.deleteUserAccessKey(ACCOUNT, 'nobody', id));
    const inactive = await store.getAccessKey(id);
    await store.deleteUserAccessKey(ACCOUNT, 'alice', id);
    const deletedAgain = await refusal(store.deleteUserAccessKey(ACCOUNT, 'alice', id));

    // Assess
    expect(inactive?.status).toBe('Inactive');
    for (const error of [statusOfOther, deleteOfOther, deletedAgain]) {
      expect(error).toBeInstanceOf(NoSuchEntityException);
      expect(error.message).toBe(`The Access Key with id ${id} cannot be found.`);
    }
    expect(deleteOfMissingUser.message).toBe('The user with name nobody cannot be found.');
    expect(await store.getAccessKey(id)).toBeUndefined();
  });

  it('stores temporary credentials once, refusing a taken access key ID and credentials without a session', async () => {
    // Prepare
    const store = await makeStore();
    const session = {
      tokenHash: 'ab'.repeat(32), roleArn: `arn:aws:iam::${ACCOUNT}:role/app`, roleName: 'app', roleId: 'AROAEXAMPLE', sessionName: 's1',
      issuedAt: 1_700_000_000_000, expiresAt: 1_700_000_003_600, tags: [{ key: 'team', value: 'blue' }], assumedBy: `arn:aws:iam::${ACCOUNT}:root`,
    };
    const { userName: _userName, ...base } = accessKey(7);
    const credentials: AccessKeyRecord = { ...base, accessKeyId: 'ASIAEXAMPLE000000007', principalArn: `arn:aws:sts::${ACCOUNT}:assumed-role/app/s1`, session };

    // Act
    await store.putSessionCredentials(credentials);
    const again = await refusal(store.putSessionCredentials(credentials));
    const sessionless = await refusal(store.putSessionCredentials({ ...base, accessKeyId: 'ASIAEXAMPLE000000008' }));

    // Assess
    expect(await store.getAccessKey(credentials.accessKeyId)).toEqual(credentials);
    expect(again).toBeInstanceOf(ConcurrentModificationException);
    expect(sessionless.message).toBe('temporary credentials need their session');
    expect(await store.getAccessKey('ASIAEXAMPLE000000008')).toBeUndefined();
  });

  it('creates, replaces, lists (by name) and deletes inline policies of users and roles, and refuses them for missing owners', async () => {
    // Prepare
    const store = await makeStore();
    await store.createUser(user('alice'));
    await store.createRole(role('app'));

    // Act
    await store.putInlinePolicy({ owner: ALICE, policyName: 'write', document: DOCUMENT, revision: 'r1' });
    await store.putInlinePolicy({ owner: ALICE, policyName: 'read', document: DOCUMENT, revision: 'r2' });
    await store.putInlinePolicy({ owner: ALICE, policyName: 'write', document: '{}', revision: 'r3' });
    await store.putInlinePolicy({ owner: APP, policyName: 'use', document: DOCUMENT, revision: 'r4' });
    const noOwner = await refusal(store.putInlinePolicy({ owner: { ...APP, name: 'gone' }, policyName: 'use', document: DOCUMENT, revision: 'r5' }));
    const listed = await store.listInlinePolicies(ALICE);
    await store.deleteInlinePolicy(ALICE, 'read');
    const deletedAgain = await refusal(store.deleteInlinePolicy(ALICE, 'read'));
    const ofMissingOwner = await refusal(store.deleteInlinePolicy({ ...ALICE, name: 'nobody' }, 'read'));

    // Assess
    expect(listed.map((p) => [p.policyName, p.revision])).toEqual([['read', 'r2'], ['write', 'r3']]);
    expect(await store.getInlinePolicy(ALICE, 'write')).toEqual({ owner: ALICE, policyName: 'write', document: '{}', revision: 'r3' });
    expect(await store.getInlinePolicy(ALICE, 'read')).toBeUndefined();
    expect((await store.listInlinePolicies(APP)).map((p) => p.policyName)).toEqual(['use']);
    expect(noOwner.message).toBe('The role with name gone cannot be found.');
    expect(deletedAgain).toBeInstanceOf(NoSuchEntityException);
    expect(deletedAgain.message).toBe('The user policy with name read cannot be found.');
    expect(ofMissingOwner.message).toBe('The user with name nobody cannot be found.');
  });

  it('creates managed policies with unique names (without regard to case) and lists them by name', async () => {
    // Prepare
    const store = await makeStore();

    // Act
    await store.createManagedPolicy(managed('use-keys'));
    await store.createManagedPolicy(managed('Admin'));
    const again = await refusal(store.createManagedPolicy(managed('USE-KEYS')));

    // Assess
    expect(await store.getManagedPolicy(ACCOUNT, 'use-keys')).toEqual(managed('use-keys'));
    expect(await store.getManagedPolicy(ACCOUNT, 'nothing')).toBeUndefined();
    expect((await store.listManagedPolicies(ACCOUNT)).map((p) => p.policyName)).toEqual(['Admin', 'use-keys']);
    expect(again).toBeInstanceOf(EntityAlreadyExistsException);
    expect(again.message).toBe('A policy called USE-KEYS already exists. Duplicate names are not allowed.');
  });

  it('attaches a managed policy once per owner, counting its attachments, and detaches it; refuses a missing owner, a re-created policy and a detach of what is not attached', async () => {
    // Prepare
    const store = await makeStore();
    await store.createUser(user('alice'));
    await store.createRole(role('app'));
    const policy = managed('use-keys');
    await store.createManagedPolicy(policy);
    await store.createManagedPolicy(managed('other'));

    // Act
    await store.attachPolicy(ALICE, policy);
    await store.attachPolicy(ALICE, policy);
    await store.attachPolicy(APP, policy);
    await store.attachPolicy(ALICE, managed('other'));
    const attachedTwice = await store.getManagedPolicy(ACCOUNT, 'use-keys');
    const listed = await store.listAttachedPolicies(ALICE);
    const noOwner = await refusal(store.attachPolicy({ ...ALICE, name: 'nobody' }, policy));
    const recreated = await refusal(store.attachPolicy(APP, managed('other', 'ANPADIFFERENTPOLICYID')));
    await store.detachPolicy(APP, policy);
    const detachedAgain = await refusal(store.detachPolicy(APP, policy));

    // Assess
    expect(attachedTwice?.attachmentCount).toBe(2);
    expect((await store.getManagedPolicy(ACCOUNT, 'use-keys'))?.attachmentCount).toBe(1);
    expect(listed).toEqual([
      { owner: ALICE, policyArn: managed('other').arn, policyName: 'other' },
      { owner: ALICE, policyArn: policy.arn, policyName: 'use-keys' },
    ]);
    expect(noOwner.message).toBe('The user with name nobody cannot be found.');
    expect(recreated).toBeInstanceOf(NoSuchEntityException);
    expect(recreated.message).toBe(`Policy ${managed('other').arn} does not exist or is not attachable.`);
    expect(await store.listAttachedPolicies(APP)).toEqual([]);
    expect(detachedAgain).toBeInstanceOf(NoSuchEntityException);
    expect(detachedAgain.message).toBe(`Policy ${policy.arn} was not found.`);
  });

  it('attaches at most ten managed policies to a user', async () => {
    // Prepare
    const store = await makeStore();
    await store.createUser(user('alice'));
    for (let n = 0; n < 11; n += 1) await store.createManagedPolicy(managed(`p${String(n).padStart(2, '0')}`));

    // Act
    for (let n = 0; n < 10; n += 1) await store.attachPolicy(ALICE, managed(`p${String(n).padStart(2, '0')}`));
    const eleventh = await refusal(store.attachPolicy(ALICE, managed('p10')));

    // Assess
    expect(eleventh).toBeInstanceOf(LimitExceededException);
    expect(eleventh.message).toBe('Cannot exceed quota for PoliciesPerUser: 10');
    expect((await store.getManagedPolicy(ACCOUNT, 'p10'))?.attachmentCount).toBe(0);
    expect(await store.listAttachedPolicies(ALICE)).toHaveLength(10);
  });

  it('refuses to delete a user while it has access keys, inline policies or attached policies, naming what must go first, and deletes it then', async () => {
    // Prepare
    const store = await makeStore();
    await store.createUser(user('alice'));
    const policy = managed('use-keys');
    await store.createManagedPolicy(policy);
    await store.createUserAccessKey(accessKey(1));
    await store.putInlinePolicy({ owner: ALICE, policyName: 'p', document: DOCUMENT, revision: 'r1' });
    await store.attachPolicy(ALICE, policy);
    const messages: string[] = [];

    // Act
    messages.push((await refusal(store.deleteUser(ACCOUNT, 'alice'))).message);
    await store.deleteUserAccessKey(ACCOUNT, 'alice', accessKey(1).accessKeyId);
    messages.push((await refusal(store.deleteUser(ACCOUNT, 'alice'))).message);
    await store.deleteInlinePolicy(ALICE, 'p');
    messages.push((await refusal(store.deleteUser(ACCOUNT, 'alice'))).message);
    const policyInUse = await refusal(store.deleteManagedPolicy(ACCOUNT, 'use-keys'));
    await store.detachPolicy(ALICE, policy);
    await store.deleteUser(ACCOUNT, 'alice');
    const deletedAgain = await refusal(store.deleteUser(ACCOUNT, 'alice'));
    await store.deleteManagedPolicy(ACCOUNT, 'use-keys');
    const policyDeletedAgain = await refusal(store.deleteManagedPolicy(ACCOUNT, 'use-keys'));

    // Assess
    expect(messages).toEqual([
      'Cannot delete entity, must delete access keys first.',
      'Cannot delete entity, must delete policies first.',
      'Cannot delete entity, must detach all policies first.',
    ]);
    expect(policyInUse).toBeInstanceOf(DeleteConflictException);
    expect(policyInUse.message).toBe('Cannot delete a policy attached to entities.');
    expect(await store.getUser(ACCOUNT, 'alice')).toBeUndefined();
    expect(deletedAgain).toBeInstanceOf(NoSuchEntityException);
    expect(policyDeletedAgain).toBeInstanceOf(NoSuchEntityException);
    expect(await store.getManagedPolicy(ACCOUNT, 'use-keys')).toBeUndefined();
  });

  it('refuses to delete a role while it has policies, and deletes it then', async () => {
    // Prepare
    const store = await makeStore();
    await store.createRole(role('app'));
    await store.putInlinePolicy({ owner: APP, policyName: 'p', document: DOCUMENT, revision: 'r1' });

    // Act
    const conflict = await refusal(store.deleteRole(ACCOUNT, 'app'));
    await store.deleteInlinePolicy(APP, 'p');
    await store.deleteRole(ACCOUNT, 'APP');
    const missing = await refusal(store.deleteRole(ACCOUNT, 'app'));

    // Assess
    expect(conflict).toBeInstanceOf(DeleteConflictException);
    expect(conflict.message).toBe('Cannot delete entity, must delete policies first.');
    expect(await store.getRole(ACCOUNT, 'app')).toBeUndefined();
    expect(missing.message).toBe('The role with name app cannot be found.');
  });
});
