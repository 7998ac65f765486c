import { readFile } from 'node:fs/promises';
import { GetRoleCommand, GetUserCommand } from '@aws-sdk/client-iam';
import { describe, expect, it } from 'vitest';
import { parseProfiles } from '../../src/local/account-credentials.js';
import { ACCOUNT_A, ACCOUNT_B, useIdentityService, type Credentials } from './support/identity-service.js';
import { iamCall, sendQuery as sendRawQuery, stsCall } from './support/query-request.js';

const e2e = useIdentityService();
const IAM_NS = 'https://iam.amazonaws.com/doc/2010-05-08/';

/** A form-encoded Query request to the service, signed for `service` unless `credentials` is undefined. */
const sendQuery = (params: Record<string, string>, credentials: Credentials | undefined, service = 'iam') => sendRawQuery(e2e.service.endpoint, params, credentials, service);


describe('the IAM and STS wire protocol', () => {
  it("answers an error in IAM's ErrorResponse XML with its code, type and status", async () => {
    // Act
    const response = await sendQuery(iamCall('GetUser', { UserName: 'nobody' }), e2e.root(ACCOUNT_A));

    // Assess
    expect(response.status).toBe(404);
    expect(response.contentType).toBe('text/xml');
    expect(response.xml['ErrorResponse']).toEqual({
      '@_xmlns': IAM_NS,
      Error: { Type: 'Sender', Code: 'NoSuchEntity', Message: 'The user with name nobody cannot be found.' },
      RequestId: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
  });

  it.each([
    ['an unknown Action', iamCall('CreateGroup', { GroupName: 'g' }), 400, 'InvalidAction', 'Could not find operation CreateGroup for version 2010-05-08'],
    ['another Version', { Action: 'ListUsers', Version: '2011-06-15' }, 400, 'InvalidAction', 'Could not find operation ListUsers for version 2011-06-15'],
  ])('answers %s with InvalidAction', async (_what, params, status, code, message) => {
    // Act
    const response = await sendQuery(params, e2e.root(ACCOUNT_A));

    // Assess
    expect(response.status).toBe(status);
    expect(response.xml['ErrorResponse']).toMatchObject({ Error: { Code: code, Message: message } });
  });

  it('answers an unsigned request with MissingAuthenticationToken and one signed for kms with SignatureDoesNotMatch', async () => {
    // Act
    const unsigned = await sendQuery(iamCall('ListUsers'), undefined);
    const wrongService = await sendQuery(iamCall('ListUsers'), e2e.root(ACCOUNT_A), 'kms');

    // Assess
    expect(unsigned.status).toBe(403);
    expect(unsigned.xml['ErrorResponse']).toMatchObject({ Error: { Code: 'MissingAuthenticationToken', Message: 'Request is missing Authentication Token' } });
    expect(wrongService.status).toBe(403);
    expect(wrongService.xml['ErrorResponse']).toMatchObject({ Error: { Code: 'SignatureDoesNotMatch', Message: "Credential should be scoped to correct service: 'iam'." } });
  });

  it('refuses 51 tags with ValidationError and creates no user', async () => {
    // Prepare
    const tags: Record<string, string> = Object.fromEntries(
      Array.from({ length: 51 }, (_, i): [string, string][] => [[`Tags.member.${i + 1}.Key`, `k${i}`], [`Tags.member.${i + 1}.Value`, 'v']]).flat(),
    );

    // Act
    const response = await sendQuery(iamCall('CreateUser', { UserName: 'tagged', ...tags }), e2e.root(ACCOUNT_A));
    const lookup = await e2e.iam(e2e.root(ACCOUNT_A)).send(new GetUserCommand({ UserName: 'tagged' })).catch((caught: unknown) => caught);

    // Assess
    expect(response.status).toBe(400);
    expect(response.xml['ErrorResponse']).toMatchObject({
      Error: { Code: 'ValidationError', Message: "1 validation error detected: Value at 'tags' failed to satisfy constraint: Member must have length less than or equal to 50" },
    });
    expect(lookup).toMatchObject({ name: 'NoSuchEntityException' });
  });

  it('refuses an oversized trust policy with LimitExceeded and a malformed one with MalformedPolicyDocument, creating no role', async () => {
    // Prepare
    const statement = { Effect: 'Allow', Principal: { AWS: ACCOUNT_A }, Action: 'sts:AssumeRole' };
    const oversized = JSON.stringify({ Version: '2012-10-17', Statement: Array.from({ length: 40 }, (_, i) => ({ ...statement, Sid: `S${i}` })) });

    // Act
    const big = await sendQuery(iamCall('CreateRole', { RoleName: 'big', AssumeRolePolicyDocument: oversized }), e2e.root(ACCOUNT_A));
    const noPrincipal = await sendQuery(iamCall('CreateRole', {
      RoleName: 'big', AssumeRolePolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole' }] }),
    }), e2e.root(ACCOUNT_A));
    const lookup = await e2e.iam(e2e.root(ACCOUNT_A)).send(new GetRoleCommand({ RoleName: 'big' })).catch((caught: unknown) => caught);

    // Assess
    expect(big.status).toBe(409);
    expect(big.xml['ErrorResponse']).toMatchObject({ Error: { Code: 'LimitExceeded', Message: 'Cannot exceed quota for ACLSizePerRole: 2048' } });
    expect(noPrincipal.status).toBe(400);
    expect(noPrincipal.xml['ErrorResponse']).toMatchObject({ Error: { Code: 'MalformedPolicyDocument', Message: 'Policy contains a statement with no principal.' } });
    expect(lookup).toMatchObject({ name: 'NoSuchEntityException' });
  });

  it("refuses a policy document beyond the model's 131,072 characters without repeating it", async () => {
    // Act
    const response = await sendQuery(iamCall('CreatePolicy', { PolicyName: 'vast', PolicyDocument: 'x'.repeat(131_073) }), e2e.root(ACCOUNT_A));

    // Assess
    expect(response.status).toBe(400);
    expect(response.xml['ErrorResponse']).toMatchObject({
      Error: { Code: 'ValidationError', Message: "1 validation error detected: Value at 'policyDocument' failed to satisfy constraint: Member must have length less than or equal to 131072" },
    });
  });

  it('answers a successful call in the XML shape the SDKs read, with the request ID', async () => {
    // Act
    const response = await sendQuery(stsCall('GetCallerIdentity'), e2e.root(ACCOUNT_B), 'sts');

    // Assess
    expect(response.status).toBe(200);
    expect(response.xml['GetCallerIdentityResponse']).toEqual({
      '@_xmlns': 'https://sts.amazonaws.com/doc/2011-06-15/',
      GetCallerIdentityResult: { UserId: Number(ACCOUNT_B), Account: Number(ACCOUNT_B), Arn: `arn:aws:iam::${ACCOUNT_B}:root` },
      ResponseMetadata: { RequestId: expect.stringMatching(/^[0-9a-f-]{36}$/) },
    });
  });

  it('writes every account to the credentials file: the first as default, each as acct-<id>', async () => {
    // Act
    const profiles = parseProfiles(await readFile(e2e.service.credentials.path, 'utf8'));

    // Assess
    expect([...profiles.keys()]).toEqual(['default', `acct-${ACCOUNT_A}`, `acct-${ACCOUNT_B}`]);
    expect(profiles.get('default')).toEqual(profiles.get(`acct-${ACCOUNT_A}`));
    expect(profiles.get(`acct-${ACCOUNT_B}`)).toEqual(e2e.root(ACCOUNT_B));
  });
});
