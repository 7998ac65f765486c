/**
 * The local account's first identity: an access key for the account's root principal, created on
 * first start (random, or the fixed one given with `--access-key-id` / `--secret-access-key`),
 * kept in the table (secret sealed under the token's root key) and written to
 * `<data-dir>/credentials` in the AWS shared-credentials format, profile `default`.
 *
 * A data folder keeps the account and credentials it was set up with: starting it with another
 * account ID or other fixed credentials is an error, never silently ignored.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { join } from 'node:path';
import { AlreadyExistsException } from '../models/kms/generated/errors.js';
import type { AccessKeyRecord } from '../core/iam/records.js';
import type { CredentialStore, KeyMaterial, Clock } from '../core/ports/index.js';
import { secretAad } from '../authn/stored-credentials.js';
import { readPrivateFile, writePrivateFile } from './data-dir.js';

export interface RootCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly accountId: string;
  readonly path: string;
}

export interface FixedCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

/** A credentials problem the user must fix (mismatch with the data folder, malformed flags). */
export class CredentialsError extends Error {
  override readonly name = 'CredentialsError';
}

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
/** IAM's access key ID constraints: 16 to 128 word characters. */
const ACCESS_KEY_ID = /^\w{16,128}$/;
/** Printable ASCII without spaces, so the shared-credentials file holds it as it is. */
const SECRET_ACCESS_KEY = /^[\x21-\x7e]{1,128}$/;

/** Throws `CredentialsError` unless `fixed` can be used as root credentials. */
export function assertUsableCredentials(fixed: FixedCredentials): void {
  /* Precondition: a fixed access key ID follows IAM's format. */
  if (!ACCESS_KEY_ID.test(fixed.accessKeyId)) {
    throw new CredentialsError('The access key ID must be 16 to 128 letters, digits or underscores (like AKIAIOSFODNN7EXAMPLE).');
  }
  /* Precondition: a fixed secret access key fits on one line of the credentials file. */
  if (!SECRET_ACCESS_KEY.test(fixed.secretAccessKey)) {
    throw new CredentialsError('The secret access key must be 1 to 128 printable ASCII characters without spaces.');
  }
}

export interface RootCredentialOptions {
  readonly dataDir: string;
  /** The account the caller asked for explicitly; undefined accepts the folder's. */
  readonly accountId: string | undefined;
  /** The account of a new folder when none was asked for. */
  readonly defaultAccountId: string;
  readonly fixed: FixedCredentials | undefined;
  readonly store: CredentialStore;
  readonly material: KeyMaterial;
  readonly clock: Clock;
}

/** Returns the folder's root credentials, creating them on first start. */
export async function ensureRootCredentials(options: RootCredentialOptions): Promise<RootCredentials> {
  const path = join(options.dataDir, 'credentials');
  const existing = parseCredentialsFile(await readPrivateFile(path));
  const record = existing === undefined ? undefined : await options.store.getAccessKey(existing.accessKeyId);
  if (existing !== undefined && record !== undefined) {
    assertSameAccount(options, record.accountId);
    if (options.fixed !== undefined) await assertSameCredentials(options, record, existing);
    return { ...existing, accountId: record.accountId, path };
  }
  const credentials = options.fixed ?? { accessKeyId: randomAccessKeyId(), secretAccessKey: randomBytes(30).toString('base64') };
  const accountId = options.accountId ?? options.defaultAccountId;
  try {
    await options.store.putAccessKey({
      accessKeyId: credentials.accessKeyId,
      sealedSecret: await options.material.sealSecret(new TextEncoder().encode(credentials.secretAccessKey), secretAad(credentials.accessKeyId)),
      accountId,
      principalArn: `arn:aws:iam::${accountId}:root`,
      principalId: accountId,
      status: 'Active',
      creationDate: options.clock.now().getTime(),
    });
  } catch (error) {
    // Fixed credentials the table already holds (the credentials file was removed): the same ones may be reused.
    if (!(error instanceof AlreadyExistsException) || options.fixed === undefined) throw error;
    const known = await options.store.getAccessKey(credentials.accessKeyId);
    if (known === undefined) throw error;
    assertSameAccount({ ...options, accountId }, known.accountId);
    await assertSameCredentials(options, known, credentials);
  }
  await writePrivateFile(path, `[default]\naws_access_key_id = ${credentials.accessKeyId}\naws_secret_access_key = ${credentials.secretAccessKey}\n`);
  return { ...credentials, accountId, path };
}

function assertSameAccount(options: Pick<RootCredentialOptions, 'accountId' | 'dataDir'>, accountId: string): void {
  /* Precondition: an existing data folder is started with its own account. */
  if (options.accountId !== undefined && options.accountId !== accountId) {
    throw new CredentialsError(
      `The data folder ${options.dataDir} belongs to account ${accountId}; it cannot be started with --account-id ${options.accountId}. ` +
        `Leave out --account-id (or pass ${accountId}), or choose another --data-dir for account ${options.accountId}.`,
    );
  }
}

async function assertSameCredentials(options: RootCredentialOptions, record: AccessKeyRecord, existing: FixedCredentials): Promise<void> {
  const fixed = options.fixed;
  if (fixed === undefined) return;
  /* Precondition: an existing data folder is started with the fixed credentials it was set up with. */
  if (fixed.accessKeyId !== existing.accessKeyId) {
    throw new CredentialsError(
      `The data folder ${options.dataDir} was set up with access key ID ${existing.accessKeyId}; it cannot be started with access key ID ${fixed.accessKeyId} ` +
        '(--access-key-id / KMS_ACCESS_KEY_ID). Use the credentials it was set up with, or choose another --data-dir.',
    );
  }
  const stored = await options.material.openSecret(record.sealedSecret, secretAad(record.accessKeyId));
  const given = Buffer.from(fixed.secretAccessKey);
  const same = stored.length === given.length && timingSafeEqual(stored, given);
  stored.fill(0);
  if (!same) {
    throw new CredentialsError(
      `The data folder ${options.dataDir} was set up with another secret access key for ${fixed.accessKeyId} ` +
        '(--secret-access-key / KMS_SECRET_ACCESS_KEY). Use the credentials it was set up with, or choose another --data-dir.',
    );
  }
}

function randomAccessKeyId(): string {
  return `AKIA${Array.from(randomBytes(16), (byte) => BASE32[byte % 32]).join('')}`;
}

function parseCredentialsFile(text: string | undefined): FixedCredentials | undefined {
  if (text === undefined) return undefined;
  const accessKeyId = /aws_access_key_id\s*=\s*(\S+)/.exec(text)?.[1];
  const secretAccessKey = /aws_secret_access_key\s*=\s*(\S+)/.exec(text)?.[1];
  return accessKeyId === undefined || secretAccessKey === undefined ? undefined : { accessKeyId, secretAccessKey };
}
