import { KMSClient, ListKeysCommand } from '@aws-sdk/client-kms';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REGION } from './support/local-service.js';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const START_TIMEOUT_MS = 90_000;

interface StartedCli {
  readonly child: ChildProcess;
  readonly endpoint: string;
  readonly output: () => string;
}

/** Spawns the local-mode CLI and waits for its "KMS endpoint:" line. */
function startCli(dataDir: string): Promise<StartedCli> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/local/cli.ts', '--port', '0', '--data-dir', dataDir], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const output = () => `stdout:\n${stdout}\nstderr:\n${stderr}`;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`The CLI printed no endpoint within ${START_TIMEOUT_MS} ms.\n${output()}`));
    }, START_TIMEOUT_MS);
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const endpoint = /KMS endpoint:\s+(http:\/\/\S+)/.exec(stdout)?.[1];
      if (endpoint !== undefined) {
        clearTimeout(timer);
        resolve({ child, endpoint, output });
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`The CLI exited (${code ?? signal}) before printing its endpoint.\n${output()}`));
    });
  });
}

function exitOf(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

async function credentialsIn(dataDir: string): Promise<{ accessKeyId: string; secretAccessKey: string }> {
  const text = await readFile(join(dataDir, 'credentials'), 'utf8');
  const accessKeyId = /aws_access_key_id\s*=\s*(\S+)/.exec(text)?.[1];
  const secretAccessKey = /aws_secret_access_key\s*=\s*(\S+)/.exec(text)?.[1];
  if (accessKeyId === undefined || secretAccessKey === undefined) throw new Error(`No credentials in ${text}`);
  return { accessKeyId, secretAccessKey };
}

describe('kms-local CLI', () => {
  let dataDir: string;
  let cli: StartedCli | undefined;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'kms-e2e-cli-'));
    cli = await startCli(dataDir);
  }, START_TIMEOUT_MS + 10_000);

  afterAll(async () => {
    if (cli !== undefined && cli.child.exitCode === null && cli.child.signalCode === null) {
      cli.child.kill('SIGKILL');
      await exitOf(cli.child);
    }
    await rm(dataDir, { recursive: true, force: true });
  });

  it('returns a key listing from the endpoint it prints, signed with the credentials file it writes', async () => {
    // Prepare
    const kms = new KMSClient({ endpoint: cli?.endpoint, region: REGION, credentials: await credentialsIn(dataDir), maxAttempts: 1 });

    // Act
    const response = await kms.send(new ListKeysCommand({}));

    // Assess
    kms.destroy();
    expect(response.Keys).toEqual([]);
    expect(response.Truncated).toBe(false);
    expect(cli?.output()).toMatch(/Credentials:\s+\S+\/credentials \(profile default\)/);
    expect(cli?.output()).toMatch(/Account:\s+111122223333/);
  });

  it('exits with status 0 when sent SIGTERM', async () => {
    // Prepare
    const child = cli?.child;
    if (child === undefined) throw new Error('The CLI did not start.');

    // Act
    child.kill('SIGTERM');
    const exit = await exitOf(child);

    // Assess
    expect(exit).toEqual({ code: 0, signal: null });
  }, 30_000);
});
