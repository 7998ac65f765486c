/**
 * The IAM and STS side of the wire-conformance table: a Query request and what AWS answers to it
 * (HTTP status, error code, exact message), each case naming its source. Expected messages are
 * written out here, never built from src/core/iam/messages.ts. Every case runs against the state
 * query-conformance.e2e.test.ts prepares (see {@link QueryFixtures}).
 */
import type { IamMessageName } from '../../src/core/iam/messages.js';
import { iamCall, stsCall } from '../e2e/support/query-request.js';

export interface QueryFixtures {
  readonly accountId: string;
  /** A user with two access keys, an allow-all inline policy and `policyArn` attached. */
  readonly userName: string;
  readonly userArn: string;
  /** A role that `userName` may assume, with MaxSessionDuration 3600 and an allow-all policy. */
  readonly roleName: string;
  readonly roleArn: string;
  readonly policyArn: string;
  /** A managed policy attached to nothing. */
  readonly unattachedPolicyArn: string;
  /** A user with 10 managed policies attached, and a policy it does not have yet. */
  readonly fullUserName: string;
  readonly eleventhPolicyArn: string;
  /** A user with 50 tags. */
  readonly taggedUserName: string;
}

export interface QueryCase {
  readonly name: string;
  readonly source: string;
  readonly template: IamMessageName;
  readonly ours?: true;
  /** Who signs: the account's root user, `userName`, or a session of `roleName`. */
  readonly caller: 'root' | 'user' | 'session';
  readonly service: 'iam' | 'sts';
  readonly params: (f: QueryFixtures) => Record<string, string>;
  readonly expect: (f: QueryFixtures) => { readonly status: number; readonly code: string; readonly message: string };
}

const LOGS = 'AWS answers quoted in public AWS CLI, Terraform and CloudFormation logs';
const doc = (statement: Record<string, unknown>) => JSON.stringify({ Version: '2012-10-17', Statement: [statement] });
const ALLOW_ALL = doc({ Effect: 'Allow', Action: '*', Resource: '*' });
const padded = (bytes: number) => doc({ Sid: 'x'.repeat(bytes), Effect: 'Allow', Action: '*', Resource: '*' });
const trust = (principal: string, extra: Record<string, unknown> = {}) => doc({ Effect: 'Allow', Principal: { AWS: principal }, Action: 'sts:AssumeRole', ...extra });

export const QUERY_CASES: readonly QueryCase[] = [
  {
    name: 'an IAM Action this service does not offer', source: LOGS, template: 'unknownQueryAction', caller: 'root', service: 'iam',
    params: () => iamCall('CreateGroup', { GroupName: 'g' }),
    expect: () => ({ status: 400, code: 'InvalidAction', message: 'Could not find operation CreateGroup for version 2010-05-08' }),
  },
  {
    name: 'GetUser of a user that does not exist', source: LOGS, template: 'noSuchUser', caller: 'root', service: 'iam',
    params: () => iamCall('GetUser', { UserName: 'nobody' }),
    expect: () => ({ status: 404, code: 'NoSuchEntity', message: 'The user with name nobody cannot be found.' }),
  },
  {
    name: 'GetRole of a role that does not exist', source: LOGS, template: 'noSuchRole', caller: 'root', service: 'iam',
    params: () => iamCall('GetRole', { RoleName: 'nobody' }),
    expect: () => ({ status: 404, code: 'NoSuchEntity', message: 'The role with name nobody cannot be found.' }),
  },
  {
    name: 'GetUserPolicy of a policy the user does not have', source: LOGS, template: 'noSuchInlinePolicy', caller: 'root', service: 'iam',
    params: (f) => iamCall('GetUserPolicy', { UserName: f.userName, PolicyName: 'none' }),
    expect: () => ({ status: 404, code: 'NoSuchEntity', message: 'The user policy with name none cannot be found.' }),
  },
  {
    name: 'CreateUser with a name that is taken', source: LOGS, template: 'userExists', caller: 'root', service: 'iam',
    params: (f) => iamCall('CreateUser', { UserName: f.userName }),
    expect: (f) => ({ status: 409, code: 'EntityAlreadyExists', message: `User with name ${f.userName} already exists.` }),
  },
  {
    name: 'CreateRole with a name that is taken', source: LOGS, template: 'roleExists', caller: 'root', service: 'iam',
    params: (f) => iamCall('CreateRole', { RoleName: f.roleName, AssumeRolePolicyDocument: trust(f.userArn) }),
    expect: (f) => ({ status: 409, code: 'EntityAlreadyExists', message: `Role with name ${f.roleName} already exists.` }),
  },
  {
    name: 'GetUser without a UserName, called by a role session', source: LOGS, template: 'userNameRequired', caller: 'session', service: 'iam',
    params: () => iamCall('GetUser'),
    expect: () => ({ status: 400, code: 'ValidationError', message: 'Must specify userName when calling with non-User credentials' }),
  },
  {
    name: 'CreateUser with a permissions boundary', source: 'this service', template: 'permissionsBoundaryNotSupported', ours: true, caller: 'root', service: 'iam',
    params: (f) => iamCall('CreateUser', { UserName: 'bounded', PermissionsBoundary: f.policyArn }),
    expect: () => ({ status: 400, code: 'ValidationError', message: 'PermissionsBoundary is not supported by this service.' }),
  },
  {
    name: 'PutUserPolicy with a document over 2,048 bytes', source: LOGS, template: 'inlinePolicyQuota', caller: 'root', service: 'iam',
    params: (f) => iamCall('PutUserPolicy', { UserName: f.userName, PolicyName: 'big', PolicyDocument: padded(2_100) }),
    expect: (f) => ({ status: 409, code: 'LimitExceeded', message: `Maximum policy size of 2048 bytes exceeded for user ${f.userName}` }),
  },
  {
    name: 'CreateRole with a trust policy over 2,048 bytes', source: LOGS, template: 'trustPolicyQuota', caller: 'root', service: 'iam',
    params: (f) => iamCall('CreateRole', { RoleName: 'big-trust', AssumeRolePolicyDocument: trust(f.userArn, { Sid: 'x'.repeat(2_100) }) }),
    expect: () => ({ status: 409, code: 'LimitExceeded', message: 'Cannot exceed quota for ACLSizePerRole: 2048' }),
  },
  {
    name: 'CreateRole with a trust policy that names a Resource', source: LOGS, template: 'trustPolicyResource', caller: 'root', service: 'iam',
    params: (f) => iamCall('CreateRole', { RoleName: 'resourceful', AssumeRolePolicyDocument: trust(f.userArn, { Resource: '*' }) }),
    expect: () => ({ status: 400, code: 'MalformedPolicyDocument', message: 'Has prohibited field Resource' }),
  },
  {
    name: 'AttachUserPolicy with a user ARN as the policy ARN', source: 'this service', template: 'invalidPolicyArn', ours: true, caller: 'root', service: 'iam',
    params: (f) => iamCall('AttachUserPolicy', { UserName: f.userName, PolicyArn: f.userArn }),
    expect: (f) => ({ status: 400, code: 'InvalidInput', message: `ARN ${f.userArn} is not valid.` }),
  },
  {
    name: 'AttachUserPolicy of a policy that does not exist', source: LOGS, template: 'noSuchManagedPolicy', caller: 'root', service: 'iam',
    params: (f) => iamCall('AttachUserPolicy', { UserName: f.userName, PolicyArn: `arn:aws:iam::${f.accountId}:policy/none` }),
    expect: (f) => ({ status: 404, code: 'NoSuchEntity', message: `Policy arn:aws:iam::${f.accountId}:policy/none does not exist or is not attachable.` }),
  },
  {
    name: 'GetPolicyVersion of a version the policy does not have', source: LOGS, template: 'noSuchPolicyVersion', caller: 'root', service: 'iam',
    params: (f) => iamCall('GetPolicyVersion', { PolicyArn: f.policyArn, VersionId: 'v9' }),
    expect: (f) => ({ status: 404, code: 'NoSuchEntity', message: `Policy ${f.policyArn} version v9 does not exist or is not attachable.` }),
  },
  {
    name: 'CreatePolicy with a document over 6,144 characters', source: LOGS, template: 'managedPolicySizeQuota', caller: 'root', service: 'iam',
    params: () => iamCall('CreatePolicy', { PolicyName: 'big', PolicyDocument: padded(6_200) }),
    expect: () => ({ status: 409, code: 'LimitExceeded', message: 'Cannot exceed quota for PolicySize: 6144' }),
  },
  {
    name: 'CreatePolicy with a name that is taken', source: LOGS, template: 'managedPolicyExists', caller: 'root', service: 'iam',
    params: () => iamCall('CreatePolicy', { PolicyName: 'conformance-policy', PolicyDocument: ALLOW_ALL }),
    expect: () => ({ status: 409, code: 'EntityAlreadyExists', message: 'A policy called conformance-policy already exists. Duplicate names are not allowed.' }),
  },
  {
    name: 'DeletePolicy of an attached policy', source: LOGS, template: 'policyAttached', caller: 'root', service: 'iam',
    params: (f) => iamCall('DeletePolicy', { PolicyArn: f.policyArn }),
    expect: () => ({ status: 409, code: 'DeleteConflict', message: 'Cannot delete a policy attached to entities.' }),
  },
  {
    name: 'AttachUserPolicy of an eleventh policy', source: LOGS, template: 'attachedPoliciesQuota', caller: 'root', service: 'iam',
    params: (f) => iamCall('AttachUserPolicy', { UserName: f.fullUserName, PolicyArn: f.eleventhPolicyArn }),
    expect: () => ({ status: 409, code: 'LimitExceeded', message: 'Cannot exceed quota for PoliciesPerUser: 10' }),
  },
  {
    name: 'DetachUserPolicy of a policy the user does not have', source: LOGS, template: 'policyNotAttached', caller: 'root', service: 'iam',
    params: (f) => iamCall('DetachUserPolicy', { UserName: f.userName, PolicyArn: f.unattachedPolicyArn }),
    expect: (f) => ({ status: 404, code: 'NoSuchEntity', message: `Policy ${f.unattachedPolicyArn} was not found.` }),
  },
  {
    name: 'DeleteUser of a user with access keys', source: LOGS, template: 'deleteConflict', caller: 'root', service: 'iam',
    params: (f) => iamCall('DeleteUser', { UserName: f.userName }),
    expect: () => ({ status: 409, code: 'DeleteConflict', message: 'Cannot delete entity, must delete access keys first.' }),
  },
  {
    name: 'UpdateAccessKey of a key that does not exist', source: LOGS, template: 'noSuchAccessKey', caller: 'root', service: 'iam',
    params: (f) => iamCall('UpdateAccessKey', { UserName: f.userName, AccessKeyId: 'AKIAIOSFODNN7EXAMPLE', Status: 'Inactive' }),
    expect: () => ({ status: 404, code: 'NoSuchEntity', message: 'The Access Key with id AKIAIOSFODNN7EXAMPLE cannot be found.' }),
  },
  {
    name: 'CreateAccessKey for a user with two', source: LOGS, template: 'accessKeysQuota', caller: 'root', service: 'iam',
    params: (f) => iamCall('CreateAccessKey', { UserName: f.userName }),
    expect: () => ({ status: 409, code: 'LimitExceeded', message: 'Cannot exceed quota for AccessKeysPerUser: 2' }),
  },
  {
    name: 'UpdateAccessKey to the status Expired', source: 'this service', template: 'accessKeyStatus', ours: true, caller: 'root', service: 'iam',
    params: (f) => iamCall('UpdateAccessKey', { UserName: f.userName, AccessKeyId: 'AKIAIOSFODNN7EXAMPLE', Status: 'Expired' }),
    expect: () => ({ status: 400, code: 'ValidationError', message: 'The status of an access key can only be changed to Active or Inactive.' }),
  },
  {
    name: 'TagUser with two keys that differ only in case', source: LOGS, template: 'iamDuplicateTagKeys', caller: 'root', service: 'iam',
    params: (f) => iamCall('TagUser', { UserName: f.userName, 'Tags.member.1.Key': 'team', 'Tags.member.1.Value': 'a', 'Tags.member.2.Key': 'Team', 'Tags.member.2.Value': 'b' }),
    expect: () => ({ status: 400, code: 'InvalidInput', message: 'Duplicate tag keys found. Please note that Tag keys are case insensitive.' }),
  },
  {
    name: 'TagUser with a key of the aws: prefix', source: 'this service', template: 'reservedTagPrefix', ours: true, caller: 'root', service: 'iam',
    params: (f) => iamCall('TagUser', { UserName: f.userName, 'Tags.member.1.Key': 'aws:team', 'Tags.member.1.Value': 'a' }),
    expect: () => ({ status: 400, code: 'InvalidInput', message: 'User-defined tag keys cannot begin with the reserved prefix aws:.' }),
  },
  {
    name: 'TagUser of a fifty-first tag', source: 'this service', template: 'tagsQuota', ours: true, caller: 'root', service: 'iam',
    params: (f) => iamCall('TagUser', { UserName: f.taggedUserName, 'Tags.member.1.Key': 'one-more', 'Tags.member.1.Value': 'a' }),
    expect: () => ({ status: 409, code: 'LimitExceeded', message: 'The number of tags has reached the maximum limit.' }),
  },
  {
    name: 'ListUsers with a Marker this service did not give', source: 'this service', template: 'iamInvalidMarker', ours: true, caller: 'root', service: 'iam',
    params: () => iamCall('ListUsers', { Marker: 'not-a-marker' }),
    expect: () => ({ status: 400, code: 'ValidationError', message: 'Invalid Marker.' }),
  },
  {
    name: 'AssumeRole with an MFA serial number', source: 'this service', template: 'assumeRoleParameterNotSupported', ours: true, caller: 'user', service: 'sts',
    params: (f) => stsCall('AssumeRole', { RoleArn: f.roleArn, RoleSessionName: 'conformance', SerialNumber: 'arn:aws:iam::111122223333:mfa/user' }),
    expect: () => ({ status: 400, code: 'UnsupportedOperation', message: 'AssumeRole with SerialNumber is not supported by this service.' }),
  },
  {
    name: 'AssumeRole by the root user', source: LOGS, template: 'rootCannotAssumeRoles', caller: 'root', service: 'sts',
    params: (f) => stsCall('AssumeRole', { RoleArn: f.roleArn, RoleSessionName: 'conformance' }),
    expect: () => ({ status: 403, code: 'AccessDenied', message: 'Roles may not be assumed by root accounts.' }),
  },
  {
    name: 'AssumeRole of a role that does not exist', source: LOGS, template: 'notAuthorizedForRole', caller: 'user', service: 'sts',
    params: (f) => stsCall('AssumeRole', { RoleArn: `arn:aws:iam::${f.accountId}:role/nobody`, RoleSessionName: 'conformance' }),
    expect: (f) => ({ status: 403, code: 'AccessDenied', message: `User: ${f.userArn} is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::${f.accountId}:role/nobody` }),
  },
  {
    name: 'AssumeRole by a role session for two hours', source: LOGS, template: 'chainedSessionTooLong', caller: 'session', service: 'sts',
    params: (f) => stsCall('AssumeRole', { RoleArn: f.roleArn, RoleSessionName: 'conformance', DurationSeconds: '7200' }),
    expect: () => ({ status: 400, code: 'ValidationError', message: 'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.' }),
  },
  {
    name: 'AssumeRole for longer than the role allows', source: LOGS, template: 'sessionTooLong', caller: 'user', service: 'sts',
    params: (f) => stsCall('AssumeRole', { RoleArn: f.roleArn, RoleSessionName: 'conformance', DurationSeconds: '7200' }),
    expect: () => ({ status: 400, code: 'ValidationError', message: 'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.' }),
  },
];
