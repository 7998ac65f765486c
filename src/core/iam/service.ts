/** What every IAM and STS operation receives: the adapters behind the ports and the request context. */
import type { Clock, CredentialStore, IdSource, IdentityDirectory, IdentityStore, KeyMaterial } from '../ports/index.js';
import type { RequestContext } from '../request-context.js';

export interface IdentityDeps {
  readonly store: IdentityStore;
  readonly credentials: Pick<CredentialStore, 'getAccessKey' | 'listAccessKeys'>;
  /** Seals new secret access keys (the token's sealing key). */
  readonly material: Pick<KeyMaterial, 'sealSecret'>;
  readonly directory: IdentityDirectory;
  readonly clock: Clock;
  readonly ids: IdSource;
  /** Told when an access key stops being valid, so that cached credentials are dropped at once. */
  readonly credentialsChanged?: (accessKeyId: string) => void;
}

export interface IdentityCall<I> {
  readonly deps: IdentityDeps;
  readonly ctx: RequestContext;
  readonly input: I;
}

export type IdentityHandler<I = Record<string, unknown>> = (call: IdentityCall<I>) => Promise<Record<string, unknown> | undefined>;

/** The additional authenticated data a secret is sealed with: it binds the secret to its key ID (as SigV4 opens it). */
export function accessKeyAad(accessKeyId: string): Uint8Array {
  return new TextEncoder().encode(`kms-access-key:${accessKeyId}`);
}
