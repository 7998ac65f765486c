/**
 * The "Encrypt (policies)" target: Encrypt by an IAM user under a 20-statement key policy with
 * conditions plus five attached IAM policies with conditions, beside Encrypt by the account root
 * under the default key policy. The user, its policies and its access key are supplied to the
 * local service through `iamIdentities` (an in-memory IdentityDirectory).
 */
import { randomBytes } from 'node:crypto';
import type { IdentityDirectory, IdentityPolicy } from '../../src/core/ports/index.js';
import type { Principal } from '../../src/core/request-context.js';
import type { IamUserAccessKey } from '../../src/local/local-service.js';

const ACCOUNT = '111122223333';
export const BENCH_USER_ARN = `arn:aws:iam::${ACCOUNT}:user/bench`;
/** The encryption context every policy-target request carries (the policies' conditions read it). */
export const BENCH_CONTEXT = { AppName: 'ExampleApp', tenant: 't-42' };

/** Twenty statements: the account statement, admins, users (the bench user among them) with conditions, denies, grants, a variable. */
export function benchKeyPolicy(): string {
  const statements: object[] = [{ Sid: 'Enable IAM User Permissions', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'kms:*', Resource: '*' }];
  for (let i = 0; i < 8; i += 1) {
    statements.push({ Sid: `Admins${i}`, Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:user/Admin${i}` }, Action: ['kms:Create*', 'kms:Describe*', 'kms:Enable*', 'kms:List*', 'kms:Put*', 'kms:Update*', 'kms:Revoke*', 'kms:Disable*', 'kms:Get*', 'kms:Delete*'], Resource: '*' });
  }
  for (let i = 0; i < 8; i += 1) {
    statements.push({
      Sid: `Users${i}`, Effect: 'Allow', Principal: { AWS: i === 7 ? BENCH_USER_ARN : `arn:aws:iam::${ACCOUNT}:user/User${i}` },
      Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*'], Resource: '*',
      Condition: { StringEquals: { 'kms:EncryptionContext:AppName': 'ExampleApp', 'kms:CallerAccount': ACCOUNT }, Bool: { 'aws:SecureTransport': 'false' } },
    });
  }
  statements.push({ Sid: 'DenyOutsideNetwork', Effect: 'Deny', Principal: '*', Action: 'kms:*', Resource: '*', Condition: { NotIpAddress: { 'aws:SourceIp': ['127.0.0.0/8', '::1/128', '::ffff:127.0.0.0/104'] }, Bool: { 'aws:ViaAWSService': 'false' } } });
  statements.push({ Sid: 'DenyOtherAlgorithms', Effect: 'Deny', Principal: '*', Action: ['kms:Encrypt', 'kms:Decrypt'], Resource: '*', Condition: { StringNotEquals: { 'kms:EncryptionAlgorithm': 'SYMMETRIC_DEFAULT' } } });
  statements.push({ Sid: 'Grants', Effect: 'Allow', Principal: { AWS: BENCH_USER_ARN }, Action: ['kms:CreateGrant', 'kms:ListGrants', 'kms:RevokeGrant'], Resource: '*', Condition: { Bool: { 'kms:GrantIsForAWSResource': true } } });
  statements.push({ Sid: 'TenantByVariable', Effect: 'Allow', Principal: '*', Action: 'kms:Decrypt', Resource: '*', Condition: { StringEquals: { 'kms:EncryptionContext:tenant': '${aws:PrincipalTag/tenant}' } } });
  return JSON.stringify({ Version: '2012-10-17', Id: 'bench', Statement: statements });
}

function policy(name: string, statements: object[]): IdentityPolicy {
  return { name, arn: `arn:aws:iam::${ACCOUNT}:policy/${name}`, version: 'v1', document: JSON.stringify({ Version: '2012-10-17', Statement: statements }) };
}

/** Five attached IAM policies with conditions; the first allows the Encrypt the target makes. */
const BENCH_USER_POLICIES: readonly IdentityPolicy[] = [
  policy('UseAppKeys', [{ Sid: 'Use', Effect: 'Allow', Action: ['kms:Encrypt', 'kms:Decrypt'], Resource: `arn:aws:kms:*:${ACCOUNT}:key/*`, Condition: { StringEquals: { 'aws:RequestedRegion': 'us-east-1' }, 'ForAllValues:StringEquals': { 'kms:EncryptionContextKeys': ['AppName', 'tenant'] } } }]),
  policy('DataKeys', [{ Sid: 'DataKeys', Effect: 'Allow', Action: 'kms:GenerateDataKey*', Resource: '*', Condition: { StringLike: { 'kms:EncryptionContext:AppName': 'Example*' } } }]),
  policy('NoDeletion', [{ Sid: 'NoDeletion', Effect: 'Deny', Action: ['kms:ScheduleKeyDeletion', 'kms:PutKeyPolicy'], Resource: '*' }]),
  policy('ReadTagged', [{ Sid: 'ReadTagged', Effect: 'Allow', Action: ['kms:Describe*', 'kms:List*'], Resource: '*', Condition: { StringEquals: { 'aws:ResourceTag/Project': 'Alpha' } } }]),
  policy('OnlyFromHere', [{ Sid: 'OnlyFromHere', Effect: 'Deny', Action: 'kms:*', Resource: '*', Condition: { NotIpAddress: { 'aws:SourceIp': ['127.0.0.0/8', '::1/128', '::ffff:127.0.0.0/104'] } } }]),
];

/** The bench user's directory: its five policies, and every principal the bench key policy names. */
export class BenchIdentities implements IdentityDirectory {
  async policiesFor(principal: Principal): Promise<readonly IdentityPolicy[]> {
    return principal.arn === BENCH_USER_ARN ? BENCH_USER_POLICIES : [];
  }

  async principalExists(arn: string): Promise<boolean> {
    return arn === `arn:aws:iam::${ACCOUNT}:root` || arn.startsWith(`arn:aws:iam::${ACCOUNT}:user/`);
  }
}

/** A fresh access key of the bench user. */
export function benchUserAccessKey(): IamUserAccessKey {
  return {
    accessKeyId: `AKIA${randomBytes(8).toString('hex').toUpperCase().slice(0, 16)}`,
    secretAccessKey: randomBytes(30).toString('base64'),
    accountId: ACCOUNT,
    userArn: BENCH_USER_ARN,
    userId: 'AIDAEXAMPLEBENCHUSER',
  };
}
