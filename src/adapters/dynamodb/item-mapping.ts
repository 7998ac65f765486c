/**
 * Records to DynamoDB items and back. Items repeat every record field besides the key attributes,
 * so reading never parses `pk`/`sk`, and a `type` attribute tells the kinds apart in exports.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { KeySpec, KeyState, KeyUsageType, OriginType, RotationType } from '../../models/kms/generated/shapes.js';
import type { AliasRecord, BackingKeyRecord, ImportedMaterialTerms, KeyRecord, TagRecord, MaterialTier } from '../../core/kms/records.js';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { AccessKeyRecord, StoredSession } from '../../core/iam/records.js';
import type { StoredGrant } from '../../core/kms/grants/stored-grant.js';
import { GrantOperationValues, type GrantOperation } from '../../models/kms/generated/shapes.js';
import { lifecycleDueAt } from '../../core/kms/lifecycle/due-dates.js';
import type { KeyListing } from '../../core/ports/index.js';
import { KEY_LIST_INDEX } from './table-definition.js';
import {
  accessKeyKey,
  aliasIndexSortKey,
  aliasKey,
  backingKeyKey,
  dueIndexKey,
  grantKey,
  indexKey,
  keyListIndexKey,
  keyMetadataKey,
  keyPartition,
  principalPartition,
  retirableSortKey,
  retiringPartition,
} from './item-keys.js';

export type Item = Record<string, AttributeValue>;

export function keyToItem(key: KeyRecord): Item {
  const dueAt = lifecycleDueAt(key);
  return {
    ...keyMetadataKey(key.accountId, key.region, key.keyId),
    ...keyListIndexKey(key.accountId, key.region, key.keyId),
    // Written with the metadata it derives from, so no crash separates a state change from its due date.
    ...(dueAt === undefined ? {} : dueIndexKey(dueAt, key.accountId, key.region, key.keyId)),
    type: { S: 'Key' },
    keyId: { S: key.keyId },
    arn: { S: key.arn },
    accountId: { S: key.accountId },
    region: { S: key.region },
    description: { S: key.description },
    keySpec: { S: key.keySpec },
    keyUsage: { S: key.keyUsage },
    origin: { S: key.origin },
    keyState: { S: key.keyState },
    creationDate: num(key.creationDate),
    ...(key.deletionDate === undefined ? {} : { deletionDate: num(key.deletionDate) }),
    currentBackingKeyId: { S: key.currentBackingKeyId },
    tags: { L: key.tags.map((tag) => ({ M: { tagKey: { S: tag.tagKey }, tagValue: { S: tag.tagValue } } })) },
    multiRegion: { BOOL: key.multiRegion },
    policy: { S: key.policy },
    ...(key.rotation === undefined ? {} : {
      rotation: { M: { periodDays: num(key.rotation.periodDays), nextRotationDate: num(key.rotation.nextRotationDate) } },
    }),
    ...(key.onDemandRotationStartDate === undefined ? {} : { onDemandRotationStartDate: num(key.onDemandRotationStartDate) }),
    ...(key.onDemandRotations === undefined ? {} : { onDemandRotations: num(key.onDemandRotations) }),
    ...(key.importedMaterial === undefined ? {} : { importedMaterial: termsToAttribute(key.importedMaterial) }),
    ...(key.pendingImportedMaterial === undefined ? {} : {
      pendingImportedMaterial: { M: {
        keyMaterialId: { S: key.pendingImportedMaterial.keyMaterialId }, terms: termsToAttribute(key.pendingImportedMaterial.terms),
      } },
    }),
    revision: num(key.revision),
  };
}

export function itemToKey(item: Item): KeyRecord {
  const deletionDate = optionalNumber(item, 'deletionDate');
  const onDemandRotationStartDate = optionalNumber(item, 'onDemandRotationStartDate');
  const onDemandRotations = optionalNumber(item, 'onDemandRotations');
  const rotation = item['rotation']?.M;
  return {
    keyId: string(item, 'keyId'),
    arn: string(item, 'arn'),
    accountId: string(item, 'accountId'),
    region: string(item, 'region'),
    description: string(item, 'description'),
    // The store only reads back what keyToItem wrote from typed records.
    keySpec: string(item, 'keySpec') as KeySpec,
    keyUsage: string(item, 'keyUsage') as KeyUsageType,
    origin: string(item, 'origin') as OriginType,
    keyState: string(item, 'keyState') as KeyState,
    creationDate: number(item, 'creationDate'),
    ...(deletionDate === undefined ? {} : { deletionDate }),
    currentBackingKeyId: string(item, 'currentBackingKeyId'),
    tags: list(item, 'tags').map(itemToTag),
    multiRegion: boolean(item, 'multiRegion'),
    policy: string(item, 'policy'),
    ...(rotation === undefined ? {} : { rotation: { periodDays: number(rotation, 'periodDays'), nextRotationDate: number(rotation, 'nextRotationDate') } }),
    ...(onDemandRotationStartDate === undefined ? {} : { onDemandRotationStartDate }),
    ...(onDemandRotations === undefined ? {} : { onDemandRotations }),
    ...optionalImportedMaterial(item),
    revision: number(item, 'revision'),
  };
}

/** A ListKeys index entry (its projection of the key's metadata item) as a listing. */
export function itemToKeyListing(entry: Item): KeyListing {
  const deletionDate = optionalNumber(entry, 'deletionDate');
  return {
    keyId: string(entry, KEY_LIST_INDEX.sortKey),
    keyState: string(entry, 'keyState') as KeyState,
    ...(deletionDate === undefined ? {} : { deletionDate }),
  };
}

export function backingKeyToItem(backingKey: BackingKeyRecord): Item {
  const { accountId, region, keyId, backingKeyId } = backingKey;
  return {
    ...backingKeyKey(accountId, region, keyId, backingKeyId),
    type: { S: 'BackingKey' },
    keyId: { S: keyId },
    accountId: { S: accountId },
    region: { S: region },
    backingKeyId: { S: backingKeyId },
    wrappedMaterial: { B: backingKey.wrappedMaterial },
    creationDate: num(backingKey.creationDate),
    ...(backingKey.tier === undefined ? {} : { tier: { S: backingKey.tier } }),
    ...(backingKey.publicKey === undefined ? {} : { publicKey: { B: backingKey.publicKey } }),
    ...(backingKey.rotation === undefined ? {} : { rotation: { M: { date: num(backingKey.rotation.date), type: { S: backingKey.rotation.type } } } }),
  };
}

export function itemToBackingKey(item: Item): BackingKeyRecord {
  return {
    keyId: string(item, 'keyId'),
    accountId: string(item, 'accountId'),
    region: string(item, 'region'),
    backingKeyId: string(item, 'backingKeyId'),
    wrappedMaterial: binary(item, 'wrappedMaterial'),
    creationDate: number(item, 'creationDate'),
    ...optionalTier(item),
    ...(item['publicKey']?.B === undefined ? {} : { publicKey: binary(item, 'publicKey') }),
    ...optionalRotation(item),
  };
}

function termsToAttribute(terms: ImportedMaterialTerms): AttributeValue {
  return { M: { expirationModel: { S: terms.expirationModel }, ...(terms.validTo === undefined ? {} : { validTo: num(terms.validTo) }) } };
}

function termsOf(terms: Item): ImportedMaterialTerms {
  const expirationModel = string(terms, 'expirationModel');
  if (expirationModel !== 'KEY_MATERIAL_EXPIRES' && expirationModel !== 'KEY_MATERIAL_DOES_NOT_EXPIRE') throw new MalformedItemError('importedMaterial');
  const validTo = optionalNumber(terms, 'validTo');
  return { expirationModel, ...(validTo === undefined ? {} : { validTo }) };
}

function optionalImportedMaterial(item: Item): Pick<KeyRecord, 'importedMaterial' | 'pendingImportedMaterial'> {
  const terms = item['importedMaterial']?.M;
  const pending = item['pendingImportedMaterial']?.M;
  const pendingTerms = pending?.['terms']?.M;
  if (pending !== undefined && pendingTerms === undefined) throw new MalformedItemError('pendingImportedMaterial');
  return {
    ...(terms === undefined ? {} : { importedMaterial: termsOf(terms) }),
    ...(pending === undefined || pendingTerms === undefined ? {} : { pendingImportedMaterial: { keyMaterialId: string(pending, 'keyMaterialId'), terms: termsOf(pendingTerms) } }),
  };
}

function optionalRotation(item: Item): { rotation?: { date: number; type: RotationType } } {
  const rotation = item['rotation']?.M;
  if (rotation === undefined) return {};
  const type = string(rotation, 'type');
  if (type !== 'AUTOMATIC' && type !== 'ON_DEMAND') throw new MalformedItemError('rotation');
  return { rotation: { date: number(rotation, 'date'), type } };
}

function optionalTier(item: Item): { tier?: MaterialTier } {
  const tier = item['tier']?.S;
  if (tier === undefined) return {};
  if (tier !== 'token' && tier !== 'software') throw new Error(`backing key item has an unknown tier '${tier}'`);
  return { tier };
}

export function aliasToItem(alias: AliasRecord): Item {
  const { accountId, region, aliasName, targetKeyId } = alias;
  return {
    ...aliasKey(accountId, region, aliasName),
    ...indexKey(keyPartition(accountId, region, targetKeyId), aliasIndexSortKey(aliasName)),
    type: { S: 'Alias' },
    aliasName: { S: aliasName },
    accountId: { S: accountId },
    region: { S: region },
    targetKeyId: { S: targetKeyId },
    creationDate: num(alias.creationDate),
    lastUpdatedDate: num(alias.lastUpdatedDate),
  };
}

export function itemToAlias(item: Item): AliasRecord {
  return {
    aliasName: string(item, 'aliasName'),
    accountId: string(item, 'accountId'),
    region: string(item, 'region'),
    targetKeyId: string(item, 'targetKeyId'),
    creationDate: number(item, 'creationDate'),
    lastUpdatedDate: number(item, 'lastUpdatedDate'),
  };
}

export function accessKeyToItem(record: AccessKeyRecord): Item {
  return {
    ...accessKeyKey(record.accessKeyId),
    ...indexKey(principalPartition(record.principalArn), record.accessKeyId),
    type: { S: 'AccessKey' },
    accessKeyId: { S: record.accessKeyId },
    sealedSecretIv: { B: record.sealedSecret.iv },
    sealedSecretCiphertext: { B: record.sealedSecret.ciphertext },
    accountId: { S: record.accountId },
    principalArn: { S: record.principalArn },
    principalId: { S: record.principalId },
    status: { S: record.status },
    creationDate: num(record.creationDate),
    ...(record.userName === undefined ? {} : { userName: { S: record.userName } }),
    ...(record.session === undefined ? {} : { session: { M: marshall(record.session, { removeUndefinedValues: true }) } }),
  };
}

export function itemToAccessKey(item: Item): AccessKeyRecord {
  const status = string(item, 'status');
  if (status !== 'Active' && status !== 'Inactive') throw new MalformedItemError('status');
  return {
    accessKeyId: string(item, 'accessKeyId'),
    sealedSecret: { iv: binary(item, 'sealedSecretIv'), ciphertext: binary(item, 'sealedSecretCiphertext') },
    accountId: string(item, 'accountId'),
    principalArn: string(item, 'principalArn'),
    principalId: string(item, 'principalId'),
    status,
    creationDate: number(item, 'creationDate'),
    ...(item['userName']?.S === undefined ? {} : { userName: item['userName'].S }),
    ...(item['session']?.M === undefined ? {} : { session: sessionOf(item['session'].M) }),
  };
}

export function grantToItem(grant: StoredGrant): Item {
  const { accountId, region, keyId, grantId } = grant;
  const equals = grant.constraints?.encryptionContextEquals;
  const subset = grant.constraints?.encryptionContextSubset;
  return {
    ...grantKey(accountId, region, keyId, grantId),
    ...(grant.retiringPrincipal === undefined
      ? {}
      : indexKey(retiringPartition(region, grant.retiringPrincipal), retirableSortKey(accountId, keyId, grantId))),
    type: { S: 'Grant' },
    grantId: { S: grantId },
    accountId: { S: accountId },
    region: { S: region },
    keyId: { S: keyId },
    keyArn: { S: grant.keyArn },
    granteePrincipal: { S: grant.granteePrincipal },
    ...(grant.retiringPrincipal === undefined ? {} : { retiringPrincipal: { S: grant.retiringPrincipal } }),
    issuingAccount: { S: grant.issuingAccount },
    operations: { L: grant.operations.map((operation) => ({ S: operation })) },
    ...(equals === undefined ? {} : { encryptionContextEquals: contextToMap(equals) }),
    ...(subset === undefined ? {} : { encryptionContextSubset: contextToMap(subset) }),
    ...(grant.name === undefined ? {} : { name: { S: grant.name } }),
    creationDate: num(grant.creationDate),
    tokenSecret: { S: grant.tokenSecret },
  };
}

const GRANT_OPERATIONS: ReadonlySet<string> = new Set(GrantOperationValues);
const TOKEN_SECRET = /^[0-9a-f]{64}$/;

export function itemToGrant(item: Item): StoredGrant {
  const operations = list(item, 'operations').map((value) => {
    if (value.S === undefined || !GRANT_OPERATIONS.has(value.S)) throw new MalformedItemError('operations');
    return value.S as GrantOperation;
  });
  const tokenSecret = string(item, 'tokenSecret');
  if (!TOKEN_SECRET.test(tokenSecret)) throw new MalformedItemError('tokenSecret');
  const equals = optionalContext(item, 'encryptionContextEquals');
  const subset = optionalContext(item, 'encryptionContextSubset');
  const retiringPrincipal = item['retiringPrincipal']?.S;
  const name = item['name']?.S;
  return {
    grantId: string(item, 'grantId'),
    accountId: string(item, 'accountId'),
    region: string(item, 'region'),
    keyId: string(item, 'keyId'),
    keyArn: string(item, 'keyArn'),
    granteePrincipal: string(item, 'granteePrincipal'),
    ...(retiringPrincipal === undefined ? {} : { retiringPrincipal }),
    issuingAccount: string(item, 'issuingAccount'),
    operations,
    ...(equals === undefined && subset === undefined ? {} : {
      constraints: { ...(equals === undefined ? {} : { encryptionContextEquals: equals }), ...(subset === undefined ? {} : { encryptionContextSubset: subset }) },
    }),
    ...(name === undefined ? {} : { name }),
    creationDate: number(item, 'creationDate'),
    tokenSecret,
  };
}

function contextToMap(context: Readonly<Record<string, string>>): AttributeValue {
  return { M: Object.fromEntries(Object.entries(context).map(([k, v]) => [k, { S: v }])) };
}

function optionalContext(item: Item, name: string): Record<string, string> | undefined {
  const value = item[name];
  if (value === undefined) return undefined;
  if (value.M === undefined) throw new MalformedItemError(name);
  return Object.fromEntries(Object.entries(value.M).map(([k, v]) => {
    if (v.S === undefined) throw new MalformedItemError(name);
    return [k, v.S];
  }));
}

function sessionOf(map: Record<string, AttributeValue>): StoredSession {
  const session = unmarshall(map) as StoredSession;
  for (const name of ['tokenHash', 'roleArn', 'roleName', 'roleId', 'sessionName', 'assumedBy'] as const) {
    if (typeof session[name] !== 'string') throw new MalformedItemError(`session.${name}`);
  }
  if (typeof session.expiresAt !== 'number' || typeof session.issuedAt !== 'number' || !Array.isArray(session.tags)) throw new MalformedItemError('session');
  return session;
}

/** A stored item lacks an attribute or has the wrong type: a bug or a foreign writer, never the caller's fault. */
export class MalformedItemError extends Error {
  constructor(attribute: string) {
    super(`Stored item has a missing or malformed attribute '${attribute}'.`);
  }
}

function itemToTag(value: AttributeValue): TagRecord {
  if (value.M === undefined) throw new MalformedItemError('tags');
  return { tagKey: string(value.M, 'tagKey'), tagValue: string(value.M, 'tagValue') };
}

function num(value: number): AttributeValue {
  return { N: String(value) };
}

function string(item: Item, name: string): string {
  const value = item[name]?.S;
  if (value === undefined) throw new MalformedItemError(name);
  return value;
}

function number(item: Item, name: string): number {
  const value = optionalNumber(item, name);
  if (value === undefined) throw new MalformedItemError(name);
  return value;
}

function optionalNumber(item: Item, name: string): number | undefined {
  const text = item[name]?.N;
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isFinite(value)) throw new MalformedItemError(name);
  return value;
}

function boolean(item: Item, name: string): boolean {
  const value = item[name]?.BOOL;
  if (value === undefined) throw new MalformedItemError(name);
  return value;
}

function binary(item: Item, name: string): Uint8Array {
  const value = item[name]?.B;
  if (value === undefined) throw new MalformedItemError(name);
  return value;
}

function list(item: Item, name: string): AttributeValue[] {
  const value = item[name]?.L;
  if (value === undefined) throw new MalformedItemError(name);
  return value;
}
