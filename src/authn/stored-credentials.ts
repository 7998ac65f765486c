/**
 * Resolves access keys from the table. Secrets are stored sealed under the token's root key and
 * opened here; opened secrets are cached in memory for a bounded time so the hot path does not
 * read the table on every request. Unknown (and inactive) access key IDs are remembered too, for
 * the same time, so a caller repeating one costs one table read per TTL, not one per request;
 * that memory is bounded in entries, and IDs that cannot be access key IDs are never looked up.
 */
import type { CredentialStore, KeyMaterial } from '../core/ports/index.js';
import type { Clock } from '../core/ports/index.js';
import type { CredentialResolver, ResolvedCredential } from './sigv4-verifier.js';
import { TtlCache } from '../util/ttl-cache.js';

/** IAM's `accessKeyIdType`: 16 to 128 word characters. Anything else names no stored key. */
const ACCESS_KEY_ID = /^\w{16,128}$/;

/** Default bound of the unknown-ID memory: at most 128 characters each, so about 1 MB. */
export const DEFAULT_MAX_UNKNOWN_ENTRIES = 5_000;

export class StoredCredentialResolver implements CredentialResolver {
  readonly #store: CredentialStore;
  readonly #material: KeyMaterial;
  readonly #cache: TtlCache<string, ResolvedCredential>;
  readonly #unknown: TtlCache<string, true>;

  constructor(options: {
    store: CredentialStore;
    material: KeyMaterial;
    clock: Clock;
    ttlMs: number;
    maxEntries?: number;
    /** How long an unknown access key ID is remembered; defaults to `ttlMs`. */
    unknownTtlMs?: number;
    /** How many unknown access key IDs are remembered at most (least recently used go first). */
    maxUnknownEntries?: number;
  }) {
    this.#store = options.store;
    this.#material = options.material;
    this.#cache = new TtlCache({ ttlMs: options.ttlMs, maxEntries: options.maxEntries ?? 1000, clock: options.clock });
    this.#unknown = new TtlCache({
      ttlMs: options.unknownTtlMs ?? options.ttlMs,
      maxEntries: options.maxUnknownEntries ?? DEFAULT_MAX_UNKNOWN_ENTRIES,
      clock: options.clock,
    });
  }

  async resolve(accessKeyId: string): Promise<ResolvedCredential | undefined> {
    if (!ACCESS_KEY_ID.test(accessKeyId) || this.#unknown.get(accessKeyId) !== undefined) return undefined;
    const resolved = await this.#cache.getOrLoad(accessKeyId, () => this.#load(accessKeyId));
    if (resolved === undefined) this.#unknown.set(accessKeyId, true);
    return resolved;
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
