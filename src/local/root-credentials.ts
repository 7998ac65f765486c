/**
 * The local account's first identity: an access key for the account's root principal, created on
 * first start, kept in the table (secret sealed under the token's root key) and written to
 * `<data-dir>/credentials` in the AWS shared-credentials format, profile `default`.
 */
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CredentialStore, KeyMaterial, Clock } from '../core/ports/index.js';
import { secretAad } from '../authn/stored-credentials.js';

export interface RootCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly accountId: string;
  readonly path: string;
}

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** Returns the credentials of `<data-dir>/credentials` if the table knows them, else makes new ones. */
export async function ensureRootCredentials(options: {
  readonly dataDir: string;
  readonly accountId: string;
  readonly store: CredentialStore;
  readonly material: KeyMaterial;
  readonly clock: Clock;
}): Promise<RootCredentials> {
  const path = join(options.dataDir, 'credentials');
  const existing = await readCredentialsFile(path);
  if (existing !== undefined) {
    const record = await options.store.getAccessKey(existing.accessKeyId);
    if (record !== undefined) return { ...existing, accountId: record.accountId, path };
  }
  const accessKeyId = `AKIA${Array.from(randomBytes(16), (byte) => BASE32[byte % 32]).join('')}`;
  const secretAccessKey = randomBytes(30).toString('base64');
  const sealedSecret = await options.material.sealSecret(new TextEncoder().encode(secretAccessKey), secretAad(accessKeyId));
  await options.store.putAccessKey({
    accessKeyId,
    sealedSecret,
    accountId: options.accountId,
    principalArn: `arn:aws:iam::${options.accountId}:root`,
    principalId: options.accountId,
    status: 'Active',
    creationDate: options.clock.now().getTime(),
  });
  const text = `[default]\naws_access_key_id = ${accessKeyId}\naws_secret_access_key = ${secretAccessKey}\n`;
  await writeFile(path, text, { mode: 0o600 });
  return { accessKeyId, secretAccessKey, accountId: options.accountId, path };
}

async function readCredentialsFile(path: string): Promise<{ accessKeyId: string; secretAccessKey: string } | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
  const accessKeyId = /aws_access_key_id\s*=\s*(\S+)/.exec(text)?.[1];
  const secretAccessKey = /aws_secret_access_key\s*=\s*(\S+)/.exec(text)?.[1];
  return accessKeyId === undefined || secretAccessKey === undefined ? undefined : { accessKeyId, secretAccessKey };
}
