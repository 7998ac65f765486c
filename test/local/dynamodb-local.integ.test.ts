/**
 * The embedded database: one per data folder, shared by every service process that uses it and
 * stopped with the last of them; and a refusal to start, saying why, wherever it could not be
 * kept private.
 */
import { spawn } from 'node:child_process';
import { access, chmod, mkdtemp, rm, symlink, writeFile, mkdir } from 'node:fs/promises';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { CreateTableCommand, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startDynamoDbLocal } from '../../src/local/dynamodb-local.js';
import { isAlive } from '../../src/local/pid-lock.js';

const HOLDER = fileURLToPath(new URL('./support/hold-database.ts', import.meta.url));

async function exists(path: string): Promise<boolean> {
  return access(path).then(() => true, () => false);
}

async function gone(pid: number, withinMs: number): Promise<boolean> {
  const deadline = Date.now() + withinMs;
  while (isAlive(pid)) {
    if (Date.now() > deadline) return false;
    await sleep(50);
  }
  return true;
}

async function createTable(database: Awaited<ReturnType<typeof startDynamoDbLocal>>, name: string): Promise<void> {
  const client = database.client();
  await client.send(new CreateTableCommand({
    TableName: name,
    AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
    KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
    BillingMode: 'PAY_PER_REQUEST',
  }));
  client.destroy();
}

async function tables(database: Awaited<ReturnType<typeof startDynamoDbLocal>>): Promise<string[]> {
  const client = database.client({ maxAttempts: 1 });
  try {
    return (await client.send(new ListTablesCommand({}))).TableNames ?? [];
  } finally {
    client.destroy();
  }
}

describe('one embedded database per data folder', () => {
  let dataDir: string;
  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'kms-db-'));
  });
  afterEach(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('lets a second holder use the database the first one started, keeps it for the second when the first stops, and stops it with the last', async () => {
    // Prepare
    const first = await startDynamoDbLocal({ dataDir });
    await createTable(first, 'shared');

    // Act
    const second = await startDynamoDbLocal({ dataDir });
    const seen = await tables(second);
    await first.stop();
    const afterFirstStopped = await tables(second);
    await second.stop();

    // Assess
    expect(second.pid).toBe(first.pid);
    expect(seen).toEqual(['shared']);
    expect(afterFirstStopped).toEqual(['shared']);
    expect(isAlive(first.pid)).toBe(false);
    expect(await exists(join(dataDir, 'dynamodb.sock'))).toBe(false);
    expect(await exists(join(dataDir, 'dynamodb-lease.sock'))).toBe(false);
  });

  it('starts a new database, with the data kept, when the folder is used again after the last holder stopped', async () => {
    // Prepare
    const before = await startDynamoDbLocal({ dataDir });
    await createTable(before, 'kept');
    await before.stop();

    // Act
    const after = await startDynamoDbLocal({ dataDir });
    const seen = await tables(after);
    await after.stop();

    // Assess
    expect(after.pid).not.toBe(before.pid);
    expect(seen).toEqual(['kept']);
  });

  it('stops the database when the process holding its last lease is killed without releasing it', async () => {
    // Prepare
    const holder = spawn(process.execPath, ['--import', 'tsx', HOLDER, dataDir], { stdio: ['ignore', 'pipe', 'inherit'] });
    const pid = await new Promise<number>((resolve, reject) => {
      let text = '';
      holder.stdout.on('data', (chunk: Buffer) => {
        text += chunk.toString();
        if (text.includes('\n')) resolve(Number(text.trim()));
      });
      holder.once('exit', (code) => reject(new Error(`The holder exited (${code}) before printing the PID.`)));
    });
    const joined = await startDynamoDbLocal({ dataDir });
    await joined.stop();
    const stillRunning = isAlive(pid);

    // Act
    holder.kill('SIGKILL');

    // Assess
    expect(joined.pid).toBe(pid);
    expect(stillRunning).toBe(true);
    expect(await gone(pid, 10_000)).toBe(true);
  });
});

describe('refusing to start a database that could not be kept private', () => {
  let fakeBin: string;
  const path = process.env['PATH'];
  beforeEach(async () => {
    fakeBin = await mkdtemp(join(tmpdir(), 'kms-fake-bin-'));
    // Everything the launch needs except the real unshare.
    for (const tool of ['sh', 'java', 'ip']) {
      const dirs = (path ?? '').split(':');
      const found = (await Promise.all(dirs.map(async (dir) => ((await exists(join(dir, tool))) ? join(dir, tool) : undefined)))).find(Boolean);
      if (found === undefined) throw new Error(`${tool} is not on PATH`);
      await symlink(found, join(fakeBin, tool));
    }
    process.env['PATH'] = fakeBin;
  });
  afterEach(async () => {
    process.env['PATH'] = path;
    await rm(fakeBin, { recursive: true, force: true });
  });

  async function fakeUnshare(script: string): Promise<void> {
    await writeFile(join(fakeBin, 'unshare'), `#!/bin/sh\n${script}\n`);
    await chmod(join(fakeBin, 'unshare'), 0o755);
  }

  it('refuses, naming util-linux, when unshare is missing', async () => {
    // Act
    const result = startDynamoDbLocal({});

    // Assess
    await expect(result).rejects.toThrow('Refusing to start: the embedded DynamoDB must run in a private network namespace so that nothing on the network can reach it, but `unshare` (util-linux) was not found on PATH.');
  });

  it('refuses, saying how to allow them, when the machine does not allow user namespaces', async () => {
    // Prepare
    await fakeUnshare('echo "unshare: unshare failed: Operation not permitted" >&2; exit 1');

    // Act
    const result = startDynamoDbLocal({});

    // Assess
    await expect(result).rejects.toThrow(/^Refusing to start: .* this machine does not allow unprivileged user namespaces .*kernel\.unprivileged_userns_clone=1/s);
  });

  const outward = Object.entries(networkInterfaces()).filter(([name]) => name !== 'lo');
  it.runIf(outward.length > 0)('refuses before DynamoDB Local starts when the JVM sees interfaces other than loopback (no namespace made)', async () => {
    // Prepare: an unshare that makes no namespace at all.
    await fakeUnshare('while [ "$1" != "--" ]; do shift; done; shift; exec "$@"');
    const dataDir = await mkdtemp(join(tmpdir(), 'kms-db-open-'));
    await mkdir(join(dataDir, 'dynamodb'), { mode: 0o700 });

    // Act
    const result = startDynamoDbLocal({ dataDir });

    // Assess
    await expect(result).rejects.toThrow(/^Refusing to start: .* the namespace it got is not private:\nRefusing to start DynamoDB Local: network interfaces other than loopback are visible/s);
    expect(await exists(join(dataDir, 'dynamodb.sock'))).toBe(false);
    await rm(dataDir, { recursive: true, force: true });
  });
});
