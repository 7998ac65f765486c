/**
 * scripts/cloudhsm-init.sh with a stand-in `aws` on PATH (no AWS here) and the real OpenSSL:
 * what it asks AWS for in each cluster state, the certificate it signs, and that the PIN reaches
 * Secrets Manager through a file, never on a command line.
 */
import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const SCRIPT = new URL('../../scripts/cloudhsm-init.sh', import.meta.url).pathname;
const CLUSTER = 'cluster-abcdefghijk';

/** Writes a fake `aws` into `dir` that logs its arguments (and a file:// secret's content) and answers from `state`. */
function fakeAws(dir: string, state: string, csrPath: string, secretExists = false): void {
  const script = `#!/usr/bin/env bash
echo "$*" >> "${dir}/calls.log"
for arg in "$@"; do case "$arg" in file://*) cat "\${arg#file://}" > "${dir}/secret-file.txt";; esac; done
case "$*" in
  *"Clusters[0].State"*) echo "${state}" ;;
  *"ClusterCsr"*) cat "${csrPath}" ;;
  *"describe-secret"*) ${secretExists ? 'exit 0' : 'exit 254'} ;;
esac
`;
  writeFileSync(join(dir, 'aws'), script);
  chmodSync(join(dir, 'aws'), 0o755);
}

async function given(state: string, secretExists = false) {
  const dir = mkdtempSync(join(tmpdir(), 'cloudhsm-init-'));
  const csrPath = join(dir, 'cluster.csr');
  await run('openssl', ['req', '-new', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'hsm.key'), '-out', csrPath, '-subj', '/CN=HSM:cluster']);
  fakeAws(dir, state, csrPath, secretExists);
  const env = { ...process.env, PATH: `${dir}:${process.env['PATH'] ?? ''}` };
  const calls = () => (existsSync(join(dir, 'calls.log')) ? readFileSync(join(dir, 'calls.log'), 'utf8').trim().split('\n') : []);
  return { dir, env, calls, workDir: join(dir, 'work') };
}

function runScript(args: string[], env: NodeJS.ProcessEnv, input?: string): Promise<{ stdout: string; stderr: string; code: number }> {
  return new Promise((resolve) => {
    const child = execFile('bash', [SCRIPT, ...args], { env }, (error, stdout, stderr) => {
      resolve({ stdout, stderr, code: error === null ? 0 : Number((error as { code?: number }).code ?? 1) });
    });
    child.stdin?.on('error', () => undefined);
    child.stdin?.end(input ?? '');
  });
}

describe('scripts/cloudhsm-init.sh', () => {
  it('signs the CSR of an uninitialised cluster with a new issuing CA and initialises the cluster with both', async () => {
    // Prepare
    const { env, calls, workDir } = await given('UNINITIALIZED');

    // Act
    const result = await runScript(['--cluster-id', CLUSTER, '--work-dir', workDir], env);

    // Assess
    expect(result.code).toBe(0);
    const signed = join(workDir, `${CLUSTER}_CustomerHsmCertificate.crt`);
    const verified = await run('openssl', ['verify', '-CAfile', join(workDir, 'customerCA.crt'), signed]);
    expect(verified.stdout).toContain(': OK');
    expect(calls().at(-1)).toBe(`cloudhsmv2 initialize-cluster --cluster-id ${CLUSTER} --signed-cert file://${signed} --trust-anchor file://${join(workDir, 'customerCA.crt')}`);
  });

  it('prints the CloudHSM CLI steps for an initialised cluster and changes nothing', async () => {
    // Prepare
    const { env, calls, workDir } = await given('INITIALIZED');

    // Act
    const result = await runScript(['--cluster-id', CLUSTER, '--work-dir', workDir, '--crypto-user', 'kms_user'], env);

    // Assess
    expect(result.stdout).toContain('cloudhsm-cli cluster activate');
    expect(result.stdout).toContain('user create --username kms_user --role crypto-user');
    expect(calls()).toHaveLength(1);
  });

  it('stores <user>:<password> as the PIN secret of an active cluster through a file, never on the command line', async () => {
    // Prepare
    const { dir, env, calls, workDir } = await given('ACTIVE');

    // Act
    const result = await runScript(['--cluster-id', CLUSTER, '--work-dir', workDir, '--secret-name', 'pin'], env, 's3cret-Passw0rd\n');

    // Assess
    expect(result.code).toBe(0);
    const create = calls().find((call) => call.startsWith('secretsmanager create-secret'));
    expect(create).toMatch(/--name pin .*--secret-string file:\/\//);
    expect(calls().join('\n')).not.toContain('s3cret-Passw0rd');
    expect(readFileSync(join(dir, 'secret-file.txt'), 'utf8')).toBe('open_kms:s3cret-Passw0rd');
  });

  it('leaves an existing PIN secret alone', async () => {
    // Prepare
    const { env, calls, workDir } = await given('ACTIVE', true);

    // Act
    const result = await runScript(['--cluster-id', CLUSTER, '--work-dir', workDir, '--secret-name', 'pin'], env);

    // Assess
    expect(result.stdout).toContain('secret pin exists; nothing to do');
    expect(calls().some((call) => call.includes('create-secret'))).toBe(false);
  });

  it.each([
    [['--work-dir', '/tmp/x'], '--cluster-id cluster-… is required'],
    [['--cluster-id', CLUSTER], '--work-dir DIR is required'],
    [['--cluster-id', CLUSTER, '--work-dir', '/tmp/x', '--crypto-user', 'bad user'], '--crypto-user must be 1-31 letters'],
    [['--bogus'], 'unknown argument --bogus'],
  ])('refuses %j with exit code 2 and a message', async (args, message) => {
    // Prepare
    const { env } = await given('ACTIVE');

    // Act
    const result = await runScript(args, env);

    // Assess
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
  });
});
