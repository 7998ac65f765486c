import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  CredentialsError, assertUsableCredentials, ensureRootCredentials, type FixedCredentials, type RootCredentialOptions,
} from '../../src/local/root-credentials.js';
import { FakeClock } from '../support/fake-clock.js';
import { FakeKeyMaterial } from '../support/fake-key-material.js';
import { InMemoryStore } from '../support/in-memory-store.js';

const FIXED: FixedCredentials = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };

describe('ensureRootCredentials', () => {
  let dataDir: string;
  let base: RootCredentialOptions;
  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'kms-creds-'));
    base = {
      dataDir, accountId: undefined, defaultAccountId: '111122223333', fixed: undefined,
      store: new InMemoryStore(), material: new FakeKeyMaterial(), clock: new FakeClock(),
    };
  });
  afterEach(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('sets a new folder up with the fixed credentials and writes them to the credentials file', async () => {
    // Prepare
    const options = { ...base, fixed: FIXED };

    // Act
    const credentials = await ensureRootCredentials(options);

    // Assess
    expect(credentials).toEqual({ ...FIXED, accountId: '111122223333', path: join(dataDir, 'credentials') });
    expect(await readFile(credentials.path, 'utf8')).toBe(`[default]\naws_access_key_id = ${FIXED.accessKeyId}\naws_secret_access_key = ${FIXED.secretAccessKey}\n`);
    expect(await base.store.getAccessKey(FIXED.accessKeyId)).toMatchObject({ accountId: '111122223333', principalArn: 'arn:aws:iam::111122223333:root' });
  });

  it('returns the same credentials when started again with the same fixed ones', async () => {
    // Prepare
    await ensureRootCredentials({ ...base, fixed: FIXED, accountId: '444455556666' });

    // Act
    const again = await ensureRootCredentials({ ...base, fixed: FIXED, accountId: '444455556666' });

    // Assess
    expect(again).toMatchObject({ ...FIXED, accountId: '444455556666' });
  });

  it('keeps the folder\'s account when started without an account ID', async () => {
    // Prepare
    await ensureRootCredentials({ ...base, accountId: '444455556666' });

    // Act
    const again = await ensureRootCredentials(base);

    // Assess
    expect(again.accountId).toBe('444455556666');
  });

  it('throws CredentialsError naming both when a folder is started with another access key ID', async () => {
    // Prepare
    await ensureRootCredentials({ ...base, fixed: FIXED });

    // Act
    const result = ensureRootCredentials({ ...base, fixed: { ...FIXED, accessKeyId: 'AKIAOTHERKEY00000000' } });

    // Assess
    await expect(result).rejects.toThrow(new CredentialsError(
      `The data folder ${dataDir} was set up with access key ID AKIAIOSFODNN7EXAMPLE; it cannot be started with access key ID AKIAOTHERKEY00000000 ` +
        '(--access-key-id / KMS_ACCESS_KEY_ID). Use the credentials it was set up with, or choose another --data-dir.',
    ));
  });

  it('throws CredentialsError without repeating either secret when a folder is started with another secret', async () => {
    // Prepare
    await ensureRootCredentials({ ...base, fixed: FIXED });
    const other = 'another-secret-that-must-not-be-printed';

    // Act
    const message = await ensureRootCredentials({ ...base, fixed: { ...FIXED, secretAccessKey: other } }).then(() => '', (error: unknown) => String(error));

    // Assess
    expect(message).toMatch(/was set up with another secret access key for AKIAIOSFODNN7EXAMPLE/);
    expect(message).not.toContain(other);
    expect(message).not.toContain(FIXED.secretAccessKey);
  });

  it('throws CredentialsError when a folder of randomly made credentials is started with fixed ones', async () => {
    // Prepare
    const made = await ensureRootCredentials(base);

    // Act
    const result = ensureRootCredentials({ ...base, fixed: FIXED });

    // Assess
    await expect(result).rejects.toThrow(`was set up with access key ID ${made.accessKeyId}`);
  });

  it('throws CredentialsError when a folder is started with another account ID', async () => {
    // Prepare
    await ensureRootCredentials(base);

    // Act
    const result = ensureRootCredentials({ ...base, accountId: '444455556666' });

    // Assess
    await expect(result).rejects.toThrow(new CredentialsError(
      `The data folder ${dataDir} belongs to account 111122223333; it cannot be started with --account-id 444455556666. ` +
        'Leave out --account-id (or pass 111122223333), or choose another --data-dir for account 444455556666.',
    ));
  });

  it('reuses fixed credentials the table already holds when the credentials file was removed', async () => {
    // Prepare
    await ensureRootCredentials({ ...base, fixed: FIXED });
    await rm(join(dataDir, 'credentials'));

    // Act
    const again = await ensureRootCredentials({ ...base, fixed: FIXED });

    // Assess
    expect(again).toMatchObject(FIXED);
    expect(await readFile(again.path, 'utf8')).toContain(FIXED.secretAccessKey);
  });
});

describe('assertUsableCredentials', () => {
  const REFUSED: readonly (readonly [string, FixedCredentials, RegExp])[] = [
    ['a short access key ID', { ...FIXED, accessKeyId: 'test' }, /The access key ID must be 16 to 128 letters, digits or underscores/],
    ['an access key ID with a slash', { ...FIXED, accessKeyId: 'AKIA/EXAMPLE0000000' }, /The access key ID must be/],
    ['a secret with a space', { ...FIXED, secretAccessKey: 'two words' }, /The secret access key must be 1 to 128 printable ASCII characters without spaces\./],
    ['an empty secret', { ...FIXED, secretAccessKey: '' }, /The secret access key must be/],
  ];

  it.each(REFUSED)('throws CredentialsError for %s', (_name, fixed, message) => {
    // Prepare
    const credentials = fixed;

    // Act
    const check = () => assertUsableCredentials(credentials);

    // Assess
    expect(check).toThrow(message);
  });

  it('accepts AWS-shaped credentials', () => {
    // Prepare
    const credentials = FIXED;

    // Act
    const check = () => assertUsableCredentials(credentials);

    // Assess
    expect(check).not.toThrow();
  });
});
