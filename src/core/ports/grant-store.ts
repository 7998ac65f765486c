/** Persistence of grants. */
import type { StoredGrant } from '../kms/grants/stored-grant.js';
import type { KeyLocator } from './key-store.js';
import type { Page, PageRequest } from './paging.js';

/**
 * Persistence of grants. A grant belongs to one key (its account, Region and key ID); grant IDs
 * are unique per key.
 */
export interface GrantStore {
  /**
   * Writes a new grant if its key exists and is not pending deletion (checked in the same
   * transaction). Throws `NotFoundException` / `KMSInvalidStateException` for the key and
   * `AlreadyExistsException` when the grant ID is taken.
   */
  createGrant(grant: StoredGrant): Promise<void>;
  getGrant(key: KeyLocator, grantId: string): Promise<StoredGrant | undefined>;
  /** The key's grants by grant ID; only those whose grantee is `granteePrincipal` when given. */
  listGrants(key: KeyLocator, page: PageRequest & { readonly granteePrincipal?: string }): Promise<Page<StoredGrant>>;
  /** Every grant on the key, strongly consistent (authorization and CreateGrant retries by Name). */
  allGrants(key: KeyLocator): Promise<readonly StoredGrant[]>;
  /** How many grants the key has (the per-key quota). */
  countGrants(key: KeyLocator): Promise<number>;
  /** The grants of keys in `region` (any account) whose retiring principal is `retiringPrincipal`. */
  listRetirableGrants(region: string, retiringPrincipal: string, page: PageRequest): Promise<Page<StoredGrant>>;
  /** Deletes the grant; false when there was none. */
  deleteGrant(key: KeyLocator, grantId: string): Promise<boolean>;
}
