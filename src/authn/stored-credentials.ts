/**
 * Resolves access keys from the table. Secrets are stored sealed under the token's root key and
 * opened here; opened secrets are cached in memory for a bounded time so the hot path does not
 * read the table on every request. Unknown (and inactive) access key IDs are remembered too, for
 * the same time, so a caller repeating one costs one table read per TTL, not one per request;
 * that memory is bounded in entries, and IDs that cannot be access key IDs are never looked up.
 */
import type { CredentialStore, IdentityStore, KeyMaterial } from '../core/ports/index.js';
import type { AccessKeyRecord } from '../core/iam/records.js';
import type { Principal } from '../core/request-context.js';
import { tagRecord } from '../core/iam/tags.js';
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
  readonly #identities: Pick<IdentityStore, 'getUser'> | undefined;

  constructor(options: {
    store: CredentialStore;
    /** Where the users behind user access keys are read (their name and tags); without it such keys are refused. */
    identities?: Pick<IdentityStore, 'getUser'>;
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
    this.#identities = options.identities;
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

  /** Drops what is cached about `accessKeyId` (it was deactivated or deleted in this process). */
  forget(accessKeyId: string): void {
    this.#cache.delete(accessKeyId);
    this.#unknown.delete(accessKeyId);
  }

  /** Drops every resolved credential (a user's name, tags or existence changed in this process). */
  forgetAll(): void {
    this.#cache.clear();
  }

  async #load(accessKeyId: string): Promise<ResolvedCredential | undefined> {
    const record = await this.#store.getAccessKey(accessKeyId);
    if (record === undefined || record.status !== 'Active') return undefined;
    const principal = await this.#principalOf(record);
    if (principal === undefined) return undefined;
    const secret = await this.#material.openSecret(record.sealedSecret, secretAad(accessKeyId));
    const resolved: ResolvedCredential = {
      secretAccessKey: new TextDecoder().decode(secret),
      principal,
      ...(record.session === undefined ? {} : { session: { tokenHash: record.session.tokenHash, expiresAt: record.session.expiresAt } }),
    };
    secret.fill(0);
    return resolved;
  }

  /** The principal an access key acts as; undefined when its user no longer exists (or is another user by now). */
  async #principalOf(record: AccessKeyRecord): Promise<Principal | undefined> {
    const base = { accountId: record.accountId, arn: record.principalArn, principalId: record.principalId, accessKeyId: record.accessKeyId };
    const { session } = record;
    if (session !== undefined) {
      return {
        ...base,
        type: 'AssumedRole',
        session: {
          roleArn: session.roleArn, roleName: session.roleName, roleId: session.roleId, sessionName: session.sessionName,
          issuedAt: session.issuedAt, expiresAt: session.expiresAt, ...(session.sourceIdentity === undefined ? {} : { sourceIdentity: session.sourceIdentity }),
        },
        tags: tagRecord(session.tags),
      };
    }
    if (record.userName === undefined) return record.principalArn.endsWith(':root') ? { ...base, type: 'Root' } : undefined;
    const user = await this.#identities?.getUser(record.accountId, record.userName);
    if (user === undefined || user.userId !== record.principalId) return undefined;
    return { ...base, type: 'IAMUser', userName: user.userName, tags: tagRecord(user.tags) };
  }
}

/** The additional authenticated data a secret is sealed with: it binds the secret to its key ID. */
export function secretAad(accessKeyId: string): Uint8Array {
  return new TextEncoder().encode(`kms-access-key:${accessKeyId}`);
}
