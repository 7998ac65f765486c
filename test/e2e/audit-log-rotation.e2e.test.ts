/**
 * Audit log rotation as a user sets it up: `npm start -- --audit-log-max-size … --audit-log-keep …`
 * (and the KMS_* variables), then stock-client requests; the rotated files are gzip, at most
 * `keep` of them, and every event of the kept files and the live log is a whole JSON line.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { DescribeKeyCommand, CreateKeyCommand } from '@aws-sdk/client-kms';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { kmsClientFor, runCliToExit, startCli } from './support/cli.js';

/** Request IDs of every event in the rotated files (oldest first) and the live log. */
async function auditedRequestIds(dataDir: string): Promise<{ ids: string[]; rotated: string[] }> {
  const rotated = (await readdir(dataDir)).filter((name) => /^audit\.log\.\d+\.gz$/.test(name))
    .sort((a, b) => Number(a.split('.')[2]) - Number(b.split('.')[2]));
  const texts = [...await Promise.all(rotated.map(async (name) => gunzipSync(await readFile(join(dataDir, name))).toString('utf8'))),
    await readFile(join(dataDir, 'audit.log'), 'utf8')];
  const ids = texts.flatMap((text) => text.split('\n').filter((line) => line !== '').map((line) => String((JSON.parse(line) as { requestID: unknown }).requestID)));
  return { ids, rotated };
}

describe('audit log rotation through the CLI', () => {
  let dataDir: string;

  beforeEach(async () => {
    dataDir = join(await mkdtemp(join(tmpdir(), 'kms-rotation-e2e-')), 'data');
  });

  afterEach(async () => {
    await rm(join(dataDir, '..'), { recursive: true, force: true });
  });

  it('rotates at --audit-log-max-size into at most --audit-log-keep gzip files, every kept event a whole line', async () => {
    const cli = await startCli(['--port', '0', '--data-dir', dataDir, '--quiet', '--audit-log-max-size', '4KB', '--audit-log-keep', '2']);
    try {
      const kms = await kmsClientFor(cli, dataDir);
      const created = await kms.send(new CreateKeyCommand({}));
      const requestIds: string[] = [];
      for (let i = 0; i < 40; i++) {
        const described = await kms.send(new DescribeKeyCommand({ KeyId: created.KeyMetadata?.KeyId }));
        requestIds.push(described.$metadata.requestId ?? '');
      }
      kms.destroy();
      // Stopping waits for the compression under way, so the files are read at rest.
      await cli.stop();
      const { ids, rotated } = await auditedRequestIds(dataDir);
      expect(rotated.length).toBe(2);
      // The newest events are all there, once each, in order.
      expect(ids.slice(-5)).toEqual(requestIds.slice(-5));
      expect(new Set(ids).size).toBe(ids.length);
    } finally {
      await cli.stop();
    }
  });

  it('takes the sizes from KMS_AUDIT_LOG_MAX_SIZE and KMS_AUDIT_LOG_KEEP too', async () => {
    const cli = await startCli(['--port', '0', '--data-dir', dataDir, '--quiet'], { KMS_AUDIT_LOG_MAX_SIZE: '3000', KMS_AUDIT_LOG_KEEP: '1' });
    try {
      const kms = await kmsClientFor(cli, dataDir);
      for (let i = 0; i < 20; i++) await kms.send(new CreateKeyCommand({}));
      kms.destroy();
      await cli.stop();
      expect((await auditedRequestIds(dataDir)).rotated.length).toBe(1);
    } finally {
      await cli.stop();
    }
  });

  it.each([
    ['--audit-log-max-size', '10XB', 'not a size such as 1MB, 100MB, 2GB or a byte count'],
    ['--audit-log-max-size', '0', 'not a size such as 1MB, 100MB, 2GB or a byte count'],
    ['--audit-log-keep', '-1', 'not a whole number of at least 0'],
    ['--cache-keys', '0', 'not a whole number of at least 1'],
  ])('refuses %s %s, naming what it expects', async (flag, value, message) => {
    const exit = await runCliToExit(['--port', '0', '--data-dir', dataDir, flag, value]);
    expect(exit.code).not.toBe(0);
    expect(exit.stderr).toContain(message);
  });
});
