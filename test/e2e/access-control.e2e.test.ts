/**
 * Access control end to end, through the stock JS SDK, boto3 and the AWS CLI against the local
 * server with two simulated interface VPC endpoints (`vpcEndpoints`, as `--vpc-endpoint` sets
 * them): the two example key policies of seeds 000/001 behave as their text says, a VPC endpoint
 * policy restricts what comes through its endpoint, and every decision is in the audit log.
 */
import {
  CreateKeyCommand, DecryptCommand, DescribeKeyCommand, DisableKeyCommand, EncryptCommand, GenerateDataKeyCommand,
  GetKeyPolicyCommand, ListKeyPoliciesCommand, PutKeyPolicyCommand, UpdateKeyDescriptionCommand, type KMSClient,
} from '@aws-sdk/client-kms';
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { EXAMPLE_KEY_1, EXAMPLE_KEY_2, EXAMPLE_KEY_2_FIXED } from '../core/authz/example-policies.js';
import { defaultKeyPolicy } from '../../src/core/kms/keys/default-key-policy.js';
import { errorOf, required, utf8 } from './support/assertions.js';
import { waitForAuditLines } from './support/audit-log.js';
import { ACCOUNT_ID, REGION, useLocalService } from './support/local-service.js';

const run = promisify(execFile);
const ENDPOINT_A = 'vpce-0295a3caf8414c94a';
const ENDPOINT_B = 'vpce-1234abcdf5678c90a';
const VPC_USE = 'vpc-2b2b2b2b';
const VPC_ADMIN = 'vpc-12345678';
const ROOT_ARN = `arn:aws:iam::${ACCOUNT_ID}:root`;

/** Endpoint B's policy: everything but data keys (an endpoint policy names principals, as AWS asks). */
const ENDPOINT_B_POLICY = JSON.stringify({
  Statement: [
    { Sid: 'NoDataKeys', Effect: 'Allow', Principal: '*', NotAction: 'kms:GenerateDataKey*', Resource: '*' },
  ],
});

const e2e = useLocalService(async (dataDir) => {
  const policyFile = join(dataDir, '..', `endpoint-b-${process.pid}.json`);
  await writeFile(policyFile, ENDPOINT_B_POLICY);
  return {
    vpcEndpoints: [
      { port: 0, endpointId: ENDPOINT_A, vpcId: VPC_USE },
      { port: 0, endpointId: ENDPOINT_B, vpcId: VPC_ADMIN },
    ],
    vpcEndpointPolicyFiles: new Map([[ENDPOINT_B, policyFile]]),
  };
});

function denied(action: string, resource: string, why: string): string {
  return `User: ${ROOT_ARN} is not authorized to perform: ${action} on resource: ${resource} ${why}`;
}

async function createKey(client: KMSClient, policy?: string, bypass?: boolean): Promise<{ keyId: string; arn: string }> {
  const created = await client.send(new CreateKeyCommand({
    ...(policy === undefined ? {} : { Policy: policy }), ...(bypass === undefined ? {} : { BypassPolicyLockoutSafetyCheck: bypass }),
  }));
  const metadata = required(created.KeyMetadata, 'KeyMetadata');
  return { keyId: required(metadata.KeyId, 'KeyId'), arn: required(metadata.Arn, 'Arn') };
}

describe('the first example key policy of seeds 000/001 (aws:SourceVpce)', () => {
  it('allows cryptographic operations only through the named VPC endpoint, and everything else from anywhere', async () => {
    // Prepare
    const key = await createKey(e2e.kms, EXAMPLE_KEY_1);
    const viaA = e2e.kmsVia(ENDPOINT_A);

    // Act
    const encrypted = await viaA.send(new EncryptCommand({ KeyId: key.keyId, Plaintext: utf8('through the endpoint') }));
    const decrypted = await viaA.send(new DecryptCommand({ CiphertextBlob: encrypted.CiphertextBlob }));
    const direct = await errorOf(e2e.kms.send(new EncryptCommand({ KeyId: key.keyId, Plaintext: utf8('x') })));
    const viaB = await errorOf(e2e.kmsVia(ENDPOINT_B).send(new DecryptCommand({ CiphertextBlob: encrypted.CiphertextBlob })));
    const described = await e2e.kms.send(new DescribeKeyCommand({ KeyId: key.keyId }));

    // Assess
    expect(new TextDecoder().decode(decrypted.Plaintext)).toBe('through the endpoint');
    expect(direct.name).toBe('AccessDeniedException');
    expect(direct.message).toBe(denied('kms:Encrypt', key.arn, 'with an explicit deny in a resource-based policy'));
    expect(viaB.message).toBe(denied('kms:Decrypt', key.arn, 'with an explicit deny in a resource-based policy'));
    expect(described.KeyMetadata?.KeyId).toBe(key.keyId);
  });

  it('records the endpoint and the deciding statements in the audit log', async () => {
    // Prepare
    const key = await createKey(e2e.kms, EXAMPLE_KEY_1);

    // Act
    const allowed = await e2e.kmsVia(ENDPOINT_A).send(new EncryptCommand({ KeyId: key.keyId, Plaintext: utf8('x') }));
    const refused = await errorOf(e2e.kms.send(new EncryptCommand({ KeyId: key.keyId, Plaintext: utf8('x') })));
    const [allowedLines, refusedLines] = await waitForAuditLines(e2e.dataDir, [allowed.$metadata.requestId ?? '', refused.$metadata?.requestId ?? '']);

    // Assess
    expect(allowedLines?.[0]).toMatchObject({
      vpcEndpointId: ENDPOINT_A,
      additionalEventData: {
        authorization: [{
          action: 'kms:Encrypt', resource: key.arn, decision: 'Allow',
          sources: [{ type: 'key-policy', policyName: 'default', sid: 'Enable IAM user permissions', statementIndex: 0 }, { type: 'root-user' }],
        }],
      },
    });
    expect(refusedLines?.[0]).toMatchObject({
      errorCode: 'AccessDenied',
      errorMessage: denied('kms:Encrypt', key.arn, 'with an explicit deny in a resource-based policy'),
      additionalEventData: {
        authorization: [{
          action: 'kms:Encrypt', resource: key.arn, decision: 'Deny',
          sources: [{ type: 'key-policy', policyName: 'default', sid: 'Restrict usage to my VPC endpoint', statementIndex: 1 }],
        }],
      },
    });
    expect(refusedLines?.[0]).not.toHaveProperty('vpcEndpointId');
  });
});

describe('the second example key policy of seeds 000/001 (aws:SourceVpc)', () => {
  it('is refused as AWS refuses it, for the trailing comma it is printed with', async () => {
    // Act
    const error = await errorOf(e2e.kmsVia(ENDPOINT_B).send(new CreateKeyCommand({ Policy: EXAMPLE_KEY_2 })));

    // Assess
    expect(error.name).toBe('MalformedPolicyDocumentException');
  });

  it('is refused by the lockout safety check from outside the management VPC, and accepted from inside it', async () => {
    // Act
    const outside = await errorOf(e2e.kms.send(new CreateKeyCommand({ Policy: EXAMPLE_KEY_2_FIXED })));
    const key = await createKey(e2e.kmsVia(ENDPOINT_B), EXAMPLE_KEY_2_FIXED);

    // Assess
    expect(outside.name).toBe('MalformedPolicyDocumentException');
    expect(outside.message).toBe('The new key policy will not allow you to update the key policy in the future.');
    expect(key.arn).toContain(':key/');
  });

  it('allows management only from vpc-12345678, key use only from vpc-2b2b2b2b, and reads from everywhere', async () => {
    // Prepare
    const key = await createKey(e2e.kmsVia(ENDPOINT_B), EXAMPLE_KEY_2_FIXED);
    const use = e2e.kmsVia(ENDPOINT_A);
    const admin = e2e.kmsVia(ENDPOINT_B);

    // Act
    const encrypted = await use.send(new EncryptCommand({ KeyId: key.keyId, Plaintext: utf8('x') }));
    const encryptDirect = await errorOf(e2e.kms.send(new EncryptCommand({ KeyId: key.keyId, Plaintext: utf8('x') })));
    const encryptAdmin = await errorOf(admin.send(new EncryptCommand({ KeyId: key.keyId, Plaintext: utf8('x') })));
    const disableFromUse = await errorOf(use.send(new DisableKeyCommand({ KeyId: key.keyId })));
    await admin.send(new UpdateKeyDescriptionCommand({ KeyId: key.keyId, Description: 'managed from vpc-12345678' }));
    const described = await e2e.kms.send(new DescribeKeyCommand({ KeyId: key.keyId }));
    const policy = await use.send(new GetKeyPolicyCommand({ KeyId: key.keyId }));

    // Assess
    expect(encrypted.KeyId).toBe(key.arn);
    expect(encryptDirect.message).toBe(denied('kms:Encrypt', key.arn, 'because no resource-based policy allows the kms:Encrypt action'));
    expect(encryptAdmin.message).toBe(denied('kms:Encrypt', key.arn, 'because no resource-based policy allows the kms:Encrypt action'));
    expect(disableFromUse.message).toBe(denied('kms:DisableKey', key.arn, 'because no resource-based policy allows the kms:DisableKey action'));
    expect(described.KeyMetadata?.Description).toBe('managed from vpc-12345678');
    expect(policy.Policy).toBe(EXAMPLE_KEY_2_FIXED);
  });
});

describe('VPC endpoint policies and aws:SourceIp', () => {
  it('refuses through an endpoint what its endpoint policy does not allow, whatever the key policy says', async () => {
    // Prepare
    const key = await createKey(e2e.kms);

    // Act
    const viaB = await errorOf(e2e.kmsVia(ENDPOINT_B).send(new GenerateDataKeyCommand({ KeyId: key.keyId, KeySpec: 'AES_256' })));
    const viaA = await e2e.kmsVia(ENDPOINT_A).send(new GenerateDataKeyCommand({ KeyId: key.keyId, KeySpec: 'AES_256' }));

    // Assess
    expect(viaB.message).toBe(denied('kms:GenerateDataKey', key.arn, 'because no VPC endpoint policy allows the kms:GenerateDataKey action'));
    expect(viaA.KeyId).toBe(key.arn);
  });

  it('has aws:SourceIp for direct requests and not for requests through an endpoint', async () => {
    // Prepare
    const policy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        { Sid: 'Root', Effect: 'Allow', Principal: { AWS: ROOT_ARN }, Action: 'kms:*', Resource: '*' },
        { Sid: 'NoLoopback', Effect: 'Deny', Principal: '*', Action: 'kms:DescribeKey', Resource: '*', Condition: { IpAddress: { 'aws:SourceIp': '127.0.0.0/8' } } },
      ],
    });
    const key = await createKey(e2e.kms, policy);

    // Act
    const direct = await errorOf(e2e.kms.send(new DescribeKeyCommand({ KeyId: key.keyId })));
    const viaA = await e2e.kmsVia(ENDPOINT_A).send(new DescribeKeyCommand({ KeyId: key.keyId }));

    // Assess
    expect(direct.message).toBe(denied('kms:DescribeKey', key.arn, 'with an explicit deny in a resource-based policy'));
    expect(viaA.KeyMetadata?.Arn).toBe(key.arn);
  });
});

describe('key policies and DryRun through stock clients', () => {
  it('gives a key created without a policy the default key policy, as GetKeyPolicy and ListKeyPolicies show', async () => {
    // Prepare
    const key = await createKey(e2e.kms);

    // Act
    const policy = await e2e.kms.send(new GetKeyPolicyCommand({ KeyId: key.keyId, PolicyName: 'default' }));
    const names = await e2e.kms.send(new ListKeyPoliciesCommand({ KeyId: key.keyId }));

    // Assess
    expect(policy.Policy).toBe(defaultKeyPolicy(ACCOUNT_ID));
    expect(policy.PolicyName).toBe('default');
    expect(names.PolicyNames).toEqual(['default']);
    expect(names.Truncated).toBe(false);
  });

  it('answers DryRunOperationException when allowed and AccessDeniedException when not', async () => {
    // Prepare
    const key = await createKey(e2e.kms, EXAMPLE_KEY_1);

    // Act
    const allowed = await errorOf(e2e.kmsVia(ENDPOINT_A).send(new EncryptCommand({ KeyId: key.keyId, Plaintext: utf8('x'), DryRun: true })));
    const refused = await errorOf(e2e.kms.send(new EncryptCommand({ KeyId: key.keyId, Plaintext: utf8('x'), DryRun: true })));

    // Assess
    expect(allowed.name).toBe('DryRunOperationException');
    expect(refused.name).toBe('AccessDeniedException');
  });

  it('refuses a lockout through the AWS CLI and accepts it with --bypass-policy-lockout-safety-check', async () => {
    // Prepare
    const key = await createKey(e2e.kms);
    const lockout = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: ROOT_ARN }, Action: 'kms:Encrypt', Resource: '*' }] });
    const cli = (...args: string[]) => run('aws', ['kms', ...args, '--endpoint-url', e2e.service.endpoint, '--region', REGION, '--output', 'json'], { env: e2e.stockClientEnv(), timeout: 60_000 });

    // Act
    const refused = await cli('put-key-policy', '--key-id', key.keyId, '--policy', lockout).then(() => '', (error: { stderr?: string }) => error.stderr ?? '');
    await cli('put-key-policy', '--key-id', key.keyId, '--policy', lockout, '--bypass-policy-lockout-safety-check');
    const locked = await errorOf(e2e.kms.send(new PutKeyPolicyCommand({ KeyId: key.keyId, Policy: defaultKeyPolicy(ACCOUNT_ID) })));

    // Assess
    expect(refused).toContain('MalformedPolicyDocumentException');
    expect(refused).toContain('The new key policy will not allow you to update the key policy in the future.');
    expect(locked.message).toBe(denied('kms:PutKeyPolicy', key.arn, 'because no resource-based policy allows the kms:PutKeyPolicy action'));
  });

  it('answers boto3 through the endpoint and refuses it directly, with the same message', async () => {
    // Prepare
    const key = await createKey(e2e.kms, EXAMPLE_KEY_1);
    const script = `
import sys, boto3, botocore
def client(url): return boto3.client('kms', endpoint_url=url, region_name='${REGION}')
client(sys.argv[1]).encrypt(KeyId=sys.argv[3], Plaintext=b'boto3')
try:
    client(sys.argv[2]).encrypt(KeyId=sys.argv[3], Plaintext=b'boto3')
    print('allowed')
except botocore.exceptions.ClientError as e:
    print(e.response['Error']['Code'] + ': ' + e.response['Error']['Message'])
`;

    // Act
    const { stdout } = await run('python3', ['-c', script, required(e2e.service.vpcEndpoints.get(ENDPOINT_A), 'endpoint A'), e2e.service.endpoint, key.keyId], { env: e2e.stockClientEnv(), timeout: 60_000 });

    // Assess
    expect(stdout.trim()).toBe(`AccessDeniedException: ${denied('kms:Encrypt', key.arn, 'with an explicit deny in a resource-based policy')}`);
  });
});
