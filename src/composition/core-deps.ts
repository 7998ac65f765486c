/** Assembles the core's dependencies from a store and a token, the same way in every mode. */
import { CachingStore } from '../adapters/cache/caching-store.js';
import { CachingGrants } from '../adapters/cache/caching-grants.js';
import { CachingIdentityDirectory } from '../adapters/cache/caching-identities.js';
import type {
  AliasStore, AsymmetricKeyMaterial, KeyImport, Clock, CredentialStore, GrantStore, IdSource, IdentityDirectory, IdentityStore, KeyMaterial, KeyStore, KeyUsageLog,
} from '../core/ports/index.js';
import { StoredIdentityDirectory } from '../core/iam/directory.js';
import type { CoreDeps, LifecycleDeps } from '../core/kms/service.js';
import { PolicyAccessControl } from '../core/kms/access/policy-access-control.js';
import { AccountRootsDirectory } from '../adapters/identity/account-roots.js';
import { StoredCredentialResolver } from '../authn/stored-credentials.js';
import { SigV4Verifier } from '../authn/sigv4-verifier.js';

/**
 * Default staleness bound of cached key metadata, aliases and credentials in another process. A
 * key's compiled key policy is cached by the key's revision, so it is exactly as stale as the
 * cached key record: a PutKeyPolicy made through another process takes effect here within this
 * bound; in the process that made it, at once.
 */
export const DEFAULT_CACHE_TTL_MS = 5_000;

export interface RuntimeParts {
  readonly store: KeyStore & AliasStore & GrantStore & CredentialStore;
  readonly material: KeyMaterial;
  readonly asymmetric: AsymmetricKeyMaterial;
  /** Importing key material, where this process holds the token. */
  readonly keyImport?: KeyImport;
  /** The real clock: SigV4 signing times, cache lifetimes. */
  readonly clock: Clock;
  /** The core's clock for key lifecycle dates; `clock` unless local mode moves it (`--clock-offset`). */
  readonly lifecycleClock?: Clock;
  readonly ids: IdSource;
  /** The key lifecycle's scheduler and key removal, where this mode runs one. */
  readonly lifecycle?: LifecycleDeps;
  readonly cacheTtlMs: number;
  /**
   * The IAM users, roles and policies of the served accounts: the callers' IAM policies, the users
   * behind IAM user access keys, and the principals key policies may name. Without one, the served
   * accounts' roots are the only identities (an account is served when its root has an access key).
   */
  readonly identityStore?: IdentityStore;
  /** VPC endpoint policies (JSON text) by endpoint ID; an endpoint without one allows full access. */
  readonly endpointPolicies?: ReadonlyMap<string, string>;
  /** Overrides `cacheTtlMs` for key metadata and aliases, and bounds those caches (local mode). */
  readonly keyCache?: { readonly ttlMs: number; readonly maxEntries: number };
  /** Replaces the directory the authorizer asks (an embedder's own identities, such as the benchmark's). */
  readonly identities?: IdentityDirectory;
  /** Each key's last cryptographic use (GetKeyLastUsage); without it the operation is not offered. */
  readonly usage?: KeyUsageLog;
}

/** The identity directory of a deployment without IAM identities: the roots of the accounts with root access keys. */
export function accountRootsOf(store: CredentialStore): IdentityDirectory {
  return new AccountRootsDirectory(async (accountId) => (await store.listAccessKeys(`arn:aws:iam::${accountId}:root`)).length > 0);
}

export interface AssembledCore {
  readonly core: CoreDeps;
  readonly verifier: SigV4Verifier;
  readonly credentials: StoredCredentialResolver;
  /** Drops every cached identity lookup: call it after a write to users, roles or IAM policies made in this process. */
  readonly identitiesChanged: () => void;
}

export function assembleCore(parts: RuntimeParts): AssembledCore {
  const cached = new CachingStore({ keys: parts.store, aliases: parts.store, clock: parts.clock, ttlMs: parts.cacheTtlMs, ...parts.keyCache });
  // The grant operations write through it, and authorization looks grants up through it.
  const grants = new CachingGrants({ store: parts.store, clock: parts.clock, ttlMs: parts.cacheTtlMs });
  // The callers' IAM policies, cached like keys: in one process `identitiesChanged` drops them after
  // every IAM write; elsewhere an IAM change reaches authorization within the cache TTL.
  const identities = new CachingIdentityDirectory({
    directory: parts.identities ?? (parts.identityStore === undefined ? accountRootsOf(parts.store) : new StoredIdentityDirectory(parts.identityStore)),
    clock: parts.clock,
    ttlMs: parts.cacheTtlMs,
  });
  const access = new PolicyAccessControl({
    identities,
    grants,
    ...(parts.endpointPolicies === undefined ? {} : { endpointPolicies: parts.endpointPolicies }),
  });
  const core: CoreDeps = {
    keys: cached, aliases: cached, grants, material: parts.material, asymmetric: parts.asymmetric, ...(parts.keyImport === undefined ? {} : { keyImport: parts.keyImport }), clock: parts.lifecycleClock ?? parts.clock, ids: parts.ids, access,
    ...(parts.lifecycle === undefined ? {} : { lifecycle: parts.lifecycle }),
    ...(parts.usage === undefined ? {} : { usage: parts.usage }),
  };
  const credentials = new StoredCredentialResolver({
    store: parts.store, material: parts.material, clock: parts.clock, ttlMs: parts.cacheTtlMs,
    ...(parts.identityStore === undefined ? {} : { identities: parts.identityStore }),
  });
  const identitiesChanged = (): void => {
    identities.forgetAll();
    credentials.forgetAll();
  };
  return { core, verifier: new SigV4Verifier({ credentials, clock: parts.clock }), credentials, identitiesChanged };
}

export function cacheTtlFromEnv(env: NodeJS.ProcessEnv): number {
  const value = Number(env['KMS_CACHE_TTL_MS']);
  return Number.isFinite(value) && value >= 0 && env['KMS_CACHE_TTL_MS'] !== undefined ? value : DEFAULT_CACHE_TTL_MS;
}
