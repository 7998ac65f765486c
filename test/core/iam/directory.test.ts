/**
 * StoredIdentityDirectory over the in-memory IdentityStore (whose contract DynamoIdentityStore
 * shares): which principal ARNs exist, and which policies apply to a caller, in what order.
 */
import { describe, expect, it } from 'vitest';
import { StoredIdentityDirectory } from '../../../src/core/iam/directory.js';
import type { Principal } from '../../../src/core/request-context.js';
import { InMemoryIdentityStore } from '../../support/in-memory-identity-store.js';
import { makePrincipal } from '../../support/core.js';

const ACCOUNT = '111122223333';

async function given(): Promise<{ store: InMemoryIdentityStore; directory: StoredIdentityDirectory }> {
  const store = new InMemoryIdentityStore();
  await store.putAccount(ACCOUNT, 0);
  await store.createUser({
    accountId: ACCOUNT, userName: 'dave', path: '/division/', userId: 'AIDAEXAMPLEDAVE00001', arn: `arn:aws:iam::${ACCOUNT}:user/division/dave`,
    createDate: 0, tags: [], revision: 0,
  });
  await store.createRole({
    accountId: ACCOUNT, roleName: 'app', path: '/', roleId: 'AROAEXAMPLEAPP000001', arn: `arn:aws:iam::${ACCOUNT}:role/app`, createDate: 0,
    assumeRolePolicyDocument: '{}', maxSessionDuration: 3600, tags: [], revision: 0,
  });
  return { store, directory: new StoredIdentityDirectory(store) };
}

describe('StoredIdentityDirectory', () => {
  it.each([
    ['the root of a known account', `arn:aws:iam::${ACCOUNT}:root`, true],
    ['the root of an unknown account', 'arn:aws:iam::999988887777:root', false],
    ['a user with its path', `arn:aws:iam::${ACCOUNT}:user/division/dave`, true],
    ['a user without its path', `arn:aws:iam::${ACCOUNT}:user/dave`, false],
    ['a role', `arn:aws:iam::${ACCOUNT}:role/app`, true],
    ['a missing role', `arn:aws:iam::${ACCOUNT}:role/ops`, false],
    ['a session of a role that exists', `arn:aws:sts::${ACCOUNT}:assumed-role/app/s1`, true],
    ['a session of a missing role', `arn:aws:sts::${ACCOUNT}:assumed-role/ops/s1`, false],
    ['a group', `arn:aws:iam::${ACCOUNT}:group/admins`, false],
  ])('says whether %s exists', async (_what, arn, exists) => {
    // Prepare
    const { directory } = await given();

    // Act
    const answer = await directory.principalExists(arn);

    // Assess
    expect(answer).toBe(exists);
  });

  it('gives a role session its role\'s inline policies by name, then its attached policies by ARN, and a root none', async () => {
    // Prepare
    const { store, directory } = await given();
    const owner = { accountId: ACCOUNT, kind: 'role', name: 'app' } as const;
    await store.putInlinePolicy({ owner, policyName: 'b', document: '{"b":1}', revision: 'r2' });
    await store.putInlinePolicy({ owner, policyName: 'a', document: '{"a":1}', revision: 'r1' });
    const managed = {
      accountId: ACCOUNT, policyName: 'use', path: '/', policyId: 'ANPAEXAMPLEUSE000001', arn: `arn:aws:iam::${ACCOUNT}:policy/use`, document: '{"m":1}',
      defaultVersionId: 'v1', createDate: 0, updateDate: 0, tags: [], attachmentCount: 0,
    };
    await store.createManagedPolicy(managed);
    await store.attachPolicy(owner, managed);
    const session: Principal = makePrincipal({
      type: 'AssumedRole', accountId: ACCOUNT, arn: `arn:aws:sts::${ACCOUNT}:assumed-role/app/s1`, principalId: 'AROAEXAMPLEAPP000001:s1',
      session: { roleArn: `arn:aws:iam::${ACCOUNT}:role/app`, roleName: 'app', roleId: 'AROAEXAMPLEAPP000001', sessionName: 's1', issuedAt: 0, expiresAt: 1e15 },
    });

    // Act
    const policies = await directory.policiesFor(session);
    const ofRoot = await directory.policiesFor(makePrincipal({ accountId: ACCOUNT }));

    // Assess
    expect(policies).toEqual([
      { name: 'a', version: 'r1', document: '{"a":1}' },
      { name: 'b', version: 'r2', document: '{"b":1}' },
      { name: 'use', arn: managed.arn, version: 'ANPAEXAMPLEUSE000001:v1', document: '{"m":1}' },
    ]);
    expect(ofRoot).toEqual([]);
  });
});
