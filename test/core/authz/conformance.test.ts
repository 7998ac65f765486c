/**
 * The conformance suite: every row of the operator tables and every scenario runs through the
 * compiled engine, and the decision (and, where given, the deciding statement) must be as the
 * Developer Guide and the IAM User Guide describe.
 */
import { describe, expect, it } from 'vitest';
import { BASIC_CASES, type ConformanceCase } from './conformance-scenarios.js';
import { MORE_CASES } from './conformance-scenarios-more.js';
import { OPERATOR_ROWS, VARIABLE_ROWS, type OperatorRow } from './conformance-operators.js';
import { ACCOUNT_STATEMENT, decide, iamPolicy, keyPolicy, outcomeOf } from './fixtures.js';

/** A row as a scenario: an IAM policy allows Encrypt under the row's condition (the key policy delegates). */
function rowCase([operator, key, policy, request, holds]: OperatorRow, index: number, table: string): ConformanceCase {
  return {
    name: `${table} ${index}: ${operator} ${key} ${JSON.stringify(policy)} against ${JSON.stringify(request)}`,
    source: 'IAM User Guide, condition operators',
    keyPolicy: keyPolicy(ACCOUNT_STATEMENT),
    identityPolicies: [iamPolicy({ Effect: 'Allow', Action: 'kms:Encrypt', Resource: '*', Condition: { [operator]: { [key]: policy } } })],
    env: { principalTags: { team: 'blue' } },
    context: { [key]: request ?? null },
    expect: holds ? 'allow' : 'implicit identity-based',
  };
}

export const CONFORMANCE_CASES: readonly ConformanceCase[] = [
  ...OPERATOR_ROWS.map((row, i) => rowCase(row, i, 'operator')),
  ...VARIABLE_ROWS.map((row, i) => rowCase(row, i, 'variable')),
  ...BASIC_CASES,
  ...MORE_CASES,
];

describe('policy engine conformance', () => {
  it('has at least 200 cases', () => {
    expect(CONFORMANCE_CASES.length).toBeGreaterThanOrEqual(200);
  });

  it.each(CONFORMANCE_CASES.map((c) => [c.name, c] as const))('%s', (_name, testCase) => {
    // Prepare / Act
    const decision = decide(testCase);

    // Assess
    expect(outcomeOf(decision), testCase.source).toBe(testCase.expect);
    if (testCase.sid !== undefined) {
      const sids = decision.allowed ? decision.sources.map((s) => s.sid) : [decision.source?.sid];
      expect(sids).toContain(testCase.sid);
    }
  });
});
