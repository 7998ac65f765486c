/**
 * Property test: on random policies and requests the compiled engine decides exactly as the slow
 * reference interpreter does, statement outcomes and KMS decisions alike.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { authorize } from '../../../src/core/authz/authorize.js';
import { compilePolicy } from '../../../src/core/authz/compile-policy.js';
import { parsePolicy } from '../../../src/core/authz/parse-policy.js';
import { identityChain } from '../../../src/core/authz/principals.js';
import { ACCOUNT, KEY_ARN, OTHER, OTHER_KEY_ARN, PRINCIPALS } from './fixtures.js';
import { referenceDecision, referenceEvaluate, type Context } from './reference-interpreter.js';

const principalValues = ['*', ACCOUNT, OTHER, `arn:aws:iam::${ACCOUNT}:root`, `arn:aws:iam::${OTHER}:root`, PRINCIPALS.alice.arn, PRINCIPALS.bob.arn, PRINCIPALS.session.roleArn, PRINCIPALS.session.arn, PRINCIPALS.engineer.roleArn, PRINCIPALS.carol.arn];
const actions = ['kms:Encrypt', 'kms:Decrypt', 'kms:DescribeKey', 'kms:ReEncryptFrom', 'kms:GenerateDataKeyPair', 'kms:PutKeyPolicy'];
const actionPatterns = ['*', 'kms:*', 'kms:Encrypt', 'KMS:encrypt', 'kms:Enc*', 'kms:Re?ncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*', 'kms:Decrypt', 's3:*'];
const resources = [KEY_ARN, OTHER_KEY_ARN];
const resourcePatterns = ['*', KEY_ARN, `arn:aws:kms:*:${ACCOUNT}:key/*`, `arn:aws:kms:us-west-2:${OTHER}:key/*`, 'arn:aws:kms:*:${aws:PrincipalAccount}:key/*', 'arn:aws:kms:*:*:key/${aws:PrincipalTag/k, \'*\'}', 'arn:aws:kms:us-west-2:*:key/1234abcd-????-*'];

/** Condition keys with candidate request values and matching policy values per operator family. */
const KEYS: Readonly<Record<string, { readonly family: string; readonly request: readonly string[]; readonly policy: readonly string[] }>> = {
  'aws:PrincipalTag/team': { family: 'String', request: ['blue', 'Blue', 'red', 'a*b'], policy: ['blue', 'BLUE', 'b*', 'r?d', '*', 'a${*}b', '${aws:username}', "${aws:PrincipalTag/x, 'blue'}"] },
  'kms:EncryptionContextKeys': { family: 'String', request: ['AppName', 'appname', 'Project', 'Stage'], policy: ['AppName', 'Project', 'App*', 'stage'] },
  'aws:username': { family: 'String', request: ['Alice', 'bob'], policy: ['Alice', '${aws:PrincipalTag/team}', 'b*'] },
  'kms:RotationPeriodInDays': { family: 'Numeric', request: ['90', '180', '365', 'x'], policy: ['180', '90.0', '365', 'nan'] },
  'aws:CurrentTime': { family: 'Date', request: ['2024-06-01T12:00:00Z', '2023-01-01T00:00:00Z', '1717243200'], policy: ['2024-01-01T00:00:00Z', '2024-06-01T12:00:00Z', '1700000000', 'soon'] },
  'aws:SecureTransport': { family: 'Bool', request: ['true', 'false'], policy: ['true', 'false', 'TRUE'] },
  'aws:SourceIp': { family: 'Ip', request: ['203.0.113.10', '192.0.2.1', '2001:db8::1', 'bogus'], policy: ['203.0.113.0/24', '192.0.2.1', '2001:db8::/32', '0.0.0.0/0', '10.0.0.0/33'] },
  'aws:PrincipalArn': { family: 'Arn', request: [PRINCIPALS.alice.arn, PRINCIPALS.session.roleArn, 'not-an-arn'], policy: ['arn:aws:iam::*:user/*', PRINCIPALS.alice.arn, `arn:aws:iam::${ACCOUNT}:role/*`, 'arn:aws:iam::${aws:PrincipalAccount}:*'] },
  'aws:ResourceTag/Project': { family: 'String', request: ['Alpha', 'Beta'], policy: ['Alpha', 'A*'] },
};
const OPERATORS: Readonly<Record<string, readonly string[]>> = {
  String: ['StringEquals', 'StringNotEquals', 'StringEqualsIgnoreCase', 'StringNotEqualsIgnoreCase', 'StringLike', 'StringNotLike'],
  Numeric: ['NumericEquals', 'NumericNotEquals', 'NumericLessThan', 'NumericLessThanEquals', 'NumericGreaterThan', 'NumericGreaterThanEquals'],
  Date: ['DateEquals', 'DateNotEquals', 'DateLessThan', 'DateLessThanEquals', 'DateGreaterThan', 'DateGreaterThanEquals'],
  Bool: ['Bool'],
  Ip: ['IpAddress', 'NotIpAddress'],
  Arn: ['ArnEquals', 'ArnLike', 'ArnNotEquals', 'ArnNotLike'],
};

const conditionArb = fc.constantFrom(...Object.keys(KEYS)).chain((key) => {
  const spec = KEYS[key] ?? { family: 'String', request: [], policy: ['x'] };
  const operator = fc.tuple(fc.constantFrom('', 'ForAnyValue:', 'ForAllValues:'), fc.constantFrom(...(OPERATORS[spec.family] ?? []), 'Null'), fc.boolean())
    .map(([set, base, ifExists]) => (base === 'Null' ? 'Null' : `${set}${base}${ifExists ? 'IfExists' : ''}`));
  const values = fc.oneof(fc.constantFrom(...spec.policy), fc.subarray([...spec.policy], { minLength: 1 }));
  return operator.chain((op) => fc.tuple(fc.constant(op), fc.constant(key), op === 'Null' ? fc.constantFrom('true', 'false') : values));
});

const conditionBlock = fc.array(conditionArb, { maxLength: 3 }).map((conditions) => {
  const block: Record<string, Record<string, unknown>> = {};
  for (const [op, key, values] of conditions) (block[op] ??= {})[key] = values;
  return block;
});

const principalElement = fc.oneof(fc.constant('*'), fc.subarray(principalValues, { minLength: 1 }).map((aws) => ({ AWS: aws })));
const oneOrMany = (items: readonly string[]): fc.Arbitrary<string | string[]> => fc.oneof(fc.constantFrom(...items), fc.subarray([...items], { minLength: 1 }));

function statementArb(withPrincipal: boolean): fc.Arbitrary<Record<string, unknown>> {
  return fc.record({
    Effect: fc.constantFrom('Allow', 'Allow', 'Deny'),
    principalKind: fc.constantFrom('Principal', 'Principal', 'NotPrincipal'),
    principal: principalElement,
    actionKind: fc.constantFrom('Action', 'Action', 'NotAction'),
    action: oneOrMany(actionPatterns),
    resourceKind: fc.constantFrom('Resource', 'Resource', 'NotResource'),
    resource: oneOrMany(resourcePatterns),
    Condition: conditionBlock,
  }).map((s) => ({
    Effect: s.Effect,
    ...(withPrincipal ? { [s.principalKind]: s.principal } : {}),
    [s.actionKind]: s.action,
    [s.resourceKind]: s.resource,
    ...(Object.keys(s.Condition).length === 0 ? {} : { Condition: s.Condition }),
  }));
}

const policyArb = (withPrincipal: boolean): fc.Arbitrary<Record<string, unknown>> =>
  fc.record({ Version: fc.constantFrom('2012-10-17', '2012-10-17', '2008-10-17'), Statement: fc.array(statementArb(withPrincipal), { minLength: 1, maxLength: 5 }) });

const contextArb: fc.Arbitrary<Context> = fc.record(Object.fromEntries(Object.entries(KEYS).map(([k, spec]) => [k, fc.oneof(fc.constant([] as string[]), fc.subarray([...spec.request], { minLength: 1 }))])))
  .map((c) => c as Context);

const requestArb = fc.record({
  principal: fc.constantFrom(...Object.values(PRINCIPALS)),
  action: fc.constantFrom(...actions),
  resource: fc.constantFrom(...resources),
  context: contextArb,
});

function lower(context: Context): Map<string, readonly string[]> {
  return new Map(Object.entries(context).filter(([, v]) => v.length > 0).map(([k, v]) => [k.toLowerCase(), v]));
}

const tally = { deny: 0, allow: 0, none: 0 };

describe('compiled engine against the reference interpreter', () => {
  it('gives the same statement outcome for any key policy and request', () => {
    fc.assert(fc.property(policyArb(true), requestArb, (document, request) => {
      const compiled = compilePolicy(parsePolicy(JSON.stringify(document), { kind: 'key' }));
      const keys = lower(request.context);
      const outcome = compiled.evaluate({ action: request.action, resource: request.resource, chain: identityChain(request.principal), lookup: (n) => keys.get(n) });
      const expected = referenceEvaluate(document as never, { ...request, kind: 'key' });
      const actual = { deny: outcome.deny !== undefined, direct: outcome.allowDirect !== undefined, account: outcome.allowAccount !== undefined };
      // Once a Deny applies, later statements need not be looked at: compare allows only without one.
      if (expected.deny) expect(actual.deny).toBe(true);
      else expect({ ...actual, account: actual.account || actual.direct }).toEqual({ deny: false, direct: expected.allowDirect, account: expected.allowAccount || expected.allowDirect });
      tally[expected.deny ? 'deny' : expected.allowDirect || expected.allowAccount ? 'allow' : 'none'] += 1;
    }), { numRuns: 4000 });
  });

  it('draws policies that deny, allow and do neither', () => {
    expect(Math.min(tally.deny, tally.allow, tally.none)).toBeGreaterThan(200);
  });

  it('gives the same statement outcome for any IAM policy and request', () => {
    fc.assert(fc.property(policyArb(false), requestArb, (document, request) => {
      const compiled = compilePolicy(parsePolicy(JSON.stringify(document), { kind: 'identity' }));
      const keys = lower(request.context);
      const outcome = compiled.evaluate({ action: request.action, resource: request.resource, chain: identityChain(request.principal), lookup: (n) => keys.get(n) });
      const expected = referenceEvaluate(document as never, { ...request, kind: 'identity' });
      expect(outcome.deny !== undefined).toBe(expected.deny);
      if (!expected.deny) expect(outcome.allowDirect !== undefined).toBe(expected.allowDirect);
    }), { numRuns: 4000 });
  });

  it('makes the same KMS decision from a key policy and IAM policies', () => {
    fc.assert(fc.property(policyArb(true), fc.array(policyArb(false), { maxLength: 2 }), requestArb, (key, identity, request) => {
      const keyAccount = request.resource === KEY_ARN ? ACCOUNT : OTHER;
      const decision = authorize({
        principal: request.principal, action: request.action,
        resource: { type: 'key', arn: request.resource, accountId: keyAccount },
        conditionKeys: lower(request.context),
        keyPolicy: { policy: compilePolicy(parsePolicy(JSON.stringify(key), { kind: 'key' })) },
        identityPolicies: identity.map((d) => ({ policy: compilePolicy(parsePolicy(JSON.stringify(d), { kind: 'identity' })) })),
      });
      const crossAccountOk = keyAccount === request.principal.accountId || request.action !== 'kms:PutKeyPolicy';
      const expected = referenceDecision(key as never, identity as never, { ...request, keyAccount });
      const actual = decision.allowed ? 'allow' : decision.explicit ? 'explicit' : 'implicit';
      expect(actual).toBe(expected === 'allow' && !crossAccountOk ? 'implicit' : expected);
    }), { numRuns: 3000 });
  });
});
