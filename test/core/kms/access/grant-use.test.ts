/**
 * Grants made by CreateGrant, stored in the store and looked up through StoredGrantLookup, as the
 * access control weighs them: a grant lets its grantee use the key for its operations only, under
 * its constraints, at once (with or without its token), until it is retired or revoked; a grant
 * that allows CreateGrant allows only grants no wider than itself. Developer Guide, "Grants in AWS
 * KMS", "Using grant constraints", "Granting CreateGrant permission".
 */
import { describe, expect, it } from 'vitest';
import { AccessDeniedException } from '../../../../src/models/kms/generated/errors.js';
import type { OperationIO, OperationName } from '../../../../src/models/kms/generated/operations.js';
import type { Principal, RequestContext } from '../../../../src/core/request-context.js';
import { OPERATION_HANDLERS } from '../../../../src/core/kms/operations/registry.js';
import { TouchedResources } from '../../../../src/core/kms/service.js';
import { ACCOUNT_ID, bytes, caught, makeContext, makeCore, makePrincipal, seedKey, type CoreHarness } from '../../../support/core.js';

const ROLE_ARN = `arn:aws:iam::${ACCOUNT_ID}:role/App`;
const APP: Principal = makePrincipal({
  type: 'AssumedRole', arn: `arn:aws:sts::${ACCOUNT_ID}:assumed-role/App/s1`, principalId: 'AROAEXAMPLEAPP000001:s1', accessKeyId: 'ASIAEXAMPLEAPP000001',
  session: { roleArn: ROLE_ARN, roleName: 'App', roleId: 'AROAEXAMPLEAPP000001', sessionName: 's1', issuedAt: 0, expiresAt: Number.MAX_SAFE_INTEGER },
});
const OTHER_ROLE_ARN = `arn:aws:iam::${ACCOUNT_ID}:role/Other`;
const OTHER: Principal = makePrincipal({
  type: 'AssumedRole', arn: `arn:aws:sts::${ACCOUNT_ID}:assumed-role/Other/s1`, principalId: 'AROAEXAMPLEOTHER0001:s1', accessKeyId: 'ASIAEXAMPLEOTHER0001',
  session: { roleArn: OTHER_ROLE_ARN, roleName: 'Other', roleId: 'AROAEXAMPLEOTHER0001', sessionName: 's1', issuedAt: 0, expiresAt: Number.MAX_SAFE_INTEGER },
});

async function run<Op extends OperationName>(
  core: CoreHarness, operation: Op, input: OperationIO[Op]['input'], ctx: Partial<RequestContext> = {},
): Promise<OperationIO[Op]['output']> {
  const handler = OPERATION_HANDLERS[operation];
  if (handler === undefined) throw new Error(`${operation} not built`);
  return handler({ deps: core.deps, ctx: makeContext(ctx), input, touched: new TouchedResources() });
}

/** A key with the default key policy, and a grant on it to the App role made by the account's root. */
async function keyWithGrant(grant: Partial<OperationIO['CreateGrant']['input']> = {}) {
  const core = makeCore();
  core.identities.exist(ROLE_ARN, OTHER_ROLE_ARN);
  const key = await seedKey(core);
  const created = await run(core, 'CreateGrant', { KeyId: key.keyId, GranteePrincipal: ROLE_ARN, Operations: ['Encrypt', 'Decrypt'], ...grant });
  return { core, key, grantId: created.GrantId ?? '', token: created.GrantToken ?? '' };
}

describe('a grant as authorization weighs it', () => {
  it('lets a session of the grantee role use the key for the grant\'s operations, which it could not before', async () => {
    // Prepare
    const core = makeCore();
  core.identities.exist(ROLE_ARN, OTHER_ROLE_ARN);
    const key = await seedKey(core);
    const before = await caught(run(core, 'Encrypt', { KeyId: key.keyId, Plaintext: bytes('x') }, { principal: APP }));
    await run(core, 'CreateGrant', { KeyId: key.keyId, GranteePrincipal: ROLE_ARN, Operations: ['Encrypt', 'Decrypt'] });

    // Act
    const encrypted = await run(core, 'Encrypt', { KeyId: key.keyId, Plaintext: bytes('secret') }, { principal: APP });
    const decrypted = await run(core, 'Decrypt', { CiphertextBlob: encrypted.CiphertextBlob }, { principal: APP });

    // Assess
    expect(before).toBeInstanceOf(AccessDeniedException);
    expect(new TextDecoder().decode(decrypted.Plaintext)).toBe('secret');
  });

  it.each<[string, OperationName, (keyId: string) => Record<string, unknown>]>([
    ['GenerateDataKey', 'GenerateDataKey', (keyId) => ({ KeyId: keyId, KeySpec: 'AES_256' })],
    ['DescribeKey', 'DescribeKey', (keyId) => ({ KeyId: keyId })],
    ['ReEncrypt', 'ReEncrypt', () => ({})],
  ])('refuses the grantee %s, which the grant does not allow', async (_name, operation, input) => {
    // Prepare
    const { core, key } = await keyWithGrant();
    const { CiphertextBlob } = await run(core, 'Encrypt', { KeyId: key.keyId, Plaintext: bytes('x') });
    const body = operation === 'ReEncrypt' ? { CiphertextBlob, DestinationKeyId: key.keyId } : input(key.keyId);

    // Act
    const error = await caught(run(core, operation, body as never, { principal: APP }));

    // Assess
    expect(error).toBeInstanceOf(AccessDeniedException);
    expect(error.message).toMatch(new RegExp(`^User: arn:aws:sts::${ACCOUNT_ID}:assumed-role/App/s1 is not authorized to perform: kms:`));
  });

  it('refuses a principal that is not the grantee', async () => {
    // Prepare
    const { core, key } = await keyWithGrant();

    // Act
    const error = await caught(run(core, 'Encrypt', { KeyId: key.keyId, Plaintext: bytes('x') }, { principal: OTHER }));

    // Assess
    expect(error).toBeInstanceOf(AccessDeniedException);
  });

  it.each<[string, Record<string, string> | undefined, boolean]>([
    ['exactly the constraint\'s pairs', { Department: 'IT' }, true],
    ['the pairs with keys in another case', { department: 'IT' }, true],
    ['an extra pair', { Department: 'IT', Purpose: 'Test' }, false],
    ['another value', { Department: 'it' }, false],
    ['no encryption context', undefined, false],
  ])('allows Encrypt under EncryptionContextEquals with %s: %s', async (_case, context, allowed) => {
    // Prepare
    const { core, key } = await keyWithGrant({ Constraints: { EncryptionContextEquals: { Department: 'IT' } } });

    // Act
    const result = run(core, 'Encrypt', { KeyId: key.keyId, Plaintext: bytes('x'), EncryptionContext: context }, { principal: APP });

    // Assess
    if (allowed) await expect(result).resolves.toMatchObject({ KeyId: key.arn });
    else expect(await caught(result)).toBeInstanceOf(AccessDeniedException);
  });

  it.each<[string, Record<string, string> | undefined, boolean]>([
    ['exactly the constraint\'s pairs', { Department: 'IT' }, true],
    ['an extra pair', { Department: 'IT', Purpose: 'Test' }, true],
    ['another value', { Department: 'HR' }, false],
    ['no encryption context', undefined, false],
  ])('allows Decrypt under EncryptionContextSubset with %s: %s', async (_case, context, allowed) => {
    // Prepare
    const { core, key } = await keyWithGrant({ Constraints: { EncryptionContextSubset: { Department: 'IT' } } });
    const { CiphertextBlob } = await run(core, 'Encrypt', { KeyId: key.keyId, Plaintext: bytes('x'), EncryptionContext: context });

    // Act
    const result = run(core, 'Decrypt', { CiphertextBlob, EncryptionContext: context }, { principal: APP });

    // Assess
    if (allowed) await expect(result).resolves.toMatchObject({ KeyId: key.arn });
    else expect(await caught(result)).toBeInstanceOf(AccessDeniedException);
  });

  it('lets the grantee use a grant through its token, and no longer once it is retired', async () => {
    // Prepare
    const { core, key, token } = await keyWithGrant({ Operations: ['GenerateDataKey', 'RetireGrant'] });

    // Act
    const withToken = await run(core, 'GenerateDataKey', { KeyId: key.keyId, KeySpec: 'AES_256', GrantTokens: [token] }, { principal: APP });
    await run(core, 'RetireGrant', { GrantToken: token }, { principal: APP });
    const afterRetire = await caught(run(core, 'GenerateDataKey', { KeyId: key.keyId, KeySpec: 'AES_256' }, { principal: APP }));

    // Assess
    expect(withToken.KeyId).toBe(key.arn);
    expect(afterRetire).toBeInstanceOf(AccessDeniedException);
  });

  it('stops allowing once the grant is revoked', async () => {
    // Prepare
    const { core, key, grantId } = await keyWithGrant();
    await run(core, 'Encrypt', { KeyId: key.keyId, Plaintext: bytes('x') }, { principal: APP });

    // Act
    await run(core, 'RevokeGrant', { KeyId: key.keyId, GrantId: grantId });
    const error = await caught(run(core, 'Encrypt', { KeyId: key.keyId, Plaintext: bytes('x') }, { principal: APP }));

    // Assess
    expect(error).toBeInstanceOf(AccessDeniedException);
  });

  it('lets a grant that allows CreateGrant create only grants no wider than itself', async () => {
    // Prepare
    const { core, key } = await keyWithGrant({ Operations: ['Decrypt', 'CreateGrant'], Constraints: { EncryptionContextSubset: { Department: 'IT' } } });
    const child = { KeyId: key.keyId, GranteePrincipal: OTHER_ROLE_ARN };

    // Act
    const narrower = await run(core, 'CreateGrant', { ...child, Operations: ['Decrypt'], Constraints: { EncryptionContextEquals: { Department: 'IT' } } }, { principal: APP });
    const moreOperations = await caught(run(core, 'CreateGrant', { ...child, Operations: ['Decrypt', 'Encrypt'], Constraints: { EncryptionContextSubset: { Department: 'IT' } } }, { principal: APP }));
    const looser = await caught(run(core, 'CreateGrant', { ...child, Operations: ['Decrypt'] }, { principal: APP }));

    // Assess
    expect(narrower.GrantId).toMatch(/^[0-9a-f]{64}$/);
    expect(moreOperations).toBeInstanceOf(AccessDeniedException);
    expect(looser).toBeInstanceOf(AccessDeniedException);
    expect((await run(core, 'ListGrants', { KeyId: key.keyId })).Grants).toHaveLength(2);
  });

  it('refuses CreateGrant to a grantee whose grant does not allow it, and writes nothing', async () => {
    // Prepare
    const { core, key } = await keyWithGrant();

    // Act
    const error = await caught(run(core, 'CreateGrant', { KeyId: key.keyId, GranteePrincipal: OTHER_ROLE_ARN, Operations: ['Decrypt'] }, { principal: APP }));

    // Assess
    expect(error).toBeInstanceOf(AccessDeniedException);
    expect((await run(core, 'ListGrants', { KeyId: key.keyId })).Grants).toHaveLength(1);
  });
});
