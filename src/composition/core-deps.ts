/** Assembles the core's dependencies from a store and a token, the same way in every mode. */
import { CachingStore } from '../adapters/cache/caching-store.js';
import type { AliasStore, AsymmetricKeyMaterial, Clock, CredentialStore, IdSource, KeyMaterial, KeyStore } from '../core/ports/index.js';
import type { CoreDeps } from '../core/kms/service.js';
import { StoredCredentialResolver } from '../authn/stored-credentials.js';
import { SigV4Verifier } from '../authn/sigv4-verifier.js';

/** Default staleness bound of cached key metadata, aliases and credentials in another process. */
export const DEFAULT_CACHE_TTL_MS = 5_000;

export interface RuntimeParts {
  readonly store: KeyStore & AliasStore & CredentialStore;
  readonly material: KeyMaterial;
  readonly asymmetric: AsymmetricKeyMaterial;
  /** The real clock: SigV4 signing times, cache lifetimes. */
  readonly clock: Clock;
  /** The core's clock for key lifecycle dates; `clock` unless local mode moves it (`--clock-offset`). */
  readonly lifecycleClock?: Clock;
  readonly ids: IdSource;
  readonly cacheTtlMs: number;
}

export function assembleCore(parts: RuntimeParts): { core: CoreDeps; verifier: SigV4Verifier } {
  const cached = new CachingStore({ keys: parts.store, aliases: parts.store, clock: parts.clock, ttlMs: parts.cacheTtlMs });
  const core: CoreDeps = {
    keys: cached, aliases: cached, material: parts.material, asymmetric: parts.asymmetric, clock: parts.lifecycleClock ?? parts.clock, ids: parts.ids,
  };
  const credentials = new StoredCredentialResolver({ store: parts.store, material: parts.material, clock: parts.clock, ttlMs: parts.cacheTtlMs });
  return { core, verifier: new SigV4Verifier({ credentials, clock: parts.clock }) };
}

export function cacheTtlFromEnv(env: NodeJS.ProcessEnv): number {
  const value = Number(env['KMS_CACHE_TTL_MS']);
  return Number.isFinite(value) && value >= 0 && env['KMS_CACHE_TTL_MS'] !== undefined ? value : DEFAULT_CACHE_TTL_MS;
}
