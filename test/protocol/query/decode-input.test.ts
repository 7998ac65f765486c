import { describe, expect, it } from 'vitest';
import { SCHEMA as IAM } from '../../../src/models/iam/generated/schema.js';
import { SCHEMA as STS } from '../../../src/models/sts/generated/schema.js';
import { decodeQueryInput, parseQueryParams } from '../../../src/protocol/query/decode-input.js';
import { encodeQueryError, encodeQueryOutput } from '../../../src/protocol/query/encode-output.js';
import { SHARED_ERROR_CODES, queryErrorOf } from '../../../src/protocol/query/query-errors.js';
import { ERROR_CLASSES as KMS_ERRORS } from '../../../src/models/kms/generated/errors.js';
import { NoSuchEntityException } from '../../../src/models/iam/generated/errors.js';

describe('decodeQueryInput', () => {
  it('reads structures, lists of structures and integers by the model', () => {
    // Prepare
    const params = parseQueryParams('Action=CreateRole&RoleName=r&AssumeRolePolicyDocument=%7B%7D&MaxSessionDuration=7200&Tags.member.1.Key=a&Tags.member.1.Value=1&Tags.member.2.Key=b&Tags.member.2.Value=');

    // Act
    const input = decodeQueryInput(IAM, 'CreateRole', params);

    // Assess
    expect(input).toEqual({ RoleName: 'r', AssumeRolePolicyDocument: '{}', MaxSessionDuration: 7200, Tags: [{ Key: 'a', Value: '1' }, { Key: 'b', Value: '' }] });
  });

  it('reads an empty list sent as the bare parameter', () => {
    // Act
    const input = decodeQueryInput(IAM, 'UntagUser', parseQueryParams('UserName=u&TagKeys='));

    // Assess
    expect(input).toEqual({ UserName: 'u', TagKeys: [] });
  });

  it.each([
    ['a missing required member', 'GetRole', '', "1 validation error detected: Value null at 'roleName' failed to satisfy constraint: Member must not be null"],
    ['a pattern', 'CreateUser', 'UserName=a%20b', "1 validation error detected: Value 'a b' at 'userName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+"],
    ['a length', 'CreateUser', `UserName=${'a'.repeat(65)}`, `1 validation error detected: Value '${'a'.repeat(65)}' at 'userName' failed to satisfy constraint: Member must have length less than or equal to 64`],
    ['an enum', 'UpdateAccessKey', 'AccessKeyId=AKIAEXAMPLE000000001&Status=Off', "1 validation error detected: Value 'Off' at 'status' failed to satisfy constraint: Member must satisfy enum value set: [Active, Inactive, Expired]"],
    ['an integer range', 'ListUsers', 'MaxItems=0', "1 validation error detected: Value '0' at 'maxItems' failed to satisfy constraint: Member must have value greater than or equal to 1"],
    ['a number', 'ListUsers', 'MaxItems=ten', "1 validation error detected: Value 'ten' at 'maxItems' failed to satisfy constraint: Member must be a number"],
    ['a boolean', 'ListPolicies', 'OnlyAttached=maybe', "1 validation error detected: Value 'maybe' at 'onlyAttached' failed to satisfy constraint: Member must be a boolean"],
    ['a nested member', 'TagUser', 'UserName=u&Tags.member.1.Key=k', "1 validation error detected: Value null at 'tags.1.member.value' failed to satisfy constraint: Member must not be null"],
  ])('refuses %s with ValidationError', (_what, operation, body, message) => {
    // Act / Assess
    expect(() => decodeQueryInput(IAM, operation as 'GetRole', parseQueryParams(body))).toThrow(message);
  });

  it('counts every problem in one message', () => {
    // Act / Assess
    expect(() => decodeQueryInput(STS, 'AssumeRole', parseQueryParams('RoleSessionName=x&DurationSeconds=60')))
      .toThrow(/^3 validation errors detected: Value null at 'roleArn' .*; Value 'x' at 'roleSessionName' .*; Value '60' at 'durationSeconds' /);
  });
});

describe('the XML codec', () => {
  it('writes members in model order, lists as members and timestamps in ISO 8601', () => {
    // Act
    const xml = encodeQueryOutput(IAM, 'ListUsers', {
      IsTruncated: false, Users: [{ UserName: 'a&b', Path: '/', UserId: 'AIDA', Arn: 'arn', CreateDate: new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 678)) }],
    }, 'req-1');

    // Assess
    expect(xml).toBe('<ListUsersResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><ListUsersResult><Users><member><Path>/</Path><UserName>a&amp;b</UserName>'
      + '<UserId>AIDA</UserId><Arn>arn</Arn><CreateDate>2024-01-02T03:04:05Z</CreateDate></member></Users><IsTruncated>false</IsTruncated></ListUsersResult>'
      + '<ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata></ListUsersResponse>');
  });

  it('writes an operation without output as its response metadata only', () => {
    // Act / Assess
    expect(encodeQueryOutput(IAM, 'DeleteUser', undefined, 'r')).toBe('<DeleteUserResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></DeleteUserResponse>');
  });

  it('writes errors in the ErrorResponse shape', () => {
    // Act / Assess
    expect(encodeQueryError(IAM.xmlNamespace, queryErrorOf(new NoSuchEntityException('gone <x>')), 'r')).toBe(
      '<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>Sender</Type><Code>NoSuchEntity</Code><Message>gone &lt;x&gt;</Message></Error><RequestId>r</RequestId></ErrorResponse>',
    );
  });

  it.each(Object.entries(SHARED_ERROR_CODES))('answers KMS %s as the Query code in the table', (name, expected) => {
    // Prepare
    const ErrorClass = KMS_ERRORS[name];
    if (ErrorClass === undefined) throw new Error(`no KMS error ${name}`);

    // Act
    const answer = queryErrorOf(new ErrorClass('m'));

    // Assess
    expect(answer).toEqual({ code: expected.code, status: expected.status, sender: expected.status < 500, message: expected.message ?? 'm' });
  });

  it('answers anything else as ServiceFailure without its message', () => {
    // Act / Assess
    expect(queryErrorOf(new Error('secret internals'))).toMatchObject({ code: 'ServiceFailure', status: 500, sender: false });
  });
});
