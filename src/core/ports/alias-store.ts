/** Persistence of aliases. */
import type { AliasRecord } from '../kms/records.js';
import type { Page, PageRequest } from './paging.js';

/** Persistence of aliases. Alias names are unique per account and Region. */
export interface AliasStore {
  /**
   * Creates the alias if the name is free and its target key exists and is not pending deletion
   * (checked in the same transaction). Throws `AlreadyExistsException` when the name is taken and
   * `NotFoundException` / `KMSInvalidStateException` for the target key.
   */
  createAlias(alias: AliasRecord): Promise<void>;
  getAlias(accountId: string, region: string, aliasName: string): Promise<AliasRecord | undefined>;
  /** Points an existing alias at another key (target checked in the same transaction). Throws `NotFoundException` if the alias is gone. */
  updateAlias(alias: AliasRecord): Promise<void>;
  /** Throws `NotFoundException` if there is no such alias. */
  deleteAlias(accountId: string, region: string, aliasName: string): Promise<void>;
  /** Aliases of the account and Region, by name; only those pointing at `keyId` when given. */
  listAliases(accountId: string, region: string, page: PageRequest & { readonly keyId?: string }): Promise<Page<AliasRecord>>;
}
