import { describe, expect, it } from 'vitest';
import { LimitExceededException, MalformedPolicyDocumentException } from '../../../src/models/kms/generated/errors.js';
import { checkPrincipalsExist, parsePolicy } from '../../../src/core/authz/parse-policy.js';
import type { PolicyKind } from '../../../src/core/authz/policy-document.js';
import { defaultKeyPolicy } from '../../../src/core/kms/keys/default-key-policy.js';
import { EXAMPLE_KEY_1, EXAMPLE_KEY_2, EXAMPLE_KEY_2_FIXED } from './example-policies.js';

const ALICE = { AWS: 'arn:aws:iam::111122223333:user/Alice' };
const statement = (extra: object = {}): object => ({ Effect: 'Allow', Principal: ALICE, Action: 'kms:Encrypt', Resource: '*', ...extra });
const doc = (...statements: object[]): string => JSON.stringify({ Version: '2012-10-17', Statement: statements });

function refusal(text: string, kind: PolicyKind = 'key'): { name: string; message: string } {
  try {
    parsePolicy(text, { kind });
  } catch (error) {
    const { name, message } = error as Error;
    return { name, message };
  }
  throw new Error('the policy was accepted');
}

/** Each rule: the precondition's sentence, a document breaking it, the policy kind, and the message. */
const MALFORMED: readonly (readonly [rule: string, text: string, kind: PolicyKind, message: string | RegExp])[] = [
  ['the document is JSON (no trailing commas, no comments)', EXAMPLE_KEY_2, 'key', 'The policy document is not valid JSON: trailing comma at line 42, column 28.'],
  ['the document is JSON (no trailing commas, no comments)', '{"Version": "2012-10-17", "Statement": [ {"Effect": "Allow"}, ]}', 'key', /trailing comma at line 1, column 61\.$/],
  ['the document is JSON (no trailing commas, no comments)', '{"Statement": [', 'key', 'The policy document is not valid JSON: unexpected end of the document.'],
  ['the document is JSON (no trailing commas, no comments)', '{"Statement": "x', 'key', 'The policy document is not valid JSON: unterminated string.'],
  ['the document is JSON (no trailing commas, no comments)', '// comment\n{}', 'key', 'The policy document is not valid JSON: syntax error.'],
  ['the document is a JSON object', '[]', 'key', 'The policy document must be a JSON object.'],
  ['policies contain only printable Basic Latin and Latin-1 characters, tab, line feed and carriage return', doc(statement({ Sid: 'snow ☃' })), 'key', /contains characters that are not permitted/],
  ['a policy has only the elements Version, Id and Statement', JSON.stringify({ Version: '2012-10-17', Statement: [statement()], Extra: 1 }), 'key', 'The policy document has an unknown element: Extra.'],
  ['the Version is 2012-10-17 or 2008-10-17', JSON.stringify({ Version: '2020-01-01', Statement: [statement()] }), 'key', 'The policy Version must be "2012-10-17" or "2008-10-17", not "2020-01-01".'],
  ['the Id is a string', JSON.stringify({ Id: 7, Statement: [statement()] }), 'key', 'The policy Id must be a string.'],
  ['a policy has a Statement element with at least one statement', JSON.stringify({ Version: '2012-10-17' }), 'key', 'The policy document must contain at least one statement.'],
  ['a policy has a Statement element with at least one statement', JSON.stringify({ Version: '2012-10-17', Statement: [] }), 'key', 'The policy document must contain at least one statement.'],
  ['each statement is a JSON object', JSON.stringify({ Statement: ['x'] }), 'key', 'Statement 0 must be a JSON object.'],
  ['a statement has only the elements Sid, Effect, Principal, NotPrincipal, Action, NotAction, Resource, NotResource and Condition', doc(statement({ Effekt: 'Allow' })), 'key', 'Statement 0 has an unknown element: Effekt.'],
  ['the Sid is a string', doc(statement({ Sid: 1 })), 'key', 'The Sid of statement 0 must be a string.'],
  ['the Sid of an IAM policy statement has only letters and digits (a key policy Sid may have spaces)', doc({ Sid: 'with space', Effect: 'Allow', Action: 'kms:*', Resource: '*' }), 'identity', 'Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular expression [0-9A-Za-z]*'],
  ['Sids in an IAM policy are unique', doc({ Sid: 'A', Effect: 'Allow', Action: 'kms:*', Resource: '*' }, { Sid: 'A', Effect: 'Deny', Action: 'kms:*', Resource: '*' }), 'identity', 'Statement IDs (SID) in a single policy must be unique.'],
  ['the Effect is Allow or Deny', doc(statement({ Effect: 'allow' })), 'key', 'The Effect of statement 0 must be "Allow" or "Deny".'],
  ['the Effect is Allow or Deny', doc({ Principal: ALICE, Action: 'kms:*', Resource: '*' }), 'key', 'The Effect of statement 0 must be "Allow" or "Deny".'],
  ['a statement has Action or NotAction, not both', doc(statement({ NotAction: 'kms:Decrypt' })), 'key', 'Statement 0 has both Action and NotAction; use one of them.'],
  ['a statement has Resource or NotResource, not both', doc(statement({ NotResource: 'arn:aws:kms:*:111122223333:key/*' })), 'key', 'Statement 0 has both Resource and NotResource; use one of them.'],
  ['a statement has Principal or NotPrincipal, not both', doc(statement({ NotPrincipal: ALICE })), 'key', 'Statement 0 has both Principal and NotPrincipal; use one of them.'],
  ['every statement of a resource policy names its principals', doc({ Effect: 'Allow', Action: 'kms:*', Resource: '*' }), 'key', 'Policy contains a statement with no principal.'],
  ['an IAM policy names no principal', doc(statement()), 'identity', 'Policy document should not specify a principal.'],
  ['an IAM policy statement has actions', doc({ Effect: 'Allow', Resource: '*' }), 'identity', 'Policy statement must contain actions.'],
  ['an IAM policy statement has resources', doc({ Effect: 'Allow', Action: 'kms:*' }), 'identity', 'Policy statement must contain resources.'],
  ['a Principal is "*" or an object of principal types', doc(statement({ Principal: 'alice' })), 'key', 'Policy contains a statement with one or more invalid principals.'],
  ['a Principal is "*" or an object of principal types', doc(statement({ Principal: {} })), 'key', 'Policy contains a statement with one or more invalid principals.'],
  ['principal types are AWS, Service, Federated and CanonicalUser', doc(statement({ Principal: { Group: 'admins' } })), 'key', 'Policy contains a statement with one or more invalid principals.'],
  ['each principal type holds a string or a non-empty list of strings', doc(statement({ Principal: { AWS: [] } })), 'key', 'Policy contains a statement with one or more invalid principals.'],
  ['AWS principals are account IDs or ARNs of accounts, users, roles and sessions', doc(statement({ Principal: { AWS: 'arn:aws:iam::111122223333:group/admins' } })), 'key', 'Policy contains a statement with one or more invalid principals.'],
  ['AWS principals are account IDs or ARNs of accounts, users, roles and sessions', doc(statement({ Principal: { AWS: 'arn:aws:iam::*:root' } })), 'key', 'Policy contains a statement with one or more invalid principals.'],
  ['AWS principals are account IDs or ARNs of accounts, users, roles and sessions', doc(statement({ Principal: { AWS: '1111' } })), 'key', 'Policy contains a statement with one or more invalid principals.'],
  ['only AWS principals may be the wildcard', doc(statement({ Principal: { Service: '*' } })), 'key', 'Policy contains a statement with one or more invalid principals.'],
  ['an element that takes strings holds a string or a non-empty list of strings', doc(statement({ Action: [] })), 'key', 'The Action element must be a string or a non-empty list of strings.'],
  ['an element that takes strings holds a string or a non-empty list of strings', doc(statement({ Resource: 5 })), 'key', 'The Resource element must be a string or a non-empty list of strings.'],
  ['actions are "*" or a service prefix and an action name, such as kms:Encrypt', doc(statement({ Action: 'Encrypt' })), 'key', 'Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.'],
  ['resources are "*" or ARNs', doc(statement({ Resource: 'key/1234' })), 'key', 'Resource key/1234 must be in ARN format or "*".'],
  ['a Condition element is an object of condition operators', doc(statement({ Condition: [] })), 'key', 'The Condition element must be a JSON object of condition operators.'],
  ['condition operators are those of the IAM policy language', doc(statement({ Condition: { StringEqualz: { 'kms:CallerAccount': '1' } } })), 'key', 'The policy uses an unknown condition operator: StringEqualz.'],
  ['condition operators are those of the IAM policy language', doc(statement({ Condition: { NullIfExists: { 'kms:CallerAccount': 'true' } } })), 'key', 'The policy uses an unknown condition operator: NullIfExists.'],
  ['condition operators are those of the IAM policy language', doc(statement({ Condition: { 'ForSomeValues:StringEquals': { 'kms:CallerAccount': '1' } } })), 'key', 'The policy uses an unknown condition operator: ForSomeValues:StringEquals.'],
  ['each condition operator holds an object of condition keys', doc(statement({ Condition: { StringEquals: 'x' } })), 'key', 'The condition operator StringEquals must hold a JSON object of condition keys.'],
  ['condition keys have a prefix, such as aws: or kms:', doc(statement({ Condition: { StringEquals: { CallerAccount: '1' } } })), 'key', 'Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.'],
  ['condition values are strings, numbers or booleans, or a non-empty list of them', doc(statement({ Condition: { StringEquals: { 'kms:CallerAccount': { a: 1 } } } })), 'key', 'The values of kms:CallerAccount under StringEquals must be strings, numbers or booleans.'],
  ['condition values are strings, numbers or booleans, or a non-empty list of them', doc(statement({ Condition: { StringEquals: { 'kms:CallerAccount': [] } } })), 'key', 'The values of kms:CallerAccount under StringEquals must be strings, numbers or booleans.'],
  ['ForAllValues is not used with kms:EncryptionContext:context-key', doc(statement({ Condition: { 'ForAllValues:StringEquals': { 'kms:EncryptionContext:Department': 'IT' } } })), 'key', 'OverlyPermissiveCondition:EncryptionContext: Using the ForAllValues set operator with a single-valued condition key matches requests without the specified encryption context or with an unspecified encryption context. To fix, remove ForAllValues.'],
  ['ForAllValues is not used with aws:RequestTag/tag-key', doc(statement({ Condition: { 'ForAllValues:StringEquals': { 'aws:RequestTag/Purpose': 'Test' } } })), 'key', /^OverlyPermissiveCondition:RequestTag: /],
];

describe('parsePolicy', () => {
  it.each(MALFORMED.map(([rule, text, kind, message]) => [rule, text, kind, message] as const))('refuses a document unless %s', (_rule, text, kind, message) => {
    // Act
    const { name, message: actual } = refusal(text, kind);

    // Assess
    expect(name).toBe('MalformedPolicyDocumentException');
    if (typeof message === 'string') expect(actual).toBe(message);
    else expect(actual).toMatch(message);
  });

  it('refuses a key policy unless it is at most 32,768 bytes, with LimitExceededException as the API model says', () => {
    // Prepare
    const big = doc(statement({ Sid: 'x'.repeat(32_768) }));

    // Act / Assess
    expect(() => parsePolicy(big, { kind: 'key' })).toThrow(LimitExceededException);
    expect(refusal(big).message).toBe(`The policy document is ${big.length} bytes, larger than the limit of 32768 bytes.`);
  });

  it('counts the size in UTF-8 bytes', () => {
    const sid = 'é'.repeat(16_400);
    expect(() => parsePolicy(doc(statement({ Sid: sid })), { kind: 'key' })).toThrow(LimitExceededException);
  });

  it('accepts the default key policy, both seed policies without the trailing comma, and statement objects', () => {
    expect(parsePolicy(defaultKeyPolicy('111122223333'), { kind: 'key' }).statements).toHaveLength(1);
    expect(parsePolicy(EXAMPLE_KEY_1, { kind: 'key' }).statements).toHaveLength(2);
    expect(parsePolicy(EXAMPLE_KEY_2_FIXED, { kind: 'key' }).statements.map((s) => s.sid)).toEqual([
      'Allow administrative actions from vpc-12345678', 'Allow key usage from vpc-2b2b2b2b', 'Allow read actions from everywhere',
    ]);
    expect(parsePolicy(JSON.stringify({ Version: '2012-10-17', Statement: { Effect: 'Allow', Action: 'kms:*', Resource: '*' } }), { kind: 'identity' }).statements).toHaveLength(1);
  });

  it('accepts key policy statements without Resource or Action, which then have no effect (API model, CreateKey Policy)', () => {
    expect(() => parsePolicy(doc({ Effect: 'Allow', Principal: ALICE, Action: 'kms:*' }), { kind: 'key' })).not.toThrow();
    expect(() => parsePolicy(doc({ Effect: 'Allow', Principal: ALICE, Resource: '*' }), { kind: 'key' })).not.toThrow();
  });

  it('accepts spaces in key policy Sids, every principal form and every operator form', () => {
    const policy = parsePolicy(doc(statement({
      Sid: 'Allow use of the key',
      Principal: { AWS: ['111122223333', 'arn:aws:iam::111122223333:root', 'arn:aws:iam::111122223333:role/path/R', 'arn:aws:sts::111122223333:assumed-role/R/s', '*'], Service: 'cloudtrail.amazonaws.com' },
      Condition: { 'ForAnyValue:StringLikeIfExists': { 'kms:EncryptionContextKeys': ['a*'] }, Bool: { 'aws:SecureTransport': true }, NumericLessThan: { 'kms:RotationPeriodInDays': 180 } },
    })), { kind: 'key' });
    const [only] = policy.statements;
    expect(only?.principal?.any).toBe(true);
    expect([...(only?.principal?.tokens ?? [])]).toEqual(['account:111122223333', 'arn:aws:iam::111122223333:role/path/R', 'arn:aws:sts::111122223333:assumed-role/R/s', 'service:cloudtrail.amazonaws.com']);
    expect(only?.conditions.map((c) => [c.base, c.setOperator, c.ifExists, c.values])).toEqual([
      ['StringLike', 'ForAnyValue', true, ['a*']], ['Bool', undefined, false, ['true']], ['NumericLessThan', undefined, false, ['180']],
    ]);
  });

  it('takes a Version-less document as 2008-10-17', () => {
    expect(parsePolicy(JSON.stringify({ Statement: [statement()] }), { kind: 'key' }).version).toBe('2008-10-17');
  });

  it('uses the caller\'s error class', () => {
    class IamMalformed extends MalformedPolicyDocumentException {}
    expect(() => parsePolicy('{', { kind: 'identity', errorClass: IamMalformed })).toThrow(IamMalformed);
  });
});

describe('checkPrincipalsExist', () => {
  it('refuses a key policy unless the principals a key policy names exist', async () => {
    // Prepare
    const policy = parsePolicy(doc(statement({ Principal: { AWS: ['111122223333', 'arn:aws:iam::111122223333:user/Ghost'] } })), { kind: 'key' });
    const asked: string[] = [];

    // Act
    const check = checkPrincipalsExist(policy, (arn) => {
      asked.push(arn);
      return arn !== 'arn:aws:iam::111122223333:user/Ghost';
    });

    // Assess
    await expect(check).rejects.toThrow(new MalformedPolicyDocumentException('Policy contains a statement with one or more invalid principals.'));
    expect(asked).toEqual(['arn:aws:iam::111122223333:root', 'arn:aws:iam::111122223333:user/Ghost']);
  });

  it('accepts a policy whose principals all exist, with an asynchronous resolver', async () => {
    const policy = parsePolicy(defaultKeyPolicy('111122223333'), { kind: 'key' });
    await expect(checkPrincipalsExist(policy, async () => Promise.resolve(true))).resolves.toBeUndefined();
  });
});
