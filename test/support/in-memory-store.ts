import {
  AlreadyExistsException, ConflictException, InvalidMarkerException, KMSInvalidStateException, NotFoundException,
} from '../../src/models/kms/generated/errors.js';
import type {
  AliasStore, CredentialStore, DueKey, DueWorkIndex, GrantStore, KeyListing, KeyLocator, KeyRemoval, KeyStore, KeyUsageRecord, KeyUsageStore, Page, PageRequest,
  SealedData,
} from '../../src/core/ports/index.js';
import type { StoredGrant } from '../../src/core/kms/grants/stored-grant.js';
import { lifecycleDueAt } from '../../src/core/kms/lifecycle/due-dates.js';
import type { MigrationStore } from '../../src/adapters/pkcs11/legacy-migration.js';
import type { AliasRecord, BackingKeyRecord, KeyRecord } from '../../src/core/kms/records.js';
import type { AccessKeyRecord } from '../../src/core/iam/records.js';
import { say } from '../../src/core/kms/messages.js';

/**
 * The persistence ports held in maps, with the semantics their TSDoc states: conditional create
 * and update, AlreadyExists / NotFound / Conflict errors and opaque paging markers.
 * Records are copied in and out so callers never share state with the store.
 */
export class InMemoryStore implements KeyStore, AliasStore, GrantStore, CredentialStore, MigrationStore, DueWorkIndex, KeyRemoval, KeyUsageStore {
  readonly #keys = new Map<string, KeyRecord>();
  readonly #backingKeys = new Map<string, BackingKeyRecord>();
  readonly #aliases = new Map<string, AliasRecord>();
  readonly #accessKeys = new Map<string, AccessKeyRecord>();
  readonly #grants = new Map<string, StoredGrant>();
  readonly #usages = new Map<string, KeyUsageRecord>();
  #trackingStart: number | undefined;

  async createKey(key: KeyRecord, backingKey: BackingKeyRecord | undefined, olderBackingKeys: readonly BackingKeyRecord[] = []): Promise<void> {
    const id = keyKey(key);
    if (this.#keys.has(id)) throw new AlreadyExistsException(say('keyAlreadyExists', { arn: key.arn }));
    this.#keys.set(id, copy(key));
    for (const version of [...(backingKey === undefined ? [] : [backingKey]), ...olderBackingKeys]) this.#backingKeys.set(`${id}#${version.backingKeyId}`, copy(version));
  }

  /** Test helper: stores a key record as it is (any state), with its backing key when given. */
  putKey(key: KeyRecord, backingKey?: BackingKeyRecord): void {
    this.#keys.set(keyKey(key), copy(key));
    if (backingKey !== undefined) this.#backingKeys.set(`${keyKey(key)}#${backingKey.backingKeyId}`, copy(backingKey));
  }

  async getKey(locator: KeyLocator): Promise<KeyRecord | undefined> {
    const key = this.#keys.get(keyKey(locator));
    return key === undefined ? undefined : copy(key);
  }

  async updateKey(key: KeyRecord, expectedRevision: number): Promise<void> {
    const stored = this.#keys.get(keyKey(key));
    if (stored === undefined) throw new NotFoundException(say('keyDoesNotExist', { arn: key.arn }));
    if (stored.revision !== expectedRevision) throw new ConflictException(say('keyChanged', { arn: key.arn }));
    this.#keys.set(keyKey(key), copy(key));
  }

  async listKeys(accountId: string, region: string, page: PageRequest): Promise<Page<KeyListing>> {
    const keys = [...this.#keys.values()]
      .filter((key) => key.accountId === accountId && key.region === region)
      .sort((a, b) => compare(a.keyId, b.keyId))
      .map(({ keyId, keyState, deletionDate }): KeyListing => (deletionDate === undefined ? { keyId, keyState } : { keyId, keyState, deletionDate }));
    return pageAfter(keys, (key) => key.keyId, page);
  }

  async getBackingKey(locator: KeyLocator, backingKeyId: string): Promise<BackingKeyRecord | undefined> {
    const backingKey = this.#backingKeys.get(`${keyKey(locator)}#${backingKeyId}`);
    return backingKey === undefined ? undefined : copy(backingKey);
  }

  async listBackingKeys(locator: KeyLocator): Promise<readonly BackingKeyRecord[]> {
    const prefix = `${keyKey(locator)}#`;
    return [...this.#backingKeys.entries()].filter(([id]) => id.startsWith(prefix)).map(([, version]) => copy(version));
  }

  async rotateKey(key: KeyRecord, expectedRevision: number, backingKey: BackingKeyRecord): Promise<void> {
    const versionId = `${keyKey(key)}#${backingKey.backingKeyId}`;
    if (this.#backingKeys.has(versionId)) throw new AlreadyExistsException(say('backingKeyExists', { arn: key.arn }));
    await this.updateKey(key, expectedRevision);
    this.#backingKeys.set(versionId, copy(backingKey));
  }

  async deleteKeyMaterial(key: KeyRecord, expectedRevision: number, backingKeyId: string): Promise<void> {
    await this.updateKey(key, expectedRevision);
    this.#backingKeys.delete(`${keyKey(key)}#${backingKeyId}`);
  }

  async putUsages(entries: readonly { readonly locator: KeyLocator; readonly usage: KeyUsageRecord }[]): Promise<void> {
    for (const { locator, usage } of entries) {
      const stored = this.#usages.get(keyKey(locator));
      if (this.#keys.has(keyKey(locator)) && (stored === undefined || stored.timestamp < usage.timestamp)) this.#usages.set(keyKey(locator), { ...usage });
    }
  }

  async getUsage(locator: KeyLocator): Promise<KeyUsageRecord | undefined> {
    const usage = this.#usages.get(keyKey(locator));
    return usage === undefined ? undefined : { ...usage };
  }

  async trackingStart(now: number): Promise<number> {
    this.#trackingStart ??= now;
    return this.#trackingStart;
  }

  async createAlias(alias: AliasRecord): Promise<void> {
    const id = aliasKey(alias.accountId, alias.region, alias.aliasName);
    if (this.#aliases.has(id)) {
      throw new AlreadyExistsException(say('aliasAlreadyExists', { aliasArn: `arn:aws:kms:${alias.region}:${alias.accountId}:${alias.aliasName}` }));
    }
    this.#assertTarget(alias);
    this.#aliases.set(id, copy(alias));
  }

  async getAlias(accountId: string, region: string, aliasName: string): Promise<AliasRecord | undefined> {
    const alias = this.#aliases.get(aliasKey(accountId, region, aliasName));
    return alias === undefined ? undefined : copy(alias);
  }

  async updateAlias(alias: AliasRecord): Promise<void> {
    const id = aliasKey(alias.accountId, alias.region, alias.aliasName);
    if (!this.#aliases.has(id)) throw new NotFoundException(say('aliasNotFound', { aliasArn: `arn:aws:kms:${alias.region}:${alias.accountId}:${alias.aliasName}` }));
    this.#assertTarget(alias);
    this.#aliases.set(id, copy(alias));
  }

  async deleteAlias(accountId: string, region: string, aliasName: string): Promise<void> {
    if (!this.#aliases.delete(aliasKey(accountId, region, aliasName))) {
      throw new NotFoundException(say('aliasNotFound', { aliasArn: `arn:aws:kms:${region}:${accountId}:${aliasName}` }));
    }
  }

  async listAliases(accountId: string, region: string, page: PageRequest & { readonly keyId?: string }): Promise<Page<AliasRecord>> {
    const aliases = [...this.#aliases.values()]
      .filter((alias) => alias.accountId === accountId && alias.region === region)
      .filter((alias) => page.keyId === undefined || alias.targetKeyId === page.keyId)
      .sort((a, b) => compare(a.aliasName, b.aliasName));
    return pageAfter(aliases, (alias) => alias.aliasName, page);
  }

  async createGrant(grant: StoredGrant): Promise<void> {
    this.#assertTarget({ accountId: grant.accountId, region: grant.region, targetKeyId: grant.keyId });
    const id = grantKey(grant, grant.grantId);
    if (this.#grants.has(id)) throw new AlreadyExistsException(say('grantAlreadyExists', { grantId: grant.grantId }));
    this.#grants.set(id, copy(grant));
  }

  async getGrant(key: KeyLocator, grantId: string): Promise<StoredGrant | undefined> {
    const grant = this.#grants.get(grantKey(key, grantId));
    return grant === undefined ? undefined : copy(grant);
  }

  async listGrants(key: KeyLocator, page: PageRequest & { readonly granteePrincipal?: string }): Promise<Page<StoredGrant>> {
    const grants = this.#grantsOf(key).filter((grant) => page.granteePrincipal === undefined || grant.granteePrincipal === page.granteePrincipal);
    return pageAfter(grants, (grant) => grant.grantId, page);
  }

  async allGrants(key: KeyLocator): Promise<readonly StoredGrant[]> {
    return this.#grantsOf(key);
  }

  async countGrants(key: KeyLocator): Promise<number> {
    return this.#grantsOf(key).length;
  }

  async listRetirableGrants(region: string, retiringPrincipal: string, page: PageRequest): Promise<Page<StoredGrant>> {
    const grants = [...this.#grants.values()]
      .filter((grant) => grant.region === region && grant.retiringPrincipal === retiringPrincipal)
      .sort((a, b) => compare(retirableKey(a), retirableKey(b)))
      .map(copy);
    return pageAfter(grants, retirableKey, page);
  }

  async deleteGrant(key: KeyLocator, grantId: string): Promise<boolean> {
    return this.#grants.delete(grantKey(key, grantId));
  }

  /** Test helper: how many grants the store holds in all. */
  grantCount(): number {
    return this.#grants.size;
  }

  #grantsOf(key: KeyLocator): StoredGrant[] {
    return [...this.#grants.values()]
      .filter((grant) => keyKey(grant) === keyKey(key))
      .sort((a, b) => compare(a.grantId, b.grantId))
      .map(copy);
  }

  async putAccessKey(record: AccessKeyRecord): Promise<void> {
    if (this.#accessKeys.has(record.accessKeyId)) throw new AlreadyExistsException(say('accessKeyAlreadyExists', { accessKeyId: record.accessKeyId }));
    this.#accessKeys.set(record.accessKeyId, copy(record));
  }

  async getAccessKey(accessKeyId: string): Promise<AccessKeyRecord | undefined> {
    const record = this.#accessKeys.get(accessKeyId);
    return record === undefined ? undefined : copy(record);
  }

  async listAccessKeys(principalArn: string): Promise<readonly AccessKeyRecord[]> {
    return [...this.#accessKeys.values()].filter((record) => record.principalArn === principalArn).map(copy);
  }

  async scanBackingKeys(page: PageRequest): Promise<Page<BackingKeyRecord>> {
    const entries = [...this.#backingKeys].sort(([a], [b]) => compare(a, b));
    return mapPage(pageAfter(entries, ([id]) => id, page), ([, record]) => copy(record));
  }

  async scanAccessKeys(page: PageRequest): Promise<Page<AccessKeyRecord>> {
    const entries = [...this.#accessKeys].sort(([a], [b]) => compare(a, b));
    return mapPage(pageAfter(entries, ([id]) => id, page), ([, record]) => copy(record));
  }

  async replaceWrappedMaterial(record: BackingKeyRecord, expected: Uint8Array): Promise<boolean> {
    const id = `${keyKey(record)}#${record.backingKeyId}`;
    const stored = this.#backingKeys.get(id);
    if (stored === undefined || !Buffer.from(stored.wrappedMaterial).equals(Buffer.from(expected))) return false;
    this.#backingKeys.set(id, { ...stored, wrappedMaterial: Uint8Array.from(record.wrappedMaterial) });
    return true;
  }

  async replaceSealedSecret(record: AccessKeyRecord, expected: SealedData): Promise<boolean> {
    const stored = this.#accessKeys.get(record.accessKeyId);
    const same = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b));
    if (stored === undefined || !same(stored.sealedSecret.iv, expected.iv) || !same(stored.sealedSecret.ciphertext, expected.ciphertext)) return false;
    this.#accessKeys.set(record.accessKeyId, { ...stored, sealedSecret: copy(record.sealedSecret) });
    return true;
  }

  async dueKeys(until: number): Promise<readonly DueKey[]> {
    return [...this.#keys.values()]
      .flatMap((key) => {
        const dueAt = lifecycleDueAt(key);
        return dueAt === undefined || dueAt > until ? [] : [{ locator: { accountId: key.accountId, region: key.region, keyId: key.keyId }, dueAt }];
      })
      .sort((a, b) => a.dueAt - b.dueAt);
  }

  async removeKey(key: KeyRecord): Promise<boolean> {
    const id = keyKey(key);
    const stored = this.#keys.get(id);
    if (stored === undefined) return true;
    if (stored.keyState !== 'PendingDeletion' || stored.deletionDate !== key.deletionDate) return false;
    for (const [aliasId, alias] of this.#aliases) if (keyKey({ ...alias, keyId: alias.targetKeyId }) === id) this.#aliases.delete(aliasId);
    for (const backingId of this.#backingKeys.keys()) if (backingId.startsWith(`${id}#`)) this.#backingKeys.delete(backingId);
    for (const grant of this.#grantsOf(key)) this.#grants.delete(grantKey(key, grant.grantId));
    this.#usages.delete(id);
    this.#keys.delete(id);
    return true;
  }

  /** Test helper: how many backing key versions the store holds for a key. */
  backingKeyCount(locator: KeyLocator): number {
    return [...this.#backingKeys.keys()].filter((id) => id.startsWith(`${keyKey(locator)}#`)).length;
  }

  #assertTarget(alias: Pick<AliasRecord, 'accountId' | 'region' | 'targetKeyId'>): void {
    const key = this.#keys.get(keyKey({ accountId: alias.accountId, region: alias.region, keyId: alias.targetKeyId }));
    const arn = `arn:aws:kms:${alias.region}:${alias.accountId}:key/${alias.targetKeyId}`;
    if (key === undefined) throw new NotFoundException(say('keyDoesNotExist', { arn }));
    if (key.keyState === 'PendingDeletion') throw new KMSInvalidStateException(say('keyPendingDeletion', { arn }));
  }
}

function keyKey(locator: KeyLocator): string {
  return `${locator.accountId}:${locator.region}:${locator.keyId}`;
}

function grantKey(key: KeyLocator, grantId: string): string {
  return `${keyKey(key)}#${grantId}`;
}

/** Retirable grants sort by account, key and grant ID, as the table's index does. */
function retirableKey(grant: StoredGrant): string {
  return `${grant.accountId}:${grant.keyId}:${grant.grantId}`;
}

function aliasKey(accountId: string, region: string, aliasName: string): string {
  return `${accountId}:${region}:${aliasName}`;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function copy<T>(value: T): T {
  return structuredClone(value);
}

function mapPage<T, U>(page: Page<T>, map: (item: T) => U): Page<U> {
  return page.nextMarker === undefined ? { items: page.items.map(map) } : { items: page.items.map(map), nextMarker: page.nextMarker };
}

/** Pages a sorted list; the marker is the sort key of the last item returned, base64url-encoded. */
function pageAfter<T>(items: readonly T[], sortKey: (item: T) => string, page: PageRequest): Page<T> {
  let start = 0;
  if (page.marker !== undefined) {
    const decoded = Buffer.from(page.marker, 'base64url').toString('utf8');
    if (!decoded.startsWith('after:')) throw new InvalidMarkerException(say('invalidMarker'));
    const after = decoded.slice('after:'.length);
    start = items.findIndex((item) => sortKey(item) > after);
    if (start === -1) start = items.length;
  }
  const slice = items.slice(start, start + page.limit);
  const last = slice.at(-1);
  const more = start + page.limit < items.length && last !== undefined;
  return {
    items: slice,
    ...(more ? { nextMarker: Buffer.from(`after:${sortKey(last)}`).toString('base64url') } : {}),
  };
}
