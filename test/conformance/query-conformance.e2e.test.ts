/**
 * The IAM and STS conformance suite: every case of query-cases.ts sent as a signed Query request
 * to the real local server, its answer (status, error code, message) compared with AWS's.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { ACCOUNT_A, useIdentityService, type Credentials } from '../e2e/support/identity-service.js';
import { iamCall, sendQuery, stsCall } from '../e2e/support/query-request.js';
import { QUERY_CASES, type QueryCase, type QueryFixtures } from './query-cases.js';

const e2e = useIdentityService();
const ALLOW_ALL = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] });
let fixtures: QueryFixtures;
let callers: Readonly<Record<QueryCase['caller'], Credentials>>;

/** Sends `params` as the account's root user and insists that it succeeds. */
async function asRoot(params: Record<string, string>, service = 'iam'): Promise<Record<string, unknown>> {
  const response = await sendQuery(e2e.service.endpoint, params, e2e.root(ACCOUNT_A), service);
  if (response.status !== 200) throw new Error(`${params['Action']} failed while preparing: ${response.text}`);
  return response.xml;
}

/** The `path` of nested members of a parsed XML answer. */
function member(xml: unknown, ...path: string[]): string {
  const value = path.reduce<unknown>((node, name) => (node as Record<string, unknown> | undefined)?.[name], xml);
  return String(value);
}

beforeAll(async () => {
  const userName = 'conformance-user';
  const roleName = 'conformance-role';
  const userArn = `arn:aws:iam::${ACCOUNT_A}:user/${userName}`;
  const roleArn = `arn:aws:iam::${ACCOUNT_A}:role/${roleName}`;
  await asRoot(iamCall('CreateUser', { UserName: userName }));
  const created = await asRoot(iamCall('CreateAccessKey', { UserName: userName }));
  await asRoot(iamCall('CreateAccessKey', { UserName: userName }));
  await asRoot(iamCall('PutUserPolicy', { UserName: userName, PolicyName: 'allow-all', PolicyDocument: ALLOW_ALL }));
  const policy = await asRoot(iamCall('CreatePolicy', { PolicyName: 'conformance-policy', PolicyDocument: ALLOW_ALL }));
  const policyArn = member(policy, 'CreatePolicyResponse', 'CreatePolicyResult', 'Policy', 'Arn');
  await asRoot(iamCall('AttachUserPolicy', { UserName: userName, PolicyArn: policyArn }));
  const unattached = await asRoot(iamCall('CreatePolicy', { PolicyName: 'unattached-policy', PolicyDocument: ALLOW_ALL }));
  await asRoot(iamCall('CreateRole', { RoleName: roleName, AssumeRolePolicyDocument: JSON.stringify({
    Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: userArn }, Action: 'sts:AssumeRole' }],
  }) }));
  await asRoot(iamCall('PutRolePolicy', { RoleName: roleName, PolicyName: 'allow-all', PolicyDocument: ALLOW_ALL }));

  const fullUserName = 'full-user';
  await asRoot(iamCall('CreateUser', { UserName: fullUserName }));
  const policies = [];
  for (let n = 0; n <= 10; n += 1) {
    const made = await asRoot(iamCall('CreatePolicy', { PolicyName: `quota-${n}`, PolicyDocument: ALLOW_ALL }));
    policies.push(member(made, 'CreatePolicyResponse', 'CreatePolicyResult', 'Policy', 'Arn'));
  }
  for (const arn of policies.slice(0, 10)) await asRoot(iamCall('AttachUserPolicy', { UserName: fullUserName, PolicyArn: arn }));
  const taggedUserName = 'tagged-user';
  const tags: Record<string, string> = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [[`Tags.member.${i + 1}.Key`, `k${i}`], [`Tags.member.${i + 1}.Value`, 'v']]).flat());
  await asRoot(iamCall('CreateUser', { UserName: taggedUserName, ...tags }));

  const key = (xml: Record<string, unknown>) => ({
    accessKeyId: member(xml, 'CreateAccessKeyResponse', 'CreateAccessKeyResult', 'AccessKey', 'AccessKeyId'),
    secretAccessKey: member(xml, 'CreateAccessKeyResponse', 'CreateAccessKeyResult', 'AccessKey', 'SecretAccessKey'),
  });
  const user = key(created);
  const assumed = await sendQuery(e2e.service.endpoint, stsCall('AssumeRole', { RoleArn: roleArn, RoleSessionName: 'conformance' }), user, 'sts');
  if (assumed.status !== 200) throw new Error(`AssumeRole failed while preparing: ${assumed.text}`);
  const path = ['AssumeRoleResponse', 'AssumeRoleResult', 'Credentials'];
  const session = {
    accessKeyId: member(assumed.xml, ...path, 'AccessKeyId'), secretAccessKey: member(assumed.xml, ...path, 'SecretAccessKey'),
    sessionToken: member(assumed.xml, ...path, 'SessionToken'),
  };
  callers = { root: e2e.root(ACCOUNT_A), user, session };
  fixtures = {
    accountId: ACCOUNT_A, userName, userArn, roleName, roleArn, policyArn,
    unattachedPolicyArn: member(unattached, 'CreatePolicyResponse', 'CreatePolicyResult', 'Policy', 'Arn'),
    fullUserName, eleventhPolicyArn: policies[10] ?? '', taggedUserName,
  };
});

describe('IAM and STS conformance with AWS', () => {
  it.each(QUERY_CASES.map((queryCase) => [queryCase.name, queryCase] as const))('answers %s as AWS does', async (_, queryCase) => {
    // Act
    const response = await sendQuery(e2e.service.endpoint, queryCase.params(fixtures), callers[queryCase.caller], queryCase.service);

    // Assess
    const expected = queryCase.expect(fixtures);
    expect(response.status, response.text).toBe(expected.status);
    expect(response.xml['ErrorResponse'], response.text).toMatchObject({ Error: { Code: expected.code, Message: expected.message } });
  });
});
