/**
 * The `npm start` CLI as a user runs it: it prints the endpoint and the credentials file, serves
 * signed requests with them, and exits with status 0 on SIGTERM leaving no process behind.
 */
import { ListKeysCommand } from '@aws-sdk/client-kms';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAlive } from '../../src/local/pid-lock.js';
import { CLI_START_TIMEOUT_MS, kmsClientFor, startCli, type StartedCli } from './support/cli.js';
import { processTree } from './support/process-sockets.js';

describe('kms-local CLI', () => {
  let dataDir: string;
  let cli: StartedCli;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'kms-e2e-cli-'));
    cli = await startCli(['--port', '0', '--data-dir', dataDir]);
  }, CLI_START_TIMEOUT_MS);

  afterAll(async () => {
    await cli?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('returns a key listing from the endpoint it prints, signed with the credentials file it writes', async () => {
    // Prepare
    const kms = await kmsClientFor(cli, dataDir);

    // Act
    const response = await kms.send(new ListKeysCommand({}));

    // Assess
    kms.destroy();
    expect(response.Keys).toEqual([]);
    expect(response.Truncated).toBe(false);
    expect(cli.stdout()).toContain(`Credentials:   ${join(dataDir, 'credentials')} (profile default)`);
    expect(cli.stdout()).toMatch(/Account:\s+111122223333/);
  });

  it('exits with status 0 when sent SIGTERM, and its database with it', async () => {
    // Prepare
    const tree = await processTree(cli.pid);

    // Act
    cli.child.kill('SIGTERM');
    const exit = await cli.exited;

    // Assess
    expect(exit).toEqual({ code: 0, signal: null });
    expect(tree.length).toBeGreaterThan(1);
    expect(tree.filter(isAlive)).toEqual([]);
  }, 30_000);
});
