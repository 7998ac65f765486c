/** A grant as the table keeps it. Timestamps are epoch milliseconds. */
import type { GrantRecord } from '../../authz/index.js';
import type { KeyLocator } from '../../ports/key-store.js';

export interface StoredGrant extends GrantRecord, KeyLocator {
  readonly creationDate: number;
  /**
   * 64 hex digits drawn when the grant was created. Every grant token of the grant carries them,
   * which is how a token proves that CreateGrant issued it; never returned by a listing.
   */
  readonly tokenSecret: string;
}

/** The account, Region and key ID of the key a grant is for. */
export function keyOfGrant(grant: StoredGrant): KeyLocator {
  return { accountId: grant.accountId, region: grant.region, keyId: grant.keyId };
}
