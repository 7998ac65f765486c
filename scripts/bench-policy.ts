/**
 * Micro-benchmark of the policy engine: one Encrypt request against a 20-statement key policy and
 * five IAM policies with conditions, with and without building the request's condition keys, and
 * against the default key policy for comparison. Not a test: it prints figures.
 *
 * Usage: `npx tsx scripts/bench-policy.ts [iterations]`
 */
import { authorize, type AuthorizationRequest } from '../src/core/authz/authorize.js';
import { compilePolicy } from '../src/core/authz/compile-policy.js';
import { kmsConditionKeys } from '../src/core/authz/kms-condition-keys.js';
import { parsePolicy } from '../src/core/authz/parse-policy.js';
import type { AuthzPrincipal } from '../src/core/authz/principals.js';
import { defaultKeyPolicy } from '../src/core/kms/keys/default-key-policy.js';
import type { KeyRecord } from '../src/core/kms/records.js';

const ACCOUNT = '111122223333';
const KEY_ARN = `arn:aws:kms:us-west-2:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const principal: AuthzPrincipal = { type: 'AssumedRole', accountId: ACCOUNT, arn: `arn:aws:sts::${ACCOUNT}:assumed-role/App/s1`, roleArn: `arn:aws:iam::${ACCOUNT}:role/App` };
const key: KeyRecord = {
  keyId: '1234abcd-12ab-34cd-56ef-1234567890ab', arn: KEY_ARN, accountId: ACCOUNT, region: 'us-west-2', description: '', keySpec: 'SYMMETRIC_DEFAULT',
  keyUsage: 'ENCRYPT_DECRYPT', origin: 'AWS_KMS', keyState: 'Enabled', creationDate: 0, currentBackingKeyId: 'b',
  tags: [{ tagKey: 'Project', tagValue: 'Alpha' }], multiRegion: false, policy: '', revision: 1,
};
const input = { KeyId: 'alias/app', Plaintext: new Uint8Array(16), EncryptionContext: { AppName: 'ExampleApp', tenant: 't-42' } };
const env = { principal, principalId: 'AROAEXAMPLE:s1', principalTags: { team: 'blue' }, region: 'us-west-2', sourceIp: '203.0.113.10', secureTransport: true, now: new Date() };

function keyPolicyOf20(): string {
  const statements: object[] = [{ Sid: 'Enable IAM User Permissions', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'kms:*', Resource: '*' }];
  for (let i = 0; i < 8; i += 1) {
    statements.push({ Sid: `Admins${i}`, Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/Admin${i}` }, Action: ['kms:Create*', 'kms:Describe*', 'kms:Enable*', 'kms:List*', 'kms:Put*', 'kms:Update*', 'kms:Revoke*', 'kms:Disable*', 'kms:Get*', 'kms:Delete*'], Resource: '*' });
  }
  for (let i = 0; i < 8; i += 1) {
    statements.push({ Sid: `Users${i}`, Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/${i === 7 ? 'App' : `User${i}`}` }, Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*'], Resource: '*', Condition: { StringEquals: { 'kms:EncryptionContext:AppName': 'ExampleApp', 'kms:CallerAccount': ACCOUNT }, Bool: { 'aws:SecureTransport': 'true' } } });
  }
  statements.push({ Sid: 'DenyOutsideNetwork', Effect: 'Deny', Principal: '*', Action: 'kms:*', Resource: '*', Condition: { NotIpAddress: { 'aws:SourceIp': ['203.0.113.0/24', '198.51.100.0/24'] }, Bool: { 'aws:ViaAWSService': 'false' } } });
  statements.push({ Sid: 'DenyOtherAlgorithms', Effect: 'Deny', Principal: '*', Action: ['kms:Encrypt', 'kms:Decrypt'], Resource: '*', Condition: { StringNotEquals: { 'kms:EncryptionAlgorithm': 'SYMMETRIC_DEFAULT' } } });
  statements.push({ Sid: 'Grants', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/App` }, Action: ['kms:CreateGrant', 'kms:ListGrants', 'kms:RevokeGrant'], Resource: '*', Condition: { Bool: { 'kms:GrantIsForAWSResource': true } } });
  statements.push({ Sid: 'TenantByVariable', Effect: 'Allow', Principal: '*', Action: 'kms:Decrypt', Resource: '*', Condition: { StringEquals: { 'kms:EncryptionContext:tenant': '${aws:PrincipalTag/tenant}' } } });
  return JSON.stringify({ Version: '2012-10-17', Id: 'bench', Statement: statements });
}

function iamPolicies(): string[] {
  return [
    { Effect: 'Allow', Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey*'], Resource: `arn:aws:kms:us-west-2:${ACCOUNT}:key/*`, Condition: { StringEquals: { 'aws:ResourceTag/Project': 'Alpha' } } },
    { Effect: 'Allow', Action: 'kms:DescribeKey', Resource: '*' },
    { Effect: 'Deny', Action: 'kms:*', Resource: '*', Condition: { DateGreaterThan: { 'aws:CurrentTime': '2099-01-01T00:00:00Z' } } },
    { Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject'], Resource: 'arn:aws:s3:::bucket/${aws:username}/*' },
    { Effect: 'Deny', Action: ['kms:ScheduleKeyDeletion', 'kms:PutKeyPolicy'], Resource: '*', Condition: { StringNotLike: { 'aws:PrincipalArn': `arn:aws:iam::${ACCOUNT}:role/Admin*` } } },
  ].map((statement) => JSON.stringify({ Version: '2012-10-17', Statement: [statement] }));
}

function time(label: string, iterations: number, run: () => unknown): number {
  for (let i = 0; i < Math.min(20_000, iterations); i += 1) run();
  const rounds: number[] = [];
  for (let round = 0; round < 5; round += 1) {
    const start = performance.now();
    for (let i = 0; i < iterations; i += 1) run();
    rounds.push(((performance.now() - start) * 1000) / iterations);
  }
  rounds.sort((a, b) => a - b);
  const median = rounds[2] ?? 0;
  console.log(`${label.padEnd(62)} ${median.toFixed(2).padStart(7)} µs/op (rounds ${rounds.map((r) => r.toFixed(2)).join(', ')})`);
  return median;
}

const iterations = Number(process.argv[2] ?? 100_000);
const keyPolicyText = keyPolicyOf20();
const keyPolicy = { policy: compilePolicy(parsePolicy(keyPolicyText, { kind: 'key' })), name: 'default' };
const identityPolicies = iamPolicies().map((text, i) => ({ policy: compilePolicy(parsePolicy(text, { kind: 'identity' })), name: `p${i}` }));
const defaultPolicy = { policy: compilePolicy(parsePolicy(defaultKeyPolicy(ACCOUNT), { kind: 'key' })), name: 'default' };
const conditionKeys = kmsConditionKeys(env, 'kms:Encrypt', input, { key, keyAliases: ['alias/app'] });
const base: AuthorizationRequest = { principal, action: 'kms:Encrypt', resource: { type: 'key', arn: KEY_ARN, accountId: ACCOUNT }, conditionKeys, keyPolicy, identityPolicies, encryptionContext: input.EncryptionContext };

const check = authorize(base);
if (!check.allowed) throw new Error(`benchmark request is denied: ${check.message}`);
console.log(`Node ${process.version}, ${iterations} iterations a round, median of 5 rounds`);
time('parse + compile the 20-statement key policy', Math.max(1, iterations / 50), () => compilePolicy(parsePolicy(keyPolicyText, { kind: 'key' })));
time('authorize: default key policy + 1 IAM policy', iterations, () => authorize({ ...base, keyPolicy: defaultPolicy, identityPolicies: identityPolicies.slice(0, 1) }));
const full = time('authorize: 20-statement key policy + 5 IAM policies', iterations, () => authorize(base));
time('condition keys + authorize: 20-statement key policy + 5 IAM', iterations, () => authorize({ ...base, conditionKeys: kmsConditionKeys(env, 'kms:Encrypt', input, { key, keyAliases: ['alias/app'] }) }));
console.log(`target: on the order of 10 µs per evaluation; measured ${full.toFixed(2)} µs`);
