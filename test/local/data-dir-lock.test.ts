import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { lockDataDir } from '../../src/local/data-dir-lock.js';

describe('lockDataDir', () => {
  let dataDir: string;
  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'kms-lock-'));
  });
  afterEach(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('refuses a second lock while the first owner is alive', async () => {
    // Prepare
    const first = await lockDataDir(dataDir);

    // Act
    const second = lockDataDir(dataDir);

    // Assess
    await expect(second).rejects.toThrow(/Another service \(PID \d+\) is using the data folder/);
    await first.release();
  });

  it('takes over a lock whose owner is gone', async () => {
    // Prepare
    await writeFile(join(dataDir, 'service.lock'), '999999999');

    // Act
    const lock = await lockDataDir(dataDir);

    // Assess
    expect(await readFile(join(dataDir, 'service.lock'), 'utf8')).toBe(String(process.pid));
    await lock.release();
  });

  it('locks again after release', async () => {
    // Prepare
    const first = await lockDataDir(dataDir);
    await first.release();

    // Act
    const second = await lockDataDir(dataDir);

    // Assess
    await second.release();
  });
});
