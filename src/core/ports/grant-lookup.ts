/** What authorization needs to know about grants, whoever stores them. */
import type { GrantRecord } from '../authz/index.js';
import type { KeyLocator } from './key-store.js';

export interface GrantLookup {
  /** Every grant in effect on the key. */
  grantsForKey(key: KeyLocator): Promise<readonly GrantRecord[]>;
  /**
   * The grants that the grant tokens of a request name, when they are grants on `key` (a grant
   * token makes a new grant usable at once). Throws `InvalidGrantTokenException` for a token that
   * is not one this service issued.
   */
  grantsForTokens(tokens: readonly string[], key: KeyLocator): Promise<readonly GrantRecord[]>;
}
