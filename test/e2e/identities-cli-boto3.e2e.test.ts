import { randomUUID } from 'node:crypto';
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { REGION } from './support/local-service.js';
import { ACCOUNT_A, ACCOUNT_B, useIdentityService } from './support/identity-service.js';

const run = promisify(execFile);
/** Each CLI call starts a Python interpreter; on a loaded machine a test of several takes a while. */
const CLI_TEST_TIMEOUT_MS = 240_000;
const e2e = useIdentityService();

/** A stock client's environment: the service's credentials file, the given config file, and nothing else of AWS_*. */
function clientEnv(configFile = '/dev/null', extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('AWS_')));
  return {
    ...env,
    AWS_SHARED_CREDENTIALS_FILE: e2e.service.credentials.path,
    AWS_CONFIG_FILE: configFile,
    AWS_EC2_METADATA_DISABLED: 'true',
    NO_PROXY: '127.0.0.1,localhost',
    ...extra,
  };
}

async function aws(args: readonly string[], env: NodeJS.ProcessEnv = clientEnv()): Promise<Record<string, unknown>> {
  const { stdout } = await run('aws', [...args, '--endpoint-url', e2e.service.endpoint, '--region', REGION, '--output', 'json'], { env, timeout: 60_000 });
  return stdout.trim() === '' ? {} : (JSON.parse(stdout) as Record<string, unknown>);
}

async function awsFailure(args: readonly string[]): Promise<string> {
  const failure = await aws(args).then(() => undefined, (error: unknown) => error as { stderr: string });
  return failure?.stderr ?? '';
}

const policy = (statements: readonly object[]): string => JSON.stringify({ Version: '2012-10-17', Statement: statements });

describe('identities through the AWS CLI', () => {
  it('creates users and roles, reads policies back as JSON, and signs as the second account with profile acct-<id>', async () => {
    // Act
    const user = await aws(['iam', 'create-user', '--user-name', 'cli-user', '--tags', 'Key=team,Value=red']);
    await aws(['iam', 'put-user-policy', '--user-name', 'cli-user', '--policy-name', 'kms', '--policy-document',
      policy([{ Effect: 'Allow', Action: 'kms:*', Resource: '*' }])]);
    const inline = await aws(['iam', 'get-user-policy', '--user-name', 'cli-user', '--policy-name', 'kms']);
    const role = await aws(['iam', 'create-role', '--role-name', 'cli-role', '--path', '/ops/', '--assume-role-policy-document',
      policy([{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT_A}:user/cli-user` }, Action: 'sts:AssumeRole' }])]);
    const fetched = await aws(['iam', 'get-role', '--role-name', 'cli-role']);
    const users = await aws(['iam', 'list-users']);
    const other = await aws(['sts', 'get-caller-identity', '--profile', `acct-${ACCOUNT_B}`]);

    // Assess
    expect(user).toMatchObject({ User: { UserName: 'cli-user', Arn: `arn:aws:iam::${ACCOUNT_A}:user/cli-user`, Tags: [{ Key: 'team', Value: 'red' }] } });
    expect(inline).toEqual({ UserName: 'cli-user', PolicyName: 'kms', PolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kms:*', Resource: '*' }] } });
    expect(role).toMatchObject({ Role: { RoleName: 'cli-role', Path: '/ops/', Arn: `arn:aws:iam::${ACCOUNT_A}:role/ops/cli-role`, MaxSessionDuration: 3600 } });
    expect(fetched).toMatchObject({ Role: { AssumeRolePolicyDocument: { Statement: [{ Action: 'sts:AssumeRole' }] } } });
    expect((users['Users'] as { UserName: string }[]).map((entry) => entry.UserName)).toContain('cli-user');
    expect(other).toEqual({ UserId: ACCOUNT_B, Account: ACCOUNT_B, Arn: `arn:aws:iam::${ACCOUNT_B}:root` });
  }, CLI_TEST_TIMEOUT_MS);

  it('assumes a role from a profile with role_arn and source_profile, as the CLI does on its own', async () => {
    // Prepare
    await aws(['iam', 'create-user', '--user-name', 'role-user']);
    const key = (await aws(['iam', 'create-access-key', '--user-name', 'role-user']))['AccessKey'] as { AccessKeyId: string; SecretAccessKey: string };
    await aws(['iam', 'create-role', '--role-name', 'profile-role', '--assume-role-policy-document',
      policy([{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT_A}:user/role-user` }, Action: 'sts:AssumeRole' }])]);
    const config = join(e2e.dataDir, 'cli-config');
    // The CLI caches assumed-role credentials in ~/.aws/cli/cache by role and session name: a name
    // of this run's own keeps a session of an earlier run (another server) from being reused.
    const sessionName = `from-cli-${randomUUID().slice(0, 8)}`;
    await writeFile(config, [
      '[profile role-user]', `aws_access_key_id = ${key.AccessKeyId}`, `aws_secret_access_key = ${key.SecretAccessKey}`, '',
      '[profile via-role]', `role_arn = arn:aws:iam::${ACCOUNT_A}:role/profile-role`, 'source_profile = role-user', `role_session_name = ${sessionName}`, '',
    ].join('\n'));

    // Act
    const identity = await aws(['sts', 'get-caller-identity', '--profile', 'via-role'],
      clientEnv(config, { AWS_ENDPOINT_URL: e2e.service.endpoint }));

    // Assess
    expect(identity['Arn']).toBe(`arn:aws:sts::${ACCOUNT_A}:assumed-role/profile-role/${sessionName}`);
  }, CLI_TEST_TIMEOUT_MS);

  it("answers bad input with IAM's error codes and leaves nothing behind", async () => {
    // Act
    const oversized = await awsFailure(['iam', 'create-policy', '--policy-name', 'huge', '--policy-document',
      policy([{ Effect: 'Allow', Action: 'kms:*', Resource: Array.from({ length: 200 }, (_, i) => `arn:aws:kms:us-east-1:${ACCOUNT_A}:key/${String(i).padStart(36, '0')}`) }])]);
    const malformed = await awsFailure(['iam', 'create-policy', '--policy-name', 'broken', '--policy-document', '{"Version":"2012-10-17","Statement":[{"Effect":"Allow"']);
    const badName = await awsFailure(['iam', 'create-user', '--user-name', 'no spaces']);
    const missing = await aws(['iam', 'list-policies', '--scope', 'Local']);

    // Assess
    expect(oversized).toContain('An error occurred (LimitExceeded) when calling the CreatePolicy operation: Cannot exceed quota for PolicySize: 6144');
    expect(malformed).toMatch(/An error occurred \(MalformedPolicyDocument\) when calling the CreatePolicy operation: The policy document is not valid JSON/);
    expect(badName).toContain("An error occurred (ValidationError) when calling the CreateUser operation: 1 validation error detected: Value 'no spaces' at 'userName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+");
    expect((missing['Policies'] as { PolicyName: string }[]).map((entry) => entry.PolicyName)).not.toContain('huge');
  }, CLI_TEST_TIMEOUT_MS);
});

const BOTO3_SCRIPT = `
import json, sys, time
import boto3
endpoint, account = sys.argv[1], sys.argv[2]
iam = boto3.client('iam', endpoint_url=endpoint, region_name='${REGION}')
sts = boto3.client('sts', endpoint_url=endpoint, region_name='${REGION}')
iam.create_user(UserName='py-user', Tags=[{'Key': 'team', 'Value': 'green'}])
key = iam.create_access_key(UserName='py-user')['AccessKey']
iam.put_user_policy(UserName='py-user', PolicyName='assume', PolicyDocument=json.dumps({'Version': '2012-10-17', 'Statement': [{'Effect': 'Allow', 'Action': ['sts:AssumeRole', 'sts:TagSession'], 'Resource': '*'}]}))
trust = {'Version': '2012-10-17', 'Statement': [{'Effect': 'Allow', 'Principal': {'AWS': account}, 'Action': ['sts:AssumeRole', 'sts:TagSession'], 'Condition': {'StringEquals': {'sts:ExternalId': 'py-external'}}}]}
role = iam.create_role(RoleName='py-role', AssumeRolePolicyDocument=json.dumps(trust), MaxSessionDuration=7200)['Role']
managed = iam.create_policy(PolicyName='py-kms', PolicyDocument=json.dumps({'Version': '2012-10-17', 'Statement': [{'Effect': 'Allow', 'Action': 'kms:*', 'Resource': '*'}]}))['Policy']
iam.attach_role_policy(RoleName='py-role', PolicyArn=managed['Arn'])
attached = [p['PolicyName'] for p in iam.list_attached_role_policies(RoleName='py-role')['AttachedPolicies']]
user_sts = boto3.client('sts', endpoint_url=endpoint, region_name='${REGION}', aws_access_key_id=key['AccessKeyId'], aws_secret_access_key=key['SecretAccessKey'])
assumed = user_sts.assume_role(RoleArn=role['Arn'], RoleSessionName='py-session', DurationSeconds=7200, ExternalId='py-external', Tags=[{'Key': 'project', 'Value': 'apollo'}])
creds = assumed['Credentials']
session = dict(aws_access_key_id=creds['AccessKeyId'], aws_secret_access_key=creds['SecretAccessKey'], aws_session_token=creds['SessionToken'])
whoami = boto3.client('sts', endpoint_url=endpoint, region_name='${REGION}', **session).get_caller_identity()
kms_key = boto3.client('kms', endpoint_url=endpoint, region_name='${REGION}', **session).create_key()['KeyMetadata']
try:
    iam.delete_policy(PolicyArn=managed['Arn'])
    conflict = None
except iam.exceptions.DeleteConflictException as error:
    conflict = {'code': error.response['Error']['Code'], 'type': error.response['Error']['Type'], 'status': error.response['ResponseMetadata']['HTTPStatusCode'], 'message': error.response['Error']['Message']}
try:
    iam.tag_user(UserName='py-user', Tags=[{'Key': 'Team', 'Value': 'a'}, {'Key': 'team', 'Value': 'b'}])
    duplicate = None
except iam.exceptions.InvalidInputException as error:
    duplicate = error.response['Error']['Code']
print(json.dumps({
    'attached': attached,
    'assumedArn': assumed['AssumedRoleUser']['Arn'],
    'lifetime': int(creds['Expiration'].timestamp() - time.time()),
    'whoami': whoami['Arn'],
    'kmsAccount': kms_key['AWSAccountId'],
    'conflict': conflict,
    'duplicate': duplicate,
    'tags': iam.get_user(UserName='py-user')['User'].get('Tags'),
}))
`;

describe('identities through boto3', () => {
  it('creates a user, a role with a managed policy, assumes it with session tags and an external ID, and uses the session for KMS', async () => {
    // Act
    const { stdout } = await run('python3', ['-c', BOTO3_SCRIPT, e2e.service.endpoint, ACCOUNT_A], { env: clientEnv(), timeout: 60_000 });

    // Assess
    const result = JSON.parse(stdout) as Record<string, unknown>;
    expect(result).toMatchObject({
      attached: ['py-kms'],
      assumedArn: `arn:aws:sts::${ACCOUNT_A}:assumed-role/py-role/py-session`,
      whoami: `arn:aws:sts::${ACCOUNT_A}:assumed-role/py-role/py-session`,
      kmsAccount: ACCOUNT_A,
      conflict: { code: 'DeleteConflict', type: 'Sender', status: 409, message: 'Cannot delete a policy attached to entities.' },
      duplicate: 'InvalidInput',
      tags: [{ Key: 'team', Value: 'green' }],
    });
    expect(result['lifetime']).toBeGreaterThan(7000);
    expect(result['lifetime']).toBeLessThanOrEqual(7200);
  }, CLI_TEST_TIMEOUT_MS);
});
