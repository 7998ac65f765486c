import { describe, expect, it, vi } from 'vitest';
import {
  AccessDeniedException, DisabledException, DryRunOperationException, InvalidArnException, InvalidGrantIdException,
  InvalidGrantTokenException, KMSInvalidStateException, LimitExceededException, NotFoundException, ValidationException,
} from '../../../../src/models/kms/generated/errors.js';
import type { CreateGrantRequest, GrantOperation } from '../../../../src/models/kms/generated/shapes.js';
import {
  MAX_GRANTS_PER_KEY, createGrant, listGrants, listRetirableGrants, retireGrant, revokeGrant,
} from '../../../../src/core/kms/operations/grants.js';
import { readGrantToken } from '../../../../src/core/kms/grants/grant-token.js';
import { StoredGrantLookup } from '../../../../src/core/kms/grants/stored-grant-lookup.js';
import type { KeyRecord } from '../../../../src/core/kms/records.js';
import type { Principal } from '../../../../src/core/request-context.js';
import {
  ACCOUNT_ID, OTHER_ACCOUNT_ID, REGION, caught, makeContext, makeCore, makeKeyId, makePrincipal, runHandler, seedKey, type CoreHarness,
} from '../../../support/core.js';

const GRANTEE = `arn:aws:iam::${ACCOUNT_ID}:role/app`;
const RETIRER = `arn:aws:iam::${ACCOUNT_ID}:role/ops`;

function roleSession(role: string, accountId = ACCOUNT_ID): Principal {
  return makePrincipal({
    type: 'AssumedRole',
    accountId,
    arn: `arn:aws:sts::${accountId}:assumed-role/${role}/session`,
    principalId: 'AROAEXAMPLE:session',
    session: {
      roleArn: `arn:aws:iam::${accountId}:role/${role}`, roleName: role, roleId: 'AROAEXAMPLE', sessionName: 'session', issuedAt: 0, expiresAt: 1e15,
    },
  });
}

function grantInput(key: KeyRecord, overrides: Partial<CreateGrantRequest> = {}): CreateGrantRequest {
  return { KeyId: key.keyId, GranteePrincipal: GRANTEE, Operations: ['Encrypt', 'Decrypt'], ...overrides };
}

/** The users and roles the tests name, so that grants may name them. */
const IDENTITIES = [
  GRANTEE, RETIRER, `arn:aws:iam::${ACCOUNT_ID}:user/division/dave`, `arn:aws:iam::${ACCOUNT_ID}:user/bob`, `arn:aws:iam::${ACCOUNT_ID}:user/admin`,
  `arn:aws:iam::${OTHER_ACCOUNT_ID}:role/app`, `arn:aws:iam::${OTHER_ACCOUNT_ID}:role/ops`, `arn:aws:iam::${OTHER_ACCOUNT_ID}:role/any`,
];

async function given(overrides: Partial<KeyRecord> = {}): Promise<{ core: CoreHarness; key: KeyRecord }> {
  const core = makeCore();
  core.identities.exist(...IDENTITIES);
  return { core, key: await seedKey(core, overrides) };
}

describe('createGrant', () => {
  it('returns a 64-hex grant ID and a token, and ListGrants then shows the grant with every property', async () => {
    // Prepare
    const { core, key } = await given();
    const now = core.deps.clock.now();

    // Act
    const output = await runHandler(core, createGrant, grantInput(key, {
      KeyId: key.arn,
      RetiringPrincipal: RETIRER,
      Operations: ['Decrypt', 'GenerateDataKey', 'Decrypt'],
      Constraints: { EncryptionContextSubset: { Department: 'IT' } },
      Name: 'it-decrypt',
    }));
    const listed = await runHandler(core, listGrants, { KeyId: key.keyId });

    // Assess
    expect(output.GrantId).toMatch(/^[0-9a-f]{64}$/);
    expect(output.GrantToken).toMatch(/^AQpA[A-Za-z0-9_-]+$/);
    expect(listed).toEqual({
      Grants: [{
        KeyId: key.arn,
        GrantId: output.GrantId,
        Name: 'it-decrypt',
        CreationDate: now,
        GranteePrincipal: GRANTEE,
        RetiringPrincipal: RETIRER,
        IssuingAccount: `arn:aws:iam::${ACCOUNT_ID}:root`,
        Operations: ['Decrypt', 'GenerateDataKey'],
        Constraints: { EncryptionContextSubset: { Department: 'IT' } },
      }],
      Truncated: false,
    });
  });

  it('returns an empty Name and no RetiringPrincipal or Constraints for a grant created without them', async () => {
    // Prepare
    const { core, key } = await given();

    // Act
    await runHandler(core, createGrant, grantInput(key));
    const listed = await runHandler(core, listGrants, { KeyId: key.keyId });

    // Assess
    expect(listed.Grants?.[0]).toEqual({
      KeyId: key.arn, GrantId: expect.any(String), Name: '', CreationDate: expect.any(Date), GranteePrincipal: GRANTEE,
      IssuingAccount: `arn:aws:iam::${ACCOUNT_ID}:root`, Operations: ['Encrypt', 'Decrypt'],
    });
  });

  it('returns the same grant ID with a new token when a request with a Name is repeated, and a new grant when a property differs', async () => {
    // Prepare
    const { core, key } = await given();
    const input = grantInput(key, { Name: 'retry-me', Constraints: { EncryptionContextEquals: { a: '1' } } });

    // Act
    const first = await runHandler(core, createGrant, input);
    const retry = await runHandler(core, createGrant, { ...input, Operations: ['Decrypt', 'Encrypt'] });
    const otherOperations = await runHandler(core, createGrant, { ...input, Operations: ['Encrypt'] });
    const otherKey = await seedKey(core, { keyId: makeKeyId(2), arn: `arn:aws:kms:${REGION}:${ACCOUNT_ID}:key/${makeKeyId(2)}` });
    const onOtherKey = await runHandler(core, createGrant, { ...input, KeyId: otherKey.keyId });

    // Assess
    expect(retry.GrantId).toBe(first.GrantId);
    expect(retry.GrantToken).not.toBe(first.GrantToken);
    expect(otherOperations.GrantId).not.toBe(first.GrantId);
    expect(onOtherKey.GrantId).not.toBe(first.GrantId);
    expect((await runHandler(core, listGrants, { KeyId: key.keyId })).Grants).toHaveLength(2);
    const lookup = new StoredGrantLookup(core.store);
    const byTokens = await lookup.grantsForTokens([first.GrantToken ?? '', retry.GrantToken ?? ''], key);
    expect(byTokens.map((grant) => grant.grantId)).toEqual([first.GrantId]);
  });

  it('makes the new grant known to grant lookups at once, by key and by its token', async () => {
    // Prepare
    const { core, key } = await given();

    // Act
    const { GrantId, GrantToken } = await runHandler(core, createGrant, grantInput(key, { Operations: ['Decrypt'] }));
    const lookup = new StoredGrantLookup(core.store);

    // Assess
    expect((await lookup.grantsForKey(key)).map((grant) => grant.grantId)).toEqual([GrantId]);
    expect(await lookup.grantsForTokens([GrantToken ?? ''], key)).toEqual([
      expect.objectContaining({ grantId: GrantId, keyArn: key.arn, granteePrincipal: GRANTEE, operations: ['Decrypt'] }),
    ]);
    expect(readGrantToken(GrantToken ?? '')).toEqual({ grantId: GrantId, keyArn: key.arn, secret: expect.stringMatching(/^[0-9a-f]{64}$/) });
  });

  it.each<[string, Partial<KeyRecord>, GrantOperation[]]>([
    ['a symmetric key', {}, ['Sign']],
    ['an HMAC key', { keySpec: 'HMAC_256', keyUsage: 'GENERATE_VERIFY_MAC' }, ['Encrypt', 'GenerateMac']],
    ['a signing key', { keySpec: 'ECC_NIST_P256', keyUsage: 'SIGN_VERIFY' }, ['GenerateDataKey']],
    ['an RSA encryption key', { keySpec: 'RSA_2048', keyUsage: 'ENCRYPT_DECRYPT' }, ['GenerateDataKeyPair']],
  ])('throws ValidationException and writes nothing when a grant for %s names an operation it does not support (a grant allows only operations its key supports)', async (_kind, overrides, operations) => {
    // Prepare
    const { core, key } = await given(overrides);

    // Act
    const error = await caught(runHandler(core, createGrant, grantInput(key, { Operations: operations })));

    // Assess
    expect(error).toBeInstanceOf(ValidationException);
    expect(error.message).toMatch(/^Grant operations \[.+\] are not supported for arn:aws:kms:/);
    expect(core.store.grantCount()).toBe(0);
  });

  it('throws ValidationException when the operations are empty (a grant allows at least one operation)', async () => {
    // Prepare
    const { core, key } = await given();

    // Act
    const error = await caught(runHandler(core, createGrant, grantInput(key, { Operations: [] })));

    // Assess
    expect(error).toBeInstanceOf(ValidationException);
    expect(error.message).toBe('A grant must allow at least one operation.');
  });

  it.each([
    ['grantee', { GranteePrincipal: 'bob' }, 'bob'],
    ['grantee', { GranteePrincipal: `arn:aws:iam::${ACCOUNT_ID}:group/admins` }, `arn:aws:iam::${ACCOUNT_ID}:group/admins`],
    ['retiring', { RetiringPrincipal: 'arn:aws:iam::12345:root' }, 'arn:aws:iam::12345:root'],
  ])('throws InvalidArnException naming a %s principal that is no principal ARN (a grant\'s grantee and retiring principals are principal ARNs)', async (_which, overrides, bad) => {
    // Prepare
    const { core, key } = await given();

    // Act
    const error = await caught(runHandler(core, createGrant, grantInput(key, overrides)));

    // Assess
    expect(error).toBeInstanceOf(InvalidArnException);
    expect(error.message).toBe(`ARN does not refer to a valid principal: ${bad}`);
    expect(core.store.grantCount()).toBe(0);
  });

  it.each([
    ['grantee', 'a user', { GranteePrincipal: `arn:aws:iam::${ACCOUNT_ID}:user/nobody` }, `arn:aws:iam::${ACCOUNT_ID}:user/nobody`],
    ['grantee', 'a role', { GranteePrincipal: `arn:aws:iam::${ACCOUNT_ID}:role/gone` }, `arn:aws:iam::${ACCOUNT_ID}:role/gone`],
    ['grantee', 'a user under another path', { GranteePrincipal: `arn:aws:iam::${ACCOUNT_ID}:user/elsewhere/dave` }, `arn:aws:iam::${ACCOUNT_ID}:user/elsewhere/dave`],
    ['grantee', 'a session of a role', { GranteePrincipal: `arn:aws:sts::${ACCOUNT_ID}:assumed-role/gone/s1` }, `arn:aws:sts::${ACCOUNT_ID}:assumed-role/gone/s1`],
    ['grantee', 'an account', { GranteePrincipal: 'arn:aws:iam::999999999999:root' }, 'arn:aws:iam::999999999999:root'],
    ['grantee', 'a federated user of an account', { GranteePrincipal: 'arn:aws:sts::999999999999:federated-user/carol' }, 'arn:aws:sts::999999999999:federated-user/carol'],
    ['retiring', 'a role', { RetiringPrincipal: `arn:aws:iam::${OTHER_ACCOUNT_ID}:role/gone` }, `arn:aws:iam::${OTHER_ACCOUNT_ID}:role/gone`],
  ])('throws InvalidArnException naming a %s principal that is %s that does not exist (a grant\'s grantee and retiring principals exist)', async (_which, _kind, overrides, missing) => {
    // Prepare
    const { core, key } = await given();

    // Act
    const error = await caught(runHandler(core, createGrant, grantInput(key, overrides)));

    // Assess
    expect(error).toBeInstanceOf(InvalidArnException);
    expect(error.message).toBe(`ARN does not refer to a valid principal: ${missing}`);
    expect(core.store.grantCount()).toBe(0);
  });

  it.each([
    ['a federated user', `arn:aws:sts::${ACCOUNT_ID}:federated-user/carol`],
    ['a role session', `arn:aws:sts::${ACCOUNT_ID}:assumed-role/app/session-1`],
    ['a user with a path', `arn:aws:iam::${ACCOUNT_ID}:user/division/dave`],
    ['another account', `arn:aws:iam::${OTHER_ACCOUNT_ID}:root`],
    ['an AWS service', 'dynamodb.us-east-1.amazonaws.com'],
  ])('accepts %s as the grantee', async (_kind, grantee) => {
    // Prepare
    const { core, key } = await given();

    // Act
    const output = await runHandler(core, createGrant, grantInput(key, { GranteePrincipal: grantee }));

    // Assess
    expect(output.GrantId).toMatch(/^[0-9a-f]{64}$/);
  });

  it('throws ValidationException for constraints on an asymmetric key (encryption context constraints are valid only in a grant for a symmetric encryption key)', async () => {
    // Prepare
    const { core, key } = await given({ keySpec: 'RSA_2048', keyUsage: 'ENCRYPT_DECRYPT' });

    // Act
    const error = await caught(runHandler(core, createGrant, grantInput(key, { Constraints: { EncryptionContextEquals: { a: 'b' } } })));

    // Assess
    expect(error).toBeInstanceOf(ValidationException);
    expect(error.message).toBe(`Grant constraints are valid only for symmetric encryption KMS keys; ${key.arn} is not one.`);
  });

  it('throws ValidationException for a constraint of 9 pairs (a grant constraint holds at most 8 encryption context pairs)', async () => {
    // Prepare
    const { core, key } = await given();
    const nine = Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`k${i}`, 'v']));

    // Act
    const error = await caught(runHandler(core, createGrant, grantInput(key, { Constraints: { EncryptionContextSubset: nine } })));
    const eight = await runHandler(core, createGrant, grantInput(key, {
      Constraints: { EncryptionContextSubset: Object.fromEntries(Object.entries(nine).slice(0, 8)) },
    }));

    // Assess
    expect(error).toBeInstanceOf(ValidationException);
    expect(error.message).toBe("The grant constraint 'encryptionContextSubset' has 9 encryption context pairs; the most it can have is 8.");
    expect(eight.GrantId).toBeDefined();
  });

  it('throws ValidationException for a constraint of 385 characters (a grant constraint\'s encryption context has at most 384 characters)', async () => {
    // Prepare
    const { core, key } = await given();

    // Act
    const error = await caught(runHandler(core, createGrant, grantInput(key, { Constraints: { EncryptionContextEquals: { k: 'v'.repeat(384) } } })));
    const fits = await runHandler(core, createGrant, grantInput(key, { Constraints: { EncryptionContextEquals: { k: 'v'.repeat(383) } } }));

    // Assess
    expect(error).toBeInstanceOf(ValidationException);
    expect(error.message).toBe("The grant constraint 'encryptionContextEquals' has 385 characters of encryption context; the most it can have is 384.");
    expect(fits.GrantId).toBeDefined();
  });

  it('throws LimitExceededException and writes nothing when the key has 50,000 grants (a key has at most 50,000 grants)', async () => {
    // Prepare
    const { core, key } = await given();
    vi.spyOn(core.store, 'countGrants').mockResolvedValue(MAX_GRANTS_PER_KEY);

    // Act
    const error = await caught(runHandler(core, createGrant, grantInput(key)));

    // Assess
    expect(error).toBeInstanceOf(LimitExceededException);
    expect(error.message).toBe(`${key.arn} already has 50000 grants, the most a KMS key can have. Retire or revoke a grant first.`);
    expect(core.store.grantCount()).toBe(0);
  });

  it.each<[string, Partial<KeyRecord>, new (message: string) => Error]>([
    ['disabled', { keyState: 'Disabled' }, DisabledException],
    ['pending deletion', { keyState: 'PendingDeletion' }, KMSInvalidStateException],
  ])('throws the key state error when the key is %s', async (_state, overrides, errorClass) => {
    // Prepare
    const { core, key } = await given(overrides);

    // Act
    const error = await caught(runHandler(core, createGrant, grantInput(key)));

    // Assess
    expect(error).toBeInstanceOf(errorClass);
  });

  it('throws NotFoundException for a key that does not exist and for an alias', async () => {
    // Prepare
    const { core } = await given();

    // Act
    const missing = await caught(runHandler(core, createGrant, { KeyId: makeKeyId(9), GranteePrincipal: GRANTEE, Operations: ['Decrypt'] }));
    const alias = await caught(runHandler(core, createGrant, { KeyId: 'alias/app', GranteePrincipal: GRANTEE, Operations: ['Decrypt'] }));

    // Assess
    expect(missing).toBeInstanceOf(NotFoundException);
    expect(missing.message).toBe(`Key 'arn:aws:kms:${REGION}:${ACCOUNT_ID}:key/${makeKeyId(9)}' does not exist`);
    expect(alias).toBeInstanceOf(NotFoundException);
    expect(alias.message).toBe("Invalid keyId 'alias/app'");
  });

  it('throws InvalidGrantTokenException when a grant token of the request is not one this service issued', async () => {
    // Prepare
    const { core, key } = await given();

    // Act
    const error = await caught(runHandler(core, createGrant, grantInput(key, { GrantTokens: ['AQpAbogus'] })));

    // Assess
    expect(error).toBeInstanceOf(InvalidGrantTokenException);
    expect(error.message).toBe('The request was rejected because the specified grant token is not valid.');
  });

  it('throws DryRunOperationException and writes nothing when DryRun is set on a request that would succeed', async () => {
    // Prepare
    const { core, key } = await given();

    // Act
    const error = await caught(runHandler(core, createGrant, grantInput(key, { DryRun: true })));
    const invalid = await caught(runHandler(core, createGrant, grantInput(key, { DryRun: true, Operations: ['Sign'] })));

    // Assess
    expect(error).toBeInstanceOf(DryRunOperationException);
    expect(error.message).toBe('The request would have succeeded, but the DryRun option is set.');
    expect(invalid).toBeInstanceOf(ValidationException);
    expect(core.store.grantCount()).toBe(0);
  });
});

describe('listGrants', () => {
  it('pages the key\'s grants with NextMarker and Truncated, and filters by grantee and by grant ID', async () => {
    // Prepare
    const { core, key } = await given();
    const other = `arn:aws:iam::${ACCOUNT_ID}:user/bob`;
    const ids: string[] = [];
    for (const grantee of [GRANTEE, other, GRANTEE]) ids.push((await runHandler(core, createGrant, grantInput(key, { GranteePrincipal: grantee }))).GrantId ?? '');

    // Act
    const first = await runHandler(core, listGrants, { KeyId: key.keyId, Limit: 2 });
    const second = await runHandler(core, listGrants, { KeyId: key.keyId, Limit: 2, Marker: first.NextMarker });
    const bobs = await runHandler(core, listGrants, { KeyId: key.arn, GranteePrincipal: other });
    const one = await runHandler(core, listGrants, { KeyId: key.keyId, GrantId: ids[2] });
    const oneOfBob = await runHandler(core, listGrants, { KeyId: key.keyId, GrantId: ids[2], GranteePrincipal: other });

    // Assess
    expect(first.Truncated).toBe(true);
    expect(second).toMatchObject({ Truncated: false });
    expect(second.NextMarker).toBeUndefined();
    expect([...(first.Grants ?? []), ...(second.Grants ?? [])].map((grant) => grant.GrantId).sort()).toEqual([...ids].sort());
    expect(bobs.Grants?.map((grant) => grant.GrantId)).toEqual([ids[1]]);
    expect(one.Grants?.map((grant) => grant.GrantId)).toEqual([ids[2]]);
    expect(oneOfBob).toEqual({ Grants: [], Truncated: false });
  });

  it.each([
    ['not a grant ID', 'not-a-grant'],
    ['the ID of no grant of the key', 'f'.repeat(64)],
  ])('throws InvalidGrantIdException for a GrantId that is %s (a grant ID names a grant of the key)', async (_case, grantId) => {
    // Prepare
    const { core, key } = await given();

    // Act
    const error = await caught(runHandler(core, listGrants, { KeyId: key.keyId, GrantId: grantId }));

    // Assess
    expect(error).toBeInstanceOf(InvalidGrantIdException);
    expect(error.message).toBe('The request was rejected because the specified GrantId is not valid.');
  });

  it('lists the grants of a key in any state', async () => {
    // Prepare
    const { core, key } = await given();
    await runHandler(core, createGrant, grantInput(key));
    core.store.putKey({ ...key, keyState: 'PendingDeletion', deletionDate: 1e13 });

    // Act
    const listed = await runHandler(core, listGrants, { KeyId: key.keyId });

    // Assess
    expect(listed.Grants).toHaveLength(1);
  });
});

describe('listRetirableGrants', () => {
  it('returns the grants of the Region whose retiring principal is the one asked for', async () => {
    // Prepare
    const { core, key } = await given();
    const retirable = await runHandler(core, createGrant, grantInput(key, { RetiringPrincipal: RETIRER }));
    await runHandler(core, createGrant, grantInput(key, { RetiringPrincipal: GRANTEE }));
    await runHandler(core, createGrant, grantInput(key));

    // Act
    const listed = await runHandler(core, listRetirableGrants, { RetiringPrincipal: RETIRER });
    const elsewhere = await runHandler(core, listRetirableGrants, { RetiringPrincipal: RETIRER }, makeContext({ region: 'us-west-2' }));

    // Assess
    expect(listed).toEqual({ Grants: [expect.objectContaining({ GrantId: retirable.GrantId, RetiringPrincipal: RETIRER, KeyId: key.arn })], Truncated: false });
    expect(elsewhere).toEqual({ Grants: [], Truncated: false });
  });

  it('throws AccessDeniedException for a principal of another account (ListRetirableGrants lists the grants of a principal in the caller\'s account)', async () => {
    // Prepare
    const { core } = await given();

    // Act
    const error = await caught(runHandler(core, listRetirableGrants, { RetiringPrincipal: `arn:aws:iam::${OTHER_ACCOUNT_ID}:role/ops` }));

    // Assess
    expect(error).toBeInstanceOf(AccessDeniedException);
    expect(error.message).toBe(
      `User: arn:aws:iam::${ACCOUNT_ID}:root is not authorized to perform: kms:ListRetirableGrants on resource: * because no identity-based policy allows the kms:ListRetirableGrants action`,
    );
  });

  it('throws InvalidArnException for a retiring principal that is no principal ARN', async () => {
    // Prepare
    const { core } = await given();

    // Act
    const error = await caught(runHandler(core, listRetirableGrants, { RetiringPrincipal: 'ops' }));

    // Assess
    expect(error).toBeInstanceOf(InvalidArnException);
    expect(error.message).toBe('ARN does not refer to a valid principal: ops');
  });
});

describe('retireGrant', () => {
  it('deletes the grant named by its token, and the token then names no grant', async () => {
    // Prepare
    const { core, key } = await given();
    const { GrantToken } = await runHandler(core, createGrant, grantInput(key, { RetiringPrincipal: RETIRER }));

    // Act
    const output = await runHandler(core, retireGrant, { GrantToken }, makeContext({ principal: roleSession('ops') }));
    const again = await caught(runHandler(core, retireGrant, { GrantToken }, makeContext({ principal: roleSession('ops') })));

    // Assess
    expect(output).toEqual({});
    expect(core.store.grantCount()).toBe(0);
    expect(again).toBeInstanceOf(InvalidGrantTokenException);
  });

  it('deletes the grant named by key ARN and grant ID', async () => {
    // Prepare
    const { core, key } = await given();
    const { GrantId } = await runHandler(core, createGrant, grantInput(key, { RetiringPrincipal: RETIRER }));

    // Act
    await runHandler(core, retireGrant, { KeyId: key.arn, GrantId }, makeContext({ principal: roleSession('ops') }));

    // Assess
    expect((await runHandler(core, listGrants, { KeyId: key.keyId })).Grants).toEqual([]);
  });

  const RETIRE_POLICY = { name: 'retire', document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kms:RetireGrant', Resource: '*' }] } };
  const DENY_RETIRE = { name: 'no-retire', document: { Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: 'kms:RetireGrant', Resource: '*' }] } };
  const ADMIN = `arn:aws:iam::${ACCOUNT_ID}:user/admin`;

  it.each<[string, Partial<CreateGrantRequest>, Principal, string | undefined]>([
    ['the retiring principal (a session of the retiring role), without any policy', { RetiringPrincipal: RETIRER }, roleSession('ops'), undefined],
    ['the grantee when the grant allows RetireGrant, without any policy', { Operations: ['Decrypt', 'RetireGrant'] }, roleSession('app'), undefined],
    ['the root of the account that created the grant', {}, makePrincipal(), undefined],
    ['an identity of the account that created the grant whose IAM policy allows kms:RetireGrant', {},
      makePrincipal({ type: 'IAMUser', arn: ADMIN, userName: 'admin' }), ADMIN],
    ['an identity of a retiring account whose IAM policy allows kms:RetireGrant', { RetiringPrincipal: `arn:aws:iam::${OTHER_ACCOUNT_ID}:root` },
      roleSession('any', OTHER_ACCOUNT_ID), `arn:aws:iam::${OTHER_ACCOUNT_ID}:role/any`],
  ])('lets %s retire the grant', async (_who, grant, principal, withPolicy) => {
    // Prepare
    const { core, key } = await given();
    if (withPolicy !== undefined) core.identities.attach(withPolicy, RETIRE_POLICY);
    const { GrantId } = await runHandler(core, createGrant, grantInput(key, grant));

    // Act
    await runHandler(core, retireGrant, { KeyId: key.arn, GrantId }, makeContext({ principal }));

    // Assess
    expect(core.store.grantCount()).toBe(0);
  });

  it.each<[string, Partial<CreateGrantRequest>, Principal, { name: string; document: object } | undefined, string]>([
    ['the grantee of a grant without RetireGrant', {}, roleSession('app', OTHER_ACCOUNT_ID), undefined, 'identity-based'],
    ['another account', { RetiringPrincipal: RETIRER }, makePrincipal({ accountId: OTHER_ACCOUNT_ID, arn: `arn:aws:iam::${OTHER_ACCOUNT_ID}:root` }), undefined, 'identity-based'],
    ['an identity of the account that created the grant without an IAM policy allowing it', {},
      makePrincipal({ type: 'IAMUser', arn: ADMIN, userName: 'admin' }), undefined, 'resource-based'],
  ])('throws AccessDeniedException and keeps the grant when %s retires it (only the retiring principal, a grantee whose grant allows RetireGrant, or the account that created the grant (or a retiring account) may retire a grant)', async (_who, grant, principal, _policy, policyType) => {
    // Prepare
    const { core, key } = await given();
    const grantee = `arn:aws:iam::${OTHER_ACCOUNT_ID}:role/app`;
    const { GrantId } = await runHandler(core, createGrant, grantInput(key, { GranteePrincipal: grantee, ...grant }));

    // Act
    const error = await caught(runHandler(core, retireGrant, { KeyId: key.arn, GrantId }, makeContext({ principal })));

    // Assess
    expect(error).toBeInstanceOf(AccessDeniedException);
    expect(error.message).toBe(
      `User: ${principal.arn} is not authorized to perform: kms:RetireGrant on resource: ${key.arn} because no ${policyType} policy allows the kms:RetireGrant action`,
    );
    expect(core.store.grantCount()).toBe(1);
  });

  it('throws AccessDeniedException when the retiring principal\'s IAM policy denies kms:RetireGrant', async () => {
    // Prepare
    const { core, key } = await given();
    core.identities.attach(RETIRER, DENY_RETIRE);
    const { GrantId } = await runHandler(core, createGrant, grantInput(key, { RetiringPrincipal: RETIRER }));

    // Act
    const error = await caught(runHandler(core, retireGrant, { KeyId: key.arn, GrantId }, makeContext({ principal: roleSession('ops') })));

    // Assess
    expect(error).toBeInstanceOf(AccessDeniedException);
    expect(error.message).toMatch(/with an explicit deny in an identity-based policy$/);
    expect(core.store.grantCount()).toBe(1);
  });

  it('throws ValidationException without a token and without both a key and a grant ID (RetireGrant names its grant by a grant token, or by a key and a grant ID)', async () => {
    // Prepare
    const { core, key } = await given();

    // Act
    const error = await caught(runHandler(core, retireGrant, { KeyId: key.arn }));

    // Assess
    expect(error).toBeInstanceOf(ValidationException);
    expect(error.message).toBe('Either a grant token, or both a key ID and a grant ID, must be specified to identify the grant to retire.');
  });

  it('throws InvalidGrantIdException for a grant ID of no grant of the key, and InvalidGrantTokenException for a token not issued here', async () => {
    // Prepare
    const { core, key } = await given();

    // Act
    const byId = await caught(runHandler(core, retireGrant, { KeyId: key.arn, GrantId: 'e'.repeat(64) }));
    const byToken = await caught(runHandler(core, retireGrant, { GrantToken: 'AQpA' + 'x'.repeat(100) }));

    // Assess
    expect(byId).toBeInstanceOf(InvalidGrantIdException);
    expect(byToken).toBeInstanceOf(InvalidGrantTokenException);
  });

  it('throws DryRunOperationException and keeps the grant when DryRun is set on a retirement that would succeed', async () => {
    // Prepare
    const { core, key } = await given();
    const { GrantToken } = await runHandler(core, createGrant, grantInput(key));

    // Act
    const error = await caught(runHandler(core, retireGrant, { GrantToken, DryRun: true }));

    // Assess
    expect(error).toBeInstanceOf(DryRunOperationException);
    expect(core.store.grantCount()).toBe(1);
  });
});

describe('revokeGrant', () => {
  it('deletes the grant, which then no longer allows anything', async () => {
    // Prepare
    const { core, key } = await given();
    const { GrantId, GrantToken } = await runHandler(core, createGrant, grantInput(key));

    // Act
    const output = await runHandler(core, revokeGrant, { KeyId: key.keyId, GrantId: GrantId ?? '' });

    // Assess
    expect(output).toEqual({});
    const lookup = new StoredGrantLookup(core.store);
    expect(await lookup.grantsForKey(key)).toEqual([]);
    expect(await lookup.grantsForTokens([GrantToken ?? ''], key)).toEqual([]);
  });

  it('throws InvalidGrantIdException for an ID of no grant of the key, and DryRunOperationException keeping the grant under DryRun', async () => {
    // Prepare
    const { core, key } = await given();
    const { GrantId } = await runHandler(core, createGrant, grantInput(key));

    // Act
    const unknown = await caught(runHandler(core, revokeGrant, { KeyId: key.keyId, GrantId: 'a'.repeat(64) }));
    const dryRun = await caught(runHandler(core, revokeGrant, { KeyId: key.keyId, GrantId: GrantId ?? '', DryRun: true }));

    // Assess
    expect(unknown).toBeInstanceOf(InvalidGrantIdException);
    expect(dryRun).toBeInstanceOf(DryRunOperationException);
    expect(core.store.grantCount()).toBe(1);
  });
});
