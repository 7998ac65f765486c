/**
 * Issue 10's credentials and health for CI, through `npm start`'s script: fixed root credentials
 * from flags or environment variables, still verified on every request and refused when they (or
 * the account) do not match the data folder; `GET /health`, the one unauthenticated path, with
 * nothing secret in it, and 503 once the database is stopped.
 */
import { access, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateKeyCommand, KMSClient, ListKeysCommand } from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_START_TIMEOUT_MS, REPO_ROOT, credentialsIn, runCliToExit, startCli, type StartedCli } from './support/cli.js';
import { REGION } from './support/local-service.js';
import { processTree } from './support/process-sockets.js';

const FIXED = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' } as const;
const FROM_ENV = { accessKeyId: 'AKIAI44QH8DHBEXAMPLE', secretAccessKey: 'je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY' } as const;
const FLAGS = ['--access-key-id', FIXED.accessKeyId, '--secret-access-key', FIXED.secretAccessKey];

function clientOf(endpoint: string, credentials: { accessKeyId: string; secretAccessKey: string }): KMSClient {
  // A copy: the SDK marks the object it is given.
  return new KMSClient({ endpoint, region: REGION, credentials: { ...credentials }, maxAttempts: 1 });
}

async function version(): Promise<string> {
  return (JSON.parse(await readFile(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
}

describe('fixed root credentials', () => {
  let parent: string;
  let cli: StartedCli;
  const dataDir = () => join(parent, 'fixed');

  beforeAll(async () => {
    parent = await mkdtemp(join(tmpdir(), 'kms-e2e-creds-'));
    cli = await startCli(['--port', '0', '--data-dir', dataDir(), ...FLAGS]);
  }, CLI_START_TIMEOUT_MS);

  afterAll(async () => {
    await cli?.stop();
    await rm(parent, { recursive: true, force: true });
  });

  it('answers a client configured with --access-key-id and --secret-access-key before the start, and writes them to the credentials file', async () => {
    // Prepare
    const kms = clientOf(cli.endpoint, FIXED);

    // Act
    const listed = await kms.send(new ListKeysCommand({}));
    kms.destroy();

    // Assess
    expect(listed.Keys).toEqual([]);
    expect(await credentialsIn(dataDir())).toEqual(FIXED);
    expect(cli.stdout()).toContain(`Credentials:   ${join(dataDir(), 'credentials')} (profile default)`);
  });

  it('still verifies every request: a wrong secret for the fixed access key ID is refused', async () => {
    // Prepare
    const kms = clientOf(cli.endpoint, { accessKeyId: FIXED.accessKeyId, secretAccessKey: `${FIXED.secretAccessKey}x` });

    // Act
    const result = kms.send(new ListKeysCommand({}));

    // Assess
    await expect(result).rejects.toMatchObject({ name: 'InvalidSignatureException' });
    kms.destroy();
  });

  it('takes the credentials from KMS_ACCESS_KEY_ID and KMS_SECRET_ACCESS_KEY', async () => {
    // Prepare
    const otherDir = join(parent, 'from-env');

    // Act
    const other = await startCli(['--port', '0', '--data-dir', otherDir], { KMS_ACCESS_KEY_ID: FROM_ENV.accessKeyId, KMS_SECRET_ACCESS_KEY: FROM_ENV.secretAccessKey });
    const kms = clientOf(other.endpoint, FROM_ENV);
    const listed = await kms.send(new ListKeysCommand({}));
    kms.destroy();
    await other.stop();

    // Assess
    expect(listed.Keys).toEqual([]);
    expect(await credentialsIn(otherDir)).toEqual(FROM_ENV);
  }, CLI_START_TIMEOUT_MS);

  it('refuses to start the folder with another access key ID, another secret or another --account-id, repeating no secret, and keeps it usable', async () => {
    // Prepare
    await cli.stop();
    const base = ['--port', '0', '--data-dir', dataDir()];

    // Act
    const otherKey = await runCliToExit([...base, '--access-key-id', FROM_ENV.accessKeyId, '--secret-access-key', FIXED.secretAccessKey]);
    const otherSecret = await runCliToExit([...base, '--access-key-id', FIXED.accessKeyId, '--secret-access-key', FROM_ENV.secretAccessKey]);
    const otherAccount = await runCliToExit([...base, ...FLAGS, '--account-id', '444455556666']);
    const otherAccountFromEnv = await runCliToExit(base, { KMS_ACCOUNT_ID: '444455556666' });
    cli = await startCli([...base, ...FLAGS, '--account-id', '111122223333']);
    const kms = clientOf(cli.endpoint, FIXED);
    const listed = await kms.send(new ListKeysCommand({}));
    kms.destroy();

    // Assess
    expect([otherKey.code, otherSecret.code, otherAccount.code, otherAccountFromEnv.code]).toEqual([1, 1, 1, 1]);
    expect(otherKey.stderr).toContain(`The data folder ${dataDir()} was set up with access key ID ${FIXED.accessKeyId}; it cannot be started with access key ID ${FROM_ENV.accessKeyId}`);
    expect(otherSecret.stderr).toContain(`The data folder ${dataDir()} was set up with another secret access key for ${FIXED.accessKeyId}`);
    expect(otherAccount.stderr).toContain(`The data folder ${dataDir()} belongs to account 111122223333; it cannot be started with --account-id 444455556666.`);
    expect(otherAccountFromEnv.stderr).toContain('belongs to account 111122223333; it cannot be started with --account-id 444455556666.');
    for (const exit of [otherKey, otherSecret, otherAccount]) {
      expect(exit.stderr).not.toContain(FIXED.secretAccessKey);
      expect(exit.stderr).not.toContain(FROM_ENV.secretAccessKey);
    }
    expect(listed.Keys).toEqual([]);
  }, CLI_START_TIMEOUT_MS * 2);

  it('refuses an access key ID without its secret before anything is written', async () => {
    // Prepare
    const never = join(parent, 'never');

    // Act
    const exit = await runCliToExit(['--port', '0', '--data-dir', never, '--access-key-id', FIXED.accessKeyId]);

    // Assess
    expect(exit.code).toBe(1);
    expect(exit.stderr).toContain('Give both --access-key-id and --secret-access-key (or KMS_ACCESS_KEY_ID and KMS_SECRET_ACCESS_KEY), or neither.');
    expect(await access(never).then(() => true, () => false)).toBe(false);
  });
});

describe('GET /health', () => {
  let parent: string;
  let cli: StartedCli;
  let keyId: string;

  beforeAll(async () => {
    parent = await mkdtemp(join(tmpdir(), 'kms-e2e-health-'));
    cli = await startCli(['--port', '0', '--data-dir', join(parent, 'data'), ...FLAGS]);
    const kms = clientOf(cli.endpoint, FIXED);
    keyId = (await kms.send(new CreateKeyCommand({}))).KeyMetadata?.KeyId ?? '';
    kms.destroy();
  }, CLI_START_TIMEOUT_MS);

  afterAll(async () => {
    await cli?.stop();
    await rm(parent, { recursive: true, force: true });
  });

  it('answers 200 without authentication with the version and whether the token and the table answer, and nothing else', async () => {
    // Act
    const response = await fetch(`${cli.endpoint}/health`);
    const body = await response.text();

    // Assess
    expect(response.status).toBe(200);
    expect(JSON.parse(body)).toEqual({ status: 'ok', version: await version(), token: 'ok', table: 'ok' });
    for (const secret of [FIXED.accessKeyId, FIXED.secretAccessKey, keyId, parent]) expect(body).not.toContain(secret);
  });

  it.each([
    ['GET', '/'], ['POST', '/'], ['GET', '/health/'], ['GET', '/health?verbose=1'], ['POST', '/health'], ['HEAD', '/health'], ['GET', '/credentials'],
  ])('is the only path that answers without authentication: %s %s gets MissingAuthenticationTokenException', async (method, path) => {
    // Act
    const response = await fetch(`${cli.endpoint}${path}`, { method, headers: { 'X-Amz-Target': 'TrentService.ListKeys', 'Content-Type': 'application/x-amz-json-1.1' } });

    // Assess
    expect(response.status).toBe(400);
    expect(response.headers.get('x-amzn-errortype')).toBe('MissingAuthenticationTokenException');
  });

  it('answers 503 saying the table does not answer once the database is stopped, and the service keeps answering', async () => {
    // Prepare
    const tree = await processTree(cli.pid);
    const commands = await Promise.all(tree.map(async (pid) => ({ pid, command: (await readFile(`/proc/${pid}/comm`, 'utf8')).trim() })));
    const jvm = commands.find((entry) => entry.command === 'java');
    if (jvm === undefined) throw new Error(`No JVM in the process tree: ${JSON.stringify(commands)}`);

    // Act
    process.kill(jvm.pid, 'SIGKILL');
    const deadline = Date.now() + 10_000;
    let response = await fetch(`${cli.endpoint}/health`);
    while (response.status === 200 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      response = await fetch(`${cli.endpoint}/health`);
    }
    const kms = clientOf(cli.endpoint, FIXED);
    const request = await kms.send(new ListKeysCommand({})).then(() => undefined, (error: unknown) => error as { name: string; $metadata: { httpStatusCode?: number } });
    kms.destroy();

    // Assess
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({ status: 'unavailable', version: await version(), token: 'ok', table: 'unavailable' });
    expect(request?.$metadata.httpStatusCode).toBeGreaterThanOrEqual(400);
  }, 30_000);
});
