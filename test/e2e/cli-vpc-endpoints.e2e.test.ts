/**
 * `--vpc-endpoint` and `--vpc-endpoint-policy` through npm start's script: the banner names each
 * simulated endpoint, a request through one is audited with its endpoint and is held to its
 * endpoint policy, and a malformed flag or policy file stops the start naming it.
 */
import { CreateKeyCommand, DescribeKeyCommand, EncryptCommand, KMSClient } from '@aws-sdk/client-kms';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorOf, required, utf8 } from './support/assertions.js';
import { waitForAuditLines } from './support/audit-log.js';
import { CLI_START_TIMEOUT_MS, credentialsIn, runCliToExit, startCli, type StartedCli } from './support/cli.js';
import { ACCOUNT_ID, REGION } from './support/local-service.js';

const ENDPOINT_ID = 'vpce-0295a3caf8414c94a';
const POLICY = JSON.stringify({ Statement: [{ Sid: 'DescribeOnly', Effect: 'Allow', Principal: '*', Action: 'kms:DescribeKey', Resource: '*' }] });

describe('simulated VPC endpoints of npm start', () => {
  let folder: string;
  let cli: StartedCli;
  let viaEndpoint: KMSClient;
  let direct: KMSClient;

  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'kms-cli-vpce-'));
    await writeFile(join(folder, 'policy.json'), POLICY);
    cli = await startCli(['--port', '0', '--data-dir', join(folder, 'data'), '--vpc-endpoint', `0:${ENDPOINT_ID}:vpc-2b2b2b2b`, '--vpc-endpoint-policy', `${ENDPOINT_ID}=${join(folder, 'policy.json')}`]);
    const endpoint = required(/VPC endpoint:\s+(http:\/\/\S+) \(vpce-0295a3caf8414c94a\)/.exec(cli.stdout())?.[1], 'VPC endpoint line');
    const credentials = await credentialsIn(join(folder, 'data'));
    viaEndpoint = new KMSClient({ endpoint, region: REGION, credentials, maxAttempts: 1 });
    direct = new KMSClient({ endpoint: cli.endpoint, region: REGION, credentials, maxAttempts: 1 });
  }, CLI_START_TIMEOUT_MS);

  afterAll(async () => {
    viaEndpoint.destroy();
    direct.destroy();
    await cli.stop();
    await rm(folder, { recursive: true, force: true });
  });

  it('holds requests through the endpoint to its endpoint policy and audits them with the endpoint', async () => {
    // Prepare
    const key = required((await direct.send(new CreateKeyCommand({}))).KeyMetadata, 'KeyMetadata');

    // Act
    const described = await viaEndpoint.send(new DescribeKeyCommand({ KeyId: key.KeyId }));
    const refused = await errorOf(viaEndpoint.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: utf8('x') })));
    const [lines] = await waitForAuditLines(join(folder, 'data'), [described.$metadata.requestId ?? '']);

    // Assess
    expect(refused.message).toBe(`User: arn:aws:iam::${ACCOUNT_ID}:root is not authorized to perform: kms:Encrypt on resource: ${key.Arn ?? ''} because no VPC endpoint policy allows the kms:Encrypt action`);
    expect(lines?.[0]).toMatchObject({
      vpcEndpointId: ENDPOINT_ID,
      additionalEventData: { authorization: [{ action: 'kms:DescribeKey', decision: 'Allow', sources: [{ type: 'key-policy' }, { type: 'root-user' }, { type: 'vpc-endpoint-policy', policyName: ENDPOINT_ID, sid: 'DescribeOnly' }] }] },
    });
  });

  it.each([
    ['a malformed --vpc-endpoint', ['--vpc-endpoint', '4600:vpc-2b2b2b2b'], 'expected PORT:vpce-ID:vpc-ID'],
    ['a policy for an endpoint not simulated', ['--vpc-endpoint-policy', 'vpce-1234abcdf5678c90a=/dev/null'], '--vpc-endpoint-policy names vpce-1234abcdf5678c90a, which no --vpc-endpoint simulates.'],
  ])('stops the start for %s, naming it', async (_, args, message) => {
    // Act
    const exit = await runCliToExit(['--port', '0', '--data-dir', join(folder, 'never'), ...args]);

    // Assess
    expect(exit.code).not.toBe(0);
    expect(exit.stderr).toContain(message);
  });

  it('stops the start for a VPC endpoint policy AWS would refuse, naming the file', async () => {
    // Prepare
    const file = join(folder, 'no-principal.json');
    await writeFile(file, JSON.stringify({ Statement: [{ Effect: 'Allow', Action: 'kms:*', Resource: '*' }] }));

    // Act
    const exit = await runCliToExit(['--port', '0', '--data-dir', join(folder, 'never'), '--vpc-endpoint', `0:${ENDPOINT_ID}:vpc-2b2b2b2b`, '--vpc-endpoint-policy', `${ENDPOINT_ID}=${file}`]);

    // Assess
    expect(exit.code).not.toBe(0);
    expect(exit.stderr).toContain(`The VPC endpoint policy ${file} of ${ENDPOINT_ID} is refused:`);
  });
});
