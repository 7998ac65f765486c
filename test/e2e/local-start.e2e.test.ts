/**
 * Issue 10's start: a taken port fails fast and leaves no data folder; each set-up step prints one
 * line with its time, --quiet only the banner. Issue 15 item 5: a data folder another user could
 * have prepared is refused before anything is written into it.
 */
import { ListKeysCommand } from '@aws-sdk/client-kms';
import { access, chmod, chown, mkdir, mkdtemp, readdir, rm, symlink } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_START_TIMEOUT_MS, kmsClientFor, runCliToExit, startCli } from './support/cli.js';

const NOBODY = 65534;

async function exists(path: string): Promise<boolean> {
  return access(path).then(() => true, () => false);
}

describe('local mode start', () => {
  let parent: string;
  beforeAll(async () => {
    parent = await mkdtemp(join(tmpdir(), 'kms-e2e-start-'));
  });
  afterAll(async () => {
    await rm(parent, { recursive: true, force: true });
  });

  it('exits non-zero within seconds naming the port, and creates no data folder, when the port is taken', async () => {
    // Prepare
    const holder: Server = createServer();
    const port = await new Promise<number>((resolve) => holder.listen(0, '127.0.0.1', () => resolve((holder.address() as { port: number }).port)));
    const dataDir = join(parent, 'never-created');

    // Act
    const exit = await runCliToExit(['--port', String(port), '--data-dir', dataDir]);
    holder.close();

    // Assess
    expect(exit.code).not.toBe(0);
    expect(exit.stderr).toContain(`Port ${port} on 127.0.0.1 is already in use`);
    expect(exit.ms).toBeLessThan(10_000);
    expect(await exists(dataDir)).toBe(false);
  });

  it('prints one line with its time for each set-up step, then the banner', async () => {
    // Prepare
    const dataDir = join(parent, 'talkative');

    // Act
    const cli = await startCli(['--port', '0', '--data-dir', dataDir]);
    await cli.stop();

    // Assess
    const steps = cli.stderr().split('\n').filter((line) => /^ {2}\S/.test(line));
    expect(steps.map((line) => line.trim().split(/\s+/)[0])).toEqual(['installing', 'port', 'data', 'token', 'database', 'table', 'credentials', 'lifecycle', 'listening']);
    for (const line of steps) expect(line).toMatch(/\(\d+\.\d\d s\)$/);
    expect(cli.stdout()).toMatch(/^KMS endpoint: {2}http:\/\/127\.0\.0\.1:\d+\nAccount: {7}111122223333\n/);
  }, CLI_START_TIMEOUT_MS);

  it('prints only the banner with --quiet, and answers on a second start of the same folder', async () => {
    // Prepare
    const dataDir = join(parent, 'talkative');

    // Act
    const cli = await startCli(['--port', '0', '--data-dir', dataDir, '--quiet']);
    const kms = await kmsClientFor(cli, dataDir);
    const listed = await kms.send(new ListKeysCommand({}));
    kms.destroy();
    await cli.stop();

    // Assess
    expect(cli.stderr().trim()).toBe('');
    expect(cli.stdout().split('\n')[0]).toMatch(/^KMS endpoint:/);
    expect(listed.Keys).toEqual([]);
  }, CLI_START_TIMEOUT_MS);

  it('refuses a world-writable data folder prepared with credentials -> ../loot, writing nothing', async () => {
    // Prepare
    const attacker = join(parent, 'attack');
    const dataDir = join(attacker, 'data');
    await mkdir(dataDir, { recursive: true });
    await chmod(dataDir, 0o777);
    await symlink('../loot', join(dataDir, 'credentials'));

    // Act
    const exit = await runCliToExit(['--port', '0', '--data-dir', dataDir]);

    // Assess
    expect(exit.code).toBe(1);
    expect(exit.stderr).toContain(`Refusing the data folder ${dataDir}: ${dataDir} grants the group or others access (mode 0777).`);
    expect(await exists(join(attacker, 'loot'))).toBe(false);
    expect(await readdir(dataDir)).toEqual(['credentials']);
  });

  it('refuses an owner-only data folder holding a symbolic link', async () => {
    // Prepare
    const dataDir = join(parent, 'linked');
    await mkdir(dataDir, { mode: 0o700 });
    await symlink('../loot', join(dataDir, 'credentials'));

    // Act
    const exit = await runCliToExit(['--port', '0', '--data-dir', dataDir]);

    // Assess
    expect(exit.code).toBe(1);
    expect(exit.stderr).toContain(`${join(dataDir, 'credentials')} is a symbolic link`);
    expect(await exists(join(parent, 'loot'))).toBe(false);
  });

  it.runIf(process.geteuid?.() === 0)('refuses a data folder owned by another user when running as root', async () => {
    // Prepare
    const dataDir = join(parent, 'nobodys');
    await mkdir(dataDir, { mode: 0o700 });
    await chown(dataDir, NOBODY, NOBODY);

    // Act
    const exit = await runCliToExit(['--port', '0', '--data-dir', dataDir]);

    // Assess
    expect(exit.code).toBe(1);
    expect(exit.stderr).toContain(`${dataDir} is owned by user ${NOBODY}, not by this service's user 0`);
    expect(await readdir(dataDir)).toEqual([]);
  });
});
