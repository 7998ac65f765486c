/**
 * Local mode's further accounts (`--accounts 111122223333,444455556666`): each gets an access key
 * for its root principal on first start, kept in the table like the first account's, and every
 * account is written to `<data-dir>/credentials` as profile `acct-<id>` (the first also as
 * `default`, which `ensureRootCredentials` made).
 */
import { randomBytes } from 'node:crypto';
import type { CredentialStore, Clock, IdentityStore, KeyMaterial } from '../core/ports/index.js';
import { secretAad } from '../authn/stored-credentials.js';
import { readPrivateFile, writePrivateFile } from './data-dir.js';
import type { RootCredentials } from './root-credentials.js';

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

export interface AccountCredentialOptions {
  /** The first account's credentials, as `ensureRootCredentials` returned them. */
  readonly primary: RootCredentials;
  /** Every account, the first one first. */
  readonly accountIds: readonly string[];
  readonly store: CredentialStore;
  readonly identities: Pick<IdentityStore, 'putAccount'>;
  readonly material: KeyMaterial;
  readonly clock: Clock;
}

/** The profiles of a shared-credentials file: name → access key ID and secret. */
export function parseProfiles(text: string | undefined): Map<string, { accessKeyId: string; secretAccessKey: string }> {
  const profiles = new Map<string, { accessKeyId: string; secretAccessKey: string }>();
  let current: string | undefined;
  const fields = new Map<string, string>();
  const flush = (): void => {
    const accessKeyId = fields.get('aws_access_key_id');
    const secretAccessKey = fields.get('aws_secret_access_key');
    if (current !== undefined && accessKeyId !== undefined && secretAccessKey !== undefined) profiles.set(current, { accessKeyId, secretAccessKey });
    fields.clear();
  };
  for (const line of (text ?? '').split('\n')) {
    const section = /^\s*\[([^\]]+)\]\s*$/.exec(line);
    if (section?.[1] !== undefined) {
      flush();
      current = section[1].trim();
      continue;
    }
    const field = /^\s*(\w+)\s*=\s*(\S+)\s*$/.exec(line);
    if (field?.[1] !== undefined && field[2] !== undefined) fields.set(field[1], field[2]);
  }
  flush();
  return profiles;
}

/** Ensures every account has root credentials and writes them all to the credentials file; returns them in order. */
export async function ensureAccountCredentials(options: AccountCredentialOptions): Promise<RootCredentials[]> {
  const { primary } = options;
  const profiles = parseProfiles(await readPrivateFile(primary.path));
  const accounts: RootCredentials[] = [primary];
  for (const accountId of options.accountIds) {
    if (accountId === primary.accountId) continue;
    const known = profiles.get(`acct-${accountId}`);
    const record = known === undefined ? undefined : await options.store.getAccessKey(known.accessKeyId);
    if (known !== undefined && record !== undefined && record.accountId === accountId && record.principalArn.endsWith(':root')) {
      accounts.push({ ...known, accountId, path: primary.path });
      continue;
    }
    const accessKeyId = `AKIA${Array.from(randomBytes(16), (byte) => BASE32[byte % 32]).join('')}`;
    const secretAccessKey = randomBytes(30).toString('base64');
    await options.store.putAccessKey({
      accessKeyId,
      sealedSecret: await options.material.sealSecret(new TextEncoder().encode(secretAccessKey), secretAad(accessKeyId)),
      accountId,
      principalArn: `arn:aws:iam::${accountId}:root`,
      principalId: accountId,
      status: 'Active',
      creationDate: options.clock.now().getTime(),
    });
    accounts.push({ accessKeyId, secretAccessKey, accountId, path: primary.path });
  }
  for (const account of accounts) await options.identities.putAccount(account.accountId, options.clock.now().getTime());
  const profile = (name: string, account: RootCredentials): string =>
    `[${name}]\naws_access_key_id = ${account.accessKeyId}\naws_secret_access_key = ${account.secretAccessKey}\n`;
  await writePrivateFile(primary.path, [profile('default', primary), ...accounts.map((account) => profile(`acct-${account.accountId}`, account))].join('\n'));
  return accounts;
}
