/**
 * Resolves access keys from the table. Secrets are stored sealed under the token's root key and
 * opened here; opened secrets are cached in memory for a bounded time so the hot path does not
 * read the table on every request.
 */
import type { CredentialStore, KeyMaterial } from '../core/ports/index.js';
import type { Clock } from '../core/ports/index.js';
import type { CredentialResolver, ResolvedCredential } from './sigv4-verifier.js';
import { TtlCache } from '../util/ttl-cache.js';

export class StoredCredentialResolver implements CredentialResolver {
  readonly #store: CredentialStore;
  readonly #material: KeyMaterial;
  readonly #cache: TtlCache<string, ResolvedCredential>;

  constructor(options: { store: CredentialStore; material: KeyMaterial; clock: Clock; ttlMs: number; maxEntries?: number }) {
    this.#store = options.store;
    this.#material = options.material;
    this.#cache = new TtlCache({ ttlMs: options.ttlMs, maxEntries: options.maxEntries ?? 1000, clock: options.clock });
  }

  resolve(accessKeyId: string): Promise<ResolvedCredential | undefined> {
    return this.#cache.getOrLoad(accessKeyId, () => this.#load(accessKeyId));
  }

  async #load(accessKeyId: string): Promise<ResolvedCredential | undefined> {
    const record = await this.#store.getAccessKey(accessKeyId);
    if (record === undefined || record.status !== 'Active') return undefined;
    const secret = await this.#material.openSecret(record.sealedSecret, secretAad(accessKeyId));
    const resolved: ResolvedCredential = {
      secretAccessKey: new TextDecoder().decode(secret),
      principal: {
        type: record.principalArn.endsWith(':root') ? 'Root' : 'IAMUser',
        accountId: record.accountId,
        arn: record.principalArn,
        principalId: record.principalId,
        accessKeyId,
      },
    };
    secret.fill(0);
    return resolved;
  }
}

/** The additional authenticated data a secret is sealed with: it binds the secret to its key ID. */
export function secretAad(accessKeyId: string): Uint8Array {
  return new TextEncoder().encode(`kms-access-key:${accessKeyId}`);
}
