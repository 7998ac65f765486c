import { chmod, chown, lstat, mkdir, mkdtemp, readFile, readlink, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UntrustedDataDirError, prepareDataDir, readPrivateFile, writePrivateFile } from '../../src/local/data-dir.js';

const NOBODY = 65534;
const isRoot = process.geteuid?.() === 0;

describe('prepareDataDir', () => {
  let parent: string;
  let dataDir: string;
  beforeEach(async () => {
    parent = await mkdtemp(join(tmpdir(), 'kms-dir-'));
    dataDir = join(parent, 'data');
  });
  afterEach(async () => {
    await rm(parent, { recursive: true, force: true });
  });

  it('creates a missing data folder readable by its owner only', async () => {
    // Prepare
    const missing = join(parent, 'nested', 'data');

    // Act
    const result = await prepareDataDir(missing);

    // Assess
    expect(result).toEqual({ created: true });
    expect((await lstat(missing)).mode & 0o777).toBe(0o700);
  });

  it('accepts an existing folder and files that only its owner can reach', async () => {
    // Prepare
    await mkdir(join(dataDir, 'tokens'), { recursive: true, mode: 0o700 });
    await chmod(dataDir, 0o700);
    await writeFile(join(dataDir, 'tokens', 'token.object'), 'x', { mode: 0o600 });

    // Act
    const result = await prepareDataDir(dataDir);

    // Assess
    expect(result).toEqual({ created: false });
  });

  // Each case: what another user prepared, and the problem the refusal names.
  const ATTACKS: readonly (readonly [string, (dir: string) => Promise<void>, RegExp])[] = [
    ['a world-writable folder', async (dir) => {
      await mkdir(dir);
      await chmod(dir, 0o777);
    }, /data grants the group or others access \(mode 0777\)/],
    ['a group-readable folder', async (dir) => {
      await mkdir(dir, { mode: 0o750 });
      await chmod(dir, 0o750);
    }, /grants the group or others access \(mode 0750\)/],
    ['a folder that is a symbolic link', async (dir) => {
      await mkdir(`${dir}-real`, { mode: 0o700 });
      await symlink(`${dir}-real`, dir);
    }, /data is a symbolic link/],
    ['a credentials file that is a symbolic link', async (dir) => {
      await mkdir(dir, { mode: 0o700 });
      await symlink('../loot', join(dir, 'credentials'));
    }, /credentials is a symbolic link/],
    ['a world-readable file inside', async (dir) => {
      await mkdir(join(dir, 'dynamodb'), { recursive: true, mode: 0o700 });
      await chmod(dir, 0o700);
      await writeFile(join(dir, 'dynamodb', 'shared-local-instance.db'), 'x', { mode: 0o644 });
    }, /shared-local-instance\.db grants the group or others access \(mode 0644\)/],
  ];

  it.each(ATTACKS)('refuses %s and says why', async (_name, prepare, problem) => {
    // Prepare
    await prepare(dataDir);

    // Act
    const result = prepareDataDir(dataDir);

    // Assess
    await expect(result).rejects.toBeInstanceOf(UntrustedDataDirError);
    await expect(prepareDataDir(dataDir)).rejects.toThrow(problem);
  });

  it('refuses a folder owned by another user (as told which user the service runs as)', async () => {
    // Prepare
    await mkdir(dataDir, { mode: 0o700 });

    // Act
    const result = prepareDataDir(dataDir, { uid: (process.geteuid?.() ?? 0) + 1 });

    // Assess
    await expect(result).rejects.toThrow(/data is owned by user \d+, not by this service's user \d+/);
  });

  it.runIf(isRoot)('refuses a file inside that another user owns', async () => {
    // Prepare
    await mkdir(dataDir, { mode: 0o700 });
    await writeFile(join(dataDir, 'token.json'), '{}', { mode: 0o600 });
    await chown(join(dataDir, 'token.json'), NOBODY, NOBODY);

    // Act
    const result = prepareDataDir(dataDir);

    // Assess
    await expect(result).rejects.toThrow(new RegExp(`token\\.json is owned by user ${NOBODY}`));
  });
});

describe('writePrivateFile and readPrivateFile', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kms-file-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes an owner-only file', async () => {
    // Prepare
    const path = join(dir, 'credentials');

    // Act
    await writePrivateFile(path, 'secret');

    // Assess
    expect(await readFile(path, 'utf8')).toBe('secret');
    expect((await lstat(path)).mode & 0o777).toBe(0o600);
  });

  it('replaces a symbolic link at the path instead of writing through it', async () => {
    // Prepare
    const path = join(dir, 'credentials');
    const loot = join(dir, 'loot');
    await symlink(loot, path);

    // Act
    await writePrivateFile(path, 'secret');

    // Assess
    expect((await lstat(path)).isSymbolicLink()).toBe(false);
    await expect(readFile(loot)).rejects.toThrow(/ENOENT/);
  });

  it('refuses to read through a symbolic link', async () => {
    // Prepare
    const path = join(dir, 'token.json');
    await writeFile(join(dir, 'elsewhere'), 'x');
    await symlink(join(dir, 'elsewhere'), path);

    // Act
    const result = readPrivateFile(path);

    // Assess
    await expect(result).rejects.toThrow(/ELOOP/);
    expect(await readlink(path)).toBe(join(dir, 'elsewhere'));
  });

  it('returns undefined for a file that does not exist', async () => {
    // Prepare
    const path = join(dir, 'missing');

    // Act
    const text = await readPrivateFile(path);

    // Assess
    expect(text).toBeUndefined();
  });
});
