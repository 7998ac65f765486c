/**
 * Conformance scenarios: key policies, IAM policies, VPC endpoint policies and grants together.
 * `source` names where the case comes from: a line of the Developer Guide (seed 004), the VPC
 * endpoint seeds (000, 001), or the rule it checks.
 */
import type { Expectation, Scenario } from './fixtures.js';
import { ACCOUNT, ACCOUNT_STATEMENT, ALLOW_ALL_IAM, KEY_ARN, OTHER, OTHER_KEY_ARN, iamPolicy, keyPolicy } from './fixtures.js';
import { EXAMPLE_KEY_1, EXAMPLE_KEY_2, ROLE_PRINCIPAL, USER_ALICE } from './example-policies.js';

export interface ConformanceCase extends Scenario {
  readonly name: string;
  readonly source: string;
  readonly expect: Expectation;
  /** The Sid of the statement that decided, when it matters. */
  readonly sid?: string;
}

const DEFAULT = keyPolicy(ACCOUNT_STATEMENT);
const ALLOW_ALICE = (action: string | string[], condition?: object): object => ({ Effect: 'Allow', Principal: USER_ALICE, Action: action, Resource: '*', ...(condition === undefined ? {} : { Condition: condition }) });
const VPCE = { vpcEndpointId: 'vpce-0295a3caf8414c94a', vpcId: 'vpc-12345678' };
const grant = (operations: string[], extra: object = {}): object => ({ grantId: 'g-1', keyArn: KEY_ARN, granteePrincipal: `arn:aws:iam::${ACCOUNT}:user/Alice`, issuingAccount: `arn:aws:iam::${ACCOUNT}:root`, operations, ...extra });

const cases: ConformanceCase[] = [
  // Default key policy and IAM policies (guide 9111, 9158; troubleshooting examples 13968).
  { name: 'default policy, no IAM policy: denied, no identity-based policy allows', source: 'guide 13968 (Example 1)', keyPolicy: DEFAULT, expect: 'implicit identity-based' },
  { name: 'default policy, IAM allows kms:*', source: 'guide 9158', keyPolicy: DEFAULT, identityPolicies: [ALLOW_ALL_IAM], expect: 'allow' },
  { name: 'default policy, root user needs no IAM policy', source: 'guide 9160 (account principal includes the root user)', principal: 'root', keyPolicy: DEFAULT, expect: 'allow' },
  { name: 'default policy, IAM allows another action only', source: 'guide 9158', keyPolicy: DEFAULT, identityPolicies: [iamPolicy({ Effect: 'Allow', Action: 'kms:Decrypt', Resource: '*' })], expect: 'implicit identity-based' },
  { name: 'default policy, role session allowed by IAM policy of the role', source: 'guide 9158', principal: 'session', keyPolicy: DEFAULT, identityPolicies: [ALLOW_ALL_IAM], expect: 'allow' },
  { name: 'default policy, IAM deny wins over IAM allow', source: 'guide 10222 (prevent disabling)', action: 'kms:DisableKey', keyPolicy: DEFAULT, identityPolicies: [ALLOW_ALL_IAM, iamPolicy({ Effect: 'Deny', Action: ['kms:DisableKey', 'kms:ScheduleKeyDeletion'], Resource: '*' })], expect: 'explicit identity-based' },
  { name: 'default policy, account ID principal works like the root ARN', source: 'seed 000 (Principal {"AWS": ["111122223333"]})', keyPolicy: keyPolicy({ Effect: 'Allow', Principal: { AWS: [ACCOUNT] }, Action: 'kms:*', Resource: '*' }), identityPolicies: [ALLOW_ALL_IAM], expect: 'allow' },
  // A key policy without the account statement (guide 8864: IAM policies have no effect).
  { name: 'no account statement: IAM allow has no effect', source: 'guide 8864', keyPolicy: keyPolicy(ALLOW_ALICE('kms:DescribeKey')), identityPolicies: [ALLOW_ALL_IAM], expect: 'implicit resource-based' },
  { name: 'no account statement: IAM deny still applies', source: 'guide 8864', action: 'kms:DescribeKey', keyPolicy: keyPolicy(ALLOW_ALICE('kms:DescribeKey')), identityPolicies: [iamPolicy({ Effect: 'Deny', Action: 'kms:*', Resource: '*' })], expect: 'explicit identity-based' },
  { name: 'no account statement: a statement naming the user allows by itself', source: 'guide 8930', action: 'kms:DescribeKey', keyPolicy: keyPolicy(ALLOW_ALICE('kms:DescribeKey')), expect: 'allow' },
  { name: 'no account statement: root user is locked out', source: 'guide 9186 (contact AWS Support)', principal: 'root', action: 'kms:DescribeKey', keyPolicy: keyPolicy(ALLOW_ALICE('kms:DescribeKey')), expect: 'implicit resource-based' },
  { name: 'no account statement: another user of the account', source: 'guide 8864', principal: 'bob', action: 'kms:DescribeKey', keyPolicy: keyPolicy(ALLOW_ALICE('kms:DescribeKey')), identityPolicies: [ALLOW_ALL_IAM], expect: 'implicit resource-based' },
  // Key policy example of guide 8930 (DescribeKey with kms:KeySpec).
  { name: 'kms:KeySpec condition holds for a symmetric key', source: 'guide 8930', action: 'kms:DescribeKey', keyPolicy: keyPolicy(ALLOW_ALICE('kms:DescribeKey', { StringEquals: { 'kms:KeySpec': 'SYMMETRIC_DEFAULT' } })), expect: 'allow' },
  { name: 'kms:KeySpec condition fails for an RSA key', source: 'guide 8930', action: 'kms:DescribeKey', key: { keySpec: 'RSA_2048' }, keyPolicy: keyPolicy(ALLOW_ALICE('kms:DescribeKey', { StringEquals: { 'kms:KeySpec': 'SYMMETRIC_DEFAULT' } })), expect: 'implicit resource-based' },
  // Deny precedence.
  { name: 'key policy deny wins over key policy allow', source: 'guide 8948 (explicit deny)', keyPolicy: keyPolicy(ALLOW_ALICE('kms:*'), { Sid: 'NoEncrypt', Effect: 'Deny', Principal: '*', Action: 'kms:Encrypt', Resource: '*' }), expect: 'explicit resource-based', sid: 'NoEncrypt' },
  { name: 'key policy deny wins over IAM allow', source: 'guide 8948', keyPolicy: keyPolicy(ACCOUNT_STATEMENT, { Effect: 'Deny', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:user/Alice` }, Action: 'kms:Encrypt', Resource: '*' }), identityPolicies: [ALLOW_ALL_IAM], expect: 'explicit resource-based' },
  { name: 'key policy deny of the account applies to its users', source: 'IAM: a Deny naming an account applies to its principals', keyPolicy: keyPolicy(ALLOW_ALICE('kms:*'), { Effect: 'Deny', Principal: { AWS: ACCOUNT }, Action: 'kms:Encrypt', Resource: '*' }), expect: 'explicit resource-based' },
  { name: 'key policy deny wins over a grant', source: 'guide 11470 (a Deny takes precedence over all grants)', keyPolicy: keyPolicy(ACCOUNT_STATEMENT, { Effect: 'Deny', Principal: '*', Action: 'kms:Encrypt', Resource: '*' }), grants: [grant(['Encrypt'])] as never, expect: 'explicit resource-based' },
  { name: 'IAM deny wins over a grant', source: 'guide 8864', keyPolicy: DEFAULT, identityPolicies: [iamPolicy({ Effect: 'Deny', Action: 'kms:Encrypt', Resource: '*' })], grants: [grant(['Encrypt'])] as never, expect: 'explicit identity-based' },
  { name: 'a deny for another action does not apply', source: 'IAM evaluation logic', keyPolicy: keyPolicy(ALLOW_ALICE('kms:*'), { Effect: 'Deny', Principal: '*', Action: 'kms:Decrypt', Resource: '*' }), expect: 'allow' },
  { name: 'a deny for another principal does not apply', source: 'IAM evaluation logic', keyPolicy: keyPolicy(ALLOW_ALICE('kms:*'), { Effect: 'Deny', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:user/bob` }, Action: 'kms:*', Resource: '*' }), expect: 'allow' },
  { name: 'a deny whose condition fails does not apply', source: 'IAM evaluation logic', keyPolicy: keyPolicy(ALLOW_ALICE('kms:*'), { Effect: 'Deny', Principal: '*', Action: 'kms:*', Resource: '*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }), expect: 'allow' },
  { name: 'a deny on an explicit deny for the root user too', source: 'guide 8862 (no principal, including the root user)', principal: 'root', keyPolicy: keyPolicy(ACCOUNT_STATEMENT, { Effect: 'Deny', Principal: '*', Action: 'kms:Encrypt', Resource: '*' }), expect: 'explicit resource-based' },
  // Principal forms.
  { name: 'Principal "*" allows any principal of the account', source: 'guide 8960', principal: 'bob', keyPolicy: keyPolicy({ Effect: 'Allow', Principal: '*', Action: 'kms:Encrypt', Resource: '*' }), expect: 'allow' },
  { name: 'Principal {"AWS": "*"} allows any principal', source: 'guide 8960', principal: 'session', keyPolicy: keyPolicy({ Effect: 'Allow', Principal: { AWS: '*' }, Action: 'kms:Encrypt', Resource: '*' }), expect: 'allow' },
  { name: 'a role principal covers its sessions', source: 'guide 9546 (users who can assume the role)', principal: 'session', keyPolicy: keyPolicy({ Effect: 'Allow', Principal: ROLE_PRINCIPAL, Action: 'kms:Encrypt', Resource: '*' }), expect: 'allow' },
  { name: 'a session principal names that session only', source: 'IAM principals: assumed-role session ARN', principal: 'session', keyPolicy: keyPolicy({ Effect: 'Allow', Principal: { AWS: `arn:aws:sts::${ACCOUNT}:assumed-role/ExampleRole/other` }, Action: 'kms:Encrypt', Resource: '*' }), expect: 'implicit resource-based' },
  { name: 'a session principal naming the caller session', source: 'IAM principals: assumed-role session ARN', principal: 'session', keyPolicy: keyPolicy({ Effect: 'Allow', Principal: { AWS: `arn:aws:sts::${ACCOUNT}:assumed-role/ExampleRole/app` }, Action: 'kms:Encrypt', Resource: '*' }), expect: 'allow' },
  { name: 'a user principal does not cover another user', source: 'IAM principals', principal: 'bob', keyPolicy: keyPolicy(ALLOW_ALICE('kms:Encrypt')), expect: 'implicit resource-based' },
  { name: 'a service principal does not match a user', source: 'guide 9736 (Service principal)', keyPolicy: keyPolicy({ Effect: 'Allow', Principal: { Service: 'cloudtrail.amazonaws.com' }, Action: 'kms:GenerateDataKey', Resource: '*' }), action: 'kms:GenerateDataKey', expect: 'implicit resource-based' },
  { name: 'a list of principals', source: 'guide 9322', principal: 'session', keyPolicy: keyPolicy({ Effect: 'Allow', Principal: { AWS: [`arn:aws:iam::${ACCOUNT}:role/ExampleRole`, `arn:aws:iam::${OTHER}:root`] }, Action: 'kms:Encrypt', Resource: '*' }), expect: 'allow' },
  // NotPrincipal (IAM User Guide, "NotPrincipal": list the account and the role beside the session).
  { name: 'NotPrincipal deny excludes the named user only with its account', source: 'IAM NotPrincipal: user and account listed', keyPolicy: keyPolicy(ALLOW_ALICE('kms:*'), { Effect: 'Deny', NotPrincipal: { AWS: [`arn:aws:iam::${ACCOUNT}:user/Alice`, `arn:aws:iam::${ACCOUNT}:root`] }, Action: 'kms:*', Resource: '*' }), expect: 'allow' },
  { name: 'NotPrincipal deny naming the user but not its account denies the user', source: 'IAM NotPrincipal: account ARN missing', keyPolicy: keyPolicy(ALLOW_ALICE('kms:*'), { Effect: 'Deny', NotPrincipal: { AWS: `arn:aws:iam::${ACCOUNT}:user/Alice` }, Action: 'kms:*', Resource: '*' }), expect: 'explicit resource-based' },
  { name: 'NotPrincipal deny naming only the account denies its users', source: 'IAM NotPrincipal: account alone', keyPolicy: keyPolicy(ALLOW_ALICE('kms:*'), { Effect: 'Deny', NotPrincipal: { AWS: ACCOUNT }, Action: 'kms:*', Resource: '*' }), expect: 'explicit resource-based' },
  { name: 'NotPrincipal deny naming only the account spares the root user', source: 'IAM NotPrincipal: account alone', principal: 'root', keyPolicy: keyPolicy(ACCOUNT_STATEMENT, { Effect: 'Deny', NotPrincipal: { AWS: ACCOUNT }, Action: 'kms:*', Resource: '*' }), expect: 'allow' },
  { name: 'NotPrincipal deny spares a session when account, role and session are listed', source: 'IAM NotPrincipal: assumed-role example', principal: 'session', keyPolicy: keyPolicy({ Effect: 'Allow', Principal: ROLE_PRINCIPAL, Action: 'kms:*', Resource: '*' }, { Effect: 'Deny', NotPrincipal: { AWS: [`arn:aws:sts::${ACCOUNT}:assumed-role/ExampleRole/app`, `arn:aws:iam::${ACCOUNT}:role/ExampleRole`, `arn:aws:iam::${ACCOUNT}:root`] }, Action: 'kms:*', Resource: '*' }), expect: 'allow' },
  { name: 'NotPrincipal deny denies a session when its role is not listed', source: 'IAM NotPrincipal: assumed-role example', principal: 'session', keyPolicy: keyPolicy({ Effect: 'Allow', Principal: ROLE_PRINCIPAL, Action: 'kms:*', Resource: '*' }, { Effect: 'Deny', NotPrincipal: { AWS: [`arn:aws:sts::${ACCOUNT}:assumed-role/ExampleRole/app`, `arn:aws:iam::${ACCOUNT}:root`] }, Action: 'kms:*', Resource: '*' }), expect: 'explicit resource-based' },
  { name: 'NotPrincipal allow applies to everyone else', source: 'IAM NotPrincipal', principal: 'bob', keyPolicy: keyPolicy({ Effect: 'Allow', NotPrincipal: USER_ALICE, Action: 'kms:Encrypt', Resource: '*' }), expect: 'allow' },
  { name: 'NotPrincipal allow excludes the named user (with its account)', source: 'IAM NotPrincipal', keyPolicy: keyPolicy({ Effect: 'Allow', NotPrincipal: { AWS: [`arn:aws:iam::${ACCOUNT}:user/Alice`, ACCOUNT] }, Action: 'kms:Encrypt', Resource: '*' }), expect: 'implicit resource-based' },
  // NotAction and NotResource.
  { name: 'NotAction allows other actions', source: 'IAM NotAction', keyPolicy: keyPolicy({ Effect: 'Allow', Principal: USER_ALICE, NotAction: 'kms:Decrypt', Resource: '*' }), expect: 'allow' },
  { name: 'NotAction does not allow the named action', source: 'IAM NotAction', action: 'kms:Decrypt', keyPolicy: keyPolicy({ Effect: 'Allow', Principal: USER_ALICE, NotAction: 'kms:Decrypt', Resource: '*' }), expect: 'implicit resource-based' },
  { name: 'NotAction wildcard', source: 'IAM NotAction', action: 'kms:ScheduleKeyDeletion', keyPolicy: keyPolicy({ Effect: 'Allow', Principal: USER_ALICE, NotAction: ['kms:Schedule*', 'kms:Delete*'], Resource: '*' }), expect: 'implicit resource-based' },
  { name: 'NotAction deny denies everything else', source: 'IAM NotAction', keyPolicy: keyPolicy(ALLOW_ALICE('kms:*'), { Effect: 'Deny', Principal: '*', NotAction: 'kms:Describe*', Resource: '*' }), expect: 'explicit resource-based' },
  { name: 'NotAction deny spares the listed actions', source: 'IAM NotAction', action: 'kms:DescribeKey', keyPolicy: keyPolicy(ALLOW_ALICE('kms:*'), { Effect: 'Deny', Principal: '*', NotAction: 'kms:Describe*', Resource: '*' }), expect: 'allow' },
  { name: 'NotResource in an IAM policy allows keys of other accounts only', source: 'IAM NotResource', resource: 'otherKey', principal: 'carol', keyPolicy: keyPolicy({ Effect: 'Allow', Principal: { AWS: OTHER }, Action: 'kms:*', Resource: '*' }), identityPolicies: [iamPolicy({ Effect: 'Allow', Action: 'kms:Encrypt', NotResource: `arn:aws:kms:*:${OTHER}:key/*` })], expect: 'implicit identity-based' },
  { name: 'NotResource in an IAM policy', source: 'IAM NotResource', keyPolicy: DEFAULT, identityPolicies: [iamPolicy({ Effect: 'Allow', Action: 'kms:Encrypt', NotResource: `arn:aws:kms:*:${OTHER}:key/*` })], expect: 'allow' },
  { name: 'NotResource deny', source: 'IAM NotResource', keyPolicy: DEFAULT, identityPolicies: [ALLOW_ALL_IAM, iamPolicy({ Effect: 'Deny', Action: 'kms:*', NotResource: `arn:aws:kms:us-east-1:${ACCOUNT}:key/*` })], expect: 'explicit identity-based' },
  { name: 'a key policy statement without Resource has no effect', source: 'guide 8996', keyPolicy: keyPolicy({ Effect: 'Allow', Principal: USER_ALICE, Action: 'kms:Encrypt' }), expect: 'implicit resource-based' },
  { name: 'a key policy statement without Action has no effect', source: 'API model, CreateKey Policy', keyPolicy: keyPolicy({ Effect: 'Allow', Principal: USER_ALICE, Resource: '*' }), expect: 'implicit resource-based' },
  { name: 'a key policy Resource naming this key', source: 'guide 8990', keyPolicy: keyPolicy({ Effect: 'Allow', Principal: USER_ALICE, Action: 'kms:Encrypt', Resource: KEY_ARN }), expect: 'allow' },
  { name: 'a key policy Resource naming another key', source: 'guide 8990', keyPolicy: keyPolicy({ Effect: 'Allow', Principal: USER_ALICE, Action: 'kms:Encrypt', Resource: OTHER_KEY_ARN }), expect: 'implicit resource-based' },
  // Actions: wildcards and case.
  { name: 'kms:GenerateDataKey* covers GenerateDataKeyPairWithoutPlaintext', source: 'guide 9466', action: 'kms:GenerateDataKeyPairWithoutPlaintext', keyPolicy: keyPolicy(ALLOW_ALICE('kms:GenerateDataKey*')), expect: 'allow' },
  { name: 'kms:ReEncrypt* covers ReEncryptFrom', source: 'guide 9476', action: 'kms:ReEncryptFrom', keyPolicy: keyPolicy(ALLOW_ALICE('kms:ReEncrypt*')), expect: 'allow' },
  { name: 'actions compare without regard to case', source: 'IAM Action element', keyPolicy: keyPolicy(ALLOW_ALICE('KMS:encrypt')), expect: 'allow' },
  { name: 'a ? wildcard in an action', source: 'IAM Action element', action: 'kms:Verify', keyPolicy: keyPolicy(ALLOW_ALICE('kms:Ver?fy')), expect: 'allow' },
  { name: 'action "*"', source: 'IAM Action element', keyPolicy: keyPolicy(ALLOW_ALICE('*')), expect: 'allow' },
  { name: 'another service\'s action does not match', source: 'IAM Action element', keyPolicy: keyPolicy(ALLOW_ALICE('s3:*')), expect: 'implicit resource-based' },
  { name: 'kms:Describe* does not cover kms:Encrypt', source: 'guide 9215', keyPolicy: keyPolicy(ALLOW_ALICE(['kms:Describe*', 'kms:List*'])), expect: 'implicit resource-based' },
];

export const BASIC_CASES: readonly ConformanceCase[] = cases;

export { ALLOW_ALICE, DEFAULT, EXAMPLE_KEY_1, EXAMPLE_KEY_2, VPCE, grant };
