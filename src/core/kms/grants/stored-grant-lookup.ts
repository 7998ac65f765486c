/**
 * The GrantLookup port over a GrantStore: the grants on a key, and the grants its request's grant
 * tokens name. Both read the table strongly consistently, so a grant is in effect from the moment
 * CreateGrant returns, with or without its token.
 */
import { InvalidGrantTokenException } from '../../../models/kms/generated/errors.js';
import type { GrantRecord } from '../../authz/index.js';
import type { GrantLookup, GrantStore, KeyLocator } from '../../ports/index.js';
import { constantTimeEqual } from '../crypto/constant-time.js';
import { hexToBytes } from '../../encoding.js';
import { keyArn, parseKeyIdentifier } from '../keys/identifiers.js';
import { readGrantToken, type GrantTokenClaims } from './grant-token.js';
import type { StoredGrant } from './stored-grant.js';
import { say } from '../messages.js';

export class StoredGrantLookup implements GrantLookup {
  readonly #store: GrantStore;

  constructor(store: GrantStore) {
    this.#store = store;
  }

  grantsForKey(key: KeyLocator): Promise<readonly GrantRecord[]> {
    return this.#store.allGrants(key);
  }

  async grantsForTokens(tokens: readonly string[], key: KeyLocator): Promise<readonly GrantRecord[]> {
    // Every token is read first, so one that is not ours fails the request whatever the others name.
    const claims = tokens.map(readGrantToken);
    const arn = keyArn(key, key.keyId);
    const grants: GrantRecord[] = [];
    for (const claim of claims) {
      if (claim.keyArn !== arn) continue;
      const grant = await grantOfClaims(this.#store, key, claim);
      if (grant !== undefined && !grants.some((known) => known.grantId === grant.grantId)) grants.push(grant);
    }
    return grants;
  }
}

/**
 * The grant a token names, wherever its key is (RetireGrant takes a token alone), or undefined when
 * the grant is gone. Throws `InvalidGrantTokenException` for a token this service did not issue.
 */
export async function grantOfToken(store: GrantStore, token: string): Promise<StoredGrant | undefined> {
  const claims = readGrantToken(token);
  let key: KeyLocator;
  try {
    const id = parseKeyIdentifier(claims.keyArn, { accountId: '', region: '' }, { allowAliases: false });
    if (id.kind !== 'keyArn') throw new InvalidGrantTokenException(say('invalidGrantToken'));
    key = { accountId: id.accountId, region: id.region, keyId: id.keyId };
  } catch {
    throw new InvalidGrantTokenException(say('invalidGrantToken'));
  }
  return grantOfClaims(store, key, claims);
}

async function grantOfClaims(store: GrantStore, key: KeyLocator, claims: GrantTokenClaims): Promise<StoredGrant | undefined> {
  const grant = await store.getGrant(key, claims.grantId);
  if (grant === undefined) return undefined;
  /* Precondition: a grant token carries the secret of the grant it names. */
  if (!constantTimeEqual(hexToBytes(grant.tokenSecret), hexToBytes(claims.secret))) {
    throw new InvalidGrantTokenException(say('invalidGrantToken'));
  }
  return grant;
}
