/** Access-denied wording, decision sources, the lockout safety check and the default key policy. */
import { describe, expect, it } from 'vitest';
import { accessDenied, accessDeniedMessage } from '../../../src/core/authz/access-denied.js';
import { compileKeyPolicy, noResourceArn } from '../../../src/core/authz/policies.js';
import { assertLockoutSafe, keepsPutKeyPolicy } from '../../../src/core/authz/lockout.js';
import { MalformedPolicyDocumentException } from '../../../src/models/kms/generated/errors.js';
import { defaultKeyPolicy } from '../../../src/core/kms/keys/default-key-policy.js';
import { ACCOUNT, ACCOUNT_STATEMENT, ALIAS_ARN, ALLOW_ALL_IAM, KEY_ARN, PRINCIPALS, decide, iamPolicy, keyPolicy } from './fixtures.js';

const ALICE = PRINCIPALS.alice.arn;

describe('access-denied messages', () => {
  it.each([
    ['no identity-based policy allows', { keyPolicy: keyPolicy(ACCOUNT_STATEMENT) },
      `User: ${ALICE} is not authorized to perform: kms:Encrypt on resource: ${KEY_ARN} because no identity-based policy allows the kms:Encrypt action`],
    ['no resource-based policy allows', { keyPolicy: keyPolicy({ Effect: 'Allow', Principal: { AWS: PRINCIPALS.bob.arn }, Action: 'kms:*', Resource: '*' }) },
      `User: ${ALICE} is not authorized to perform: kms:Encrypt on resource: ${KEY_ARN} because no resource-based policy allows the kms:Encrypt action`],
    ['an explicit deny in a resource-based policy', { keyPolicy: keyPolicy(ACCOUNT_STATEMENT, { Effect: 'Deny', Principal: '*', Action: 'kms:Encrypt', Resource: '*' }) },
      `User: ${ALICE} is not authorized to perform: kms:Encrypt on resource: ${KEY_ARN} with an explicit deny in a resource-based policy`],
    ['an explicit deny in an identity-based policy (with the policy ARN)', { keyPolicy: keyPolicy(ACCOUNT_STATEMENT), identityPolicies: [iamPolicy({ Effect: 'Deny', Action: 'kms:*', Resource: '*' })] },
      `User: ${ALICE} is not authorized to perform: kms:Encrypt on resource: ${KEY_ARN} with an explicit deny in an identity-based policy: arn:aws:iam::${ACCOUNT}:policy/policy-0`],
    ['no VPC endpoint policy allows', { keyPolicy: keyPolicy(ACCOUNT_STATEMENT), identityPolicies: [ALLOW_ALL_IAM], env: { vpcEndpointId: 'vpce-1' }, vpcEndpointPolicy: { Statement: [{ Effect: 'Allow', Principal: '*', Action: 'kms:Decrypt', Resource: '*' }] } },
      `User: ${ALICE} is not authorized to perform: kms:Encrypt on resource: ${KEY_ARN} because no VPC endpoint policy allows the kms:Encrypt action`],
    ['an explicit deny in a VPC endpoint policy', { keyPolicy: keyPolicy(ACCOUNT_STATEMENT), identityPolicies: [ALLOW_ALL_IAM], env: { vpcEndpointId: 'vpce-1' }, vpcEndpointPolicy: { Statement: [{ Effect: 'Deny', Principal: '*', Action: '*', Resource: '*' }] } },
      `User: ${ALICE} is not authorized to perform: kms:Encrypt on resource: ${KEY_ARN} with an explicit deny in a VPC endpoint policy`],
    ['an operation on no resource names resource *', { action: 'kms:CreateKey', resource: 'none' as const },
      `User: ${ALICE} is not authorized to perform: kms:CreateKey on resource: * because no identity-based policy allows the kms:CreateKey action`],
    ['an alias names the alias ARN', { action: 'kms:CreateAlias', resource: 'alias' as const },
      `User: ${ALICE} is not authorized to perform: kms:CreateAlias on resource: ${ALIAS_ARN} because no identity-based policy allows the kms:CreateAlias action`],
  ])('words a denial because %s', (_reason, scenario, message) => {
    // Act
    const decision = decide(scenario);

    // Assess
    expect(decision.allowed).toBe(false);
    if (!decision.allowed) expect(decision.message).toBe(message);
  });

  it('builds an AccessDeniedException', () => {
    const error = accessDenied({ principalArn: ALICE, action: 'kms:Decrypt', resource: KEY_ARN, explicit: true, policyType: 'identity-based' });
    expect(error.name).toBe('AccessDeniedException');
    expect(error.message).toBe(accessDeniedMessage({ principalArn: ALICE, action: 'kms:Decrypt', resource: KEY_ARN, explicit: true, policyType: 'identity-based' }));
    expect(error.message.endsWith('with an explicit deny in an identity-based policy')).toBe(true);
  });
});

describe('decision sources', () => {
  it('names the key policy statement and the IAM policy that allowed', () => {
    const decision = decide({ keyPolicy: keyPolicy(ACCOUNT_STATEMENT), identityPolicies: [iamPolicy({ Sid: 'UseKeys', Effect: 'Allow', Action: 'kms:*', Resource: '*' })] });
    expect(decision).toEqual({ allowed: true, sources: [
      { type: 'key-policy', policyName: 'default', sid: 'Enable IAM User Permissions', statementIndex: 0 },
      { type: 'identity-policy', policyName: 'policy-0', policyArn: `arn:aws:iam::${ACCOUNT}:policy/policy-0`, sid: 'UseKeys', statementIndex: 0 },
    ] });
  });

  it('names the grant that allowed', () => {
    const decision = decide({ keyPolicy: keyPolicy({ Effect: 'Allow', Principal: { AWS: PRINCIPALS.bob.arn }, Action: 'kms:*', Resource: '*' }), grants: [{ grantId: 'g-42', keyArn: KEY_ARN, granteePrincipal: ALICE, issuingAccount: `arn:aws:iam::${ACCOUNT}:root`, operations: ['Encrypt'] }] });
    expect(decision).toEqual({ allowed: true, sources: [{ type: 'grant', grantId: 'g-42' }] });
  });

  it('names the root user when no IAM policy was needed', () => {
    const decision = decide({ principal: 'root', action: 'kms:ListKeys', resource: 'none' });
    expect(decision).toEqual({ allowed: true, sources: [{ type: 'root-user' }] });
  });

  it('names the deny statement by index when it has no Sid', () => {
    const decision = decide({ keyPolicy: keyPolicy(ACCOUNT_STATEMENT, { Effect: 'Deny', Principal: '*', Action: 'kms:*', Resource: '*' }) });
    expect(decision.allowed === false && decision.source).toEqual({ type: 'key-policy', policyName: 'default', statementIndex: 1 });
  });

  it('gives the no-resource ARN of a Region and account', () => {
    expect(noResourceArn('cn-north-1', ACCOUNT)).toBe(`arn:aws-cn:kms:cn-north-1:${ACCOUNT}:*`);
  });
});

describe('lockout safety check', () => {
  const check = async (policy: object, principal: keyof typeof PRINCIPALS = 'alice'): Promise<boolean> => keepsPutKeyPolicy({
    policy: await compileKeyPolicy(JSON.stringify(policy)), principal: PRINCIPALS[principal], keyArn: KEY_ARN, conditionKeys: new Map(),
  });

  it('passes a policy with the account statement, without asking IAM', async () => {
    expect(await check(keyPolicy(ACCOUNT_STATEMENT))).toBe(true);
  });

  it('passes a policy that names the caller for kms:Put*', async () => {
    expect(await check(keyPolicy({ Effect: 'Allow', Principal: { AWS: PRINCIPALS.alice.arn }, Action: 'kms:Put*', Resource: '*' }))).toBe(true);
  });

  it('fails a policy that names another user only', async () => {
    expect(await check(keyPolicy({ Effect: 'Allow', Principal: { AWS: PRINCIPALS.bob.arn }, Action: 'kms:*', Resource: '*' }))).toBe(false);
  });

  it('fails a policy that denies the caller PutKeyPolicy', async () => {
    expect(await check(keyPolicy(ACCOUNT_STATEMENT, { Effect: 'Deny', Principal: '*', Action: 'kms:PutKeyPolicy', Resource: '*' }))).toBe(false);
  });

  it('fails a policy without kms:PutKeyPolicy for the root user', async () => {
    expect(await check(keyPolicy({ Effect: 'Allow', Principal: { AWS: ACCOUNT }, Action: 'kms:Encrypt', Resource: '*' }), 'root')).toBe(false);
  });

  it('refuses a policy unless the new key policy lets the caller update the key policy in the future', async () => {
    const policy = await compileKeyPolicy(JSON.stringify(keyPolicy({ Effect: 'Allow', Principal: { AWS: PRINCIPALS.bob.arn }, Action: 'kms:*', Resource: '*' })));
    expect(() => assertLockoutSafe({ policy, principal: PRINCIPALS.alice, keyArn: KEY_ARN, conditionKeys: new Map() }))
      .toThrow(new MalformedPolicyDocumentException('The new key policy will not allow you to update the key policy in the future.'));
  });
});

describe('default key policy', () => {
  it('is the text GetKeyPolicy returns for a key created without a policy', () => {
    expect(defaultKeyPolicy('111122223333')).toBe(`{
  "Version" : "2012-10-17",
  "Id" : "key-default-1",
  "Statement" : [ {
    "Sid" : "Enable IAM User Permissions",
    "Effect" : "Allow",
    "Principal" : {
      "AWS" : "arn:aws:iam::111122223333:root"
    },
    "Action" : "kms:*",
    "Resource" : "*"
  } ]
}`);
  });

  it('names the partition of the Region', () => {
    expect(JSON.parse(defaultKeyPolicy('111122223333', 'aws-cn'))).toMatchObject({ Statement: [{ Principal: { AWS: 'arn:aws-cn:iam::111122223333:root' } }] });
  });
});
