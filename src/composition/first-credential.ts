/**
 * The deployment's first credential: an access key for the root of the deployment account, made
 * at deploy time by a CloudFormation custom resource, sealed into the table like every other
 * access key, with its secret kept in a Secrets Manager secret the stack creates (the only copy).
 * From there `aws iam create-user … --endpoint-url` works as in local mode.
 *
 * Crash-safe and idempotent: the credential is written to the secret first and the table second,
 * so a retried deployment finds the secret and finishes the table write with the same key; once
 * both exist nothing changes (an update or a second deploy keeps the key).
 */
import { accessKeyId, secretAccessKey } from '../core/iam/identifiers.js';
import type { Clock, CredentialSecret, CredentialStore, IdentityStore, IdSource, KeyMaterial } from '../core/ports/index.js';
import { secretAad } from '../authn/stored-credentials.js';

export interface FirstCredentialParts {
  readonly accountId: string;
  readonly store: CredentialStore;
  readonly identities: Pick<IdentityStore, 'putAccount'>;
  readonly material: KeyMaterial;
  readonly clock: Clock;
  readonly ids: IdSource;
  readonly secret: CredentialSecret;
}

/** Makes (or finishes making) the account root's first access key; returns its ID. */
export async function ensureFirstCredential(parts: FirstCredentialParts): Promise<string> {
  const { accountId } = parts;
  let credential = await parts.secret.read();
  if (credential === undefined) {
    credential = { accessKeyId: accessKeyId('AKIA', parts.ids.hex64()), secretAccessKey: secretAccessKey(parts.ids.hex64()) };
    await parts.secret.write(credential);
  }
  const stored = await parts.store.getAccessKey(credential.accessKeyId);
  if (stored === undefined) {
    const plain = new TextEncoder().encode(credential.secretAccessKey);
    const sealedSecret = await parts.material.sealSecret(plain, secretAad(credential.accessKeyId));
    plain.fill(0);
    await parts.store.putAccessKey({
      accessKeyId: credential.accessKeyId, sealedSecret, accountId, principalArn: `arn:aws:iam::${accountId}:root`, principalId: accountId,
      status: 'Active', creationDate: parts.clock.now().getTime(),
    });
  } else if (stored.accountId !== accountId || stored.principalArn !== `arn:aws:iam::${accountId}:root`) {
    throw new Error(`access key ${credential.accessKeyId} in the secret belongs to ${stored.principalArn}, not the root of ${accountId}`);
  }
  await parts.identities.putAccount(accountId, parts.clock.now().getTime());
  return credential.accessKeyId;
}
