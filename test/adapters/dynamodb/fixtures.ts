import type { AliasRecord, BackingKeyRecord, KeyRecord } from '../../../src/core/kms/records.js';
import type { AccessKeyRecord } from '../../../src/core/iam/records.js';
import { makeKey as makeCoreKey } from '../../support/core.js';

export const REGION = 'eu-west-1';

let nextAccount = 100_000_000_000;

/** A fresh account per test keeps tests on the shared table independent of each other. */
export function newAccountId(): string {
  nextAccount += 1;
  return String(nextAccount);
}

/** Key IDs that sort in `n` order, as listings return them. */
export function keyIdFor(n: number): string {
  return `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
}

/** The shared key builder, for one account in this file's Region, at revision 0 as a fresh store expects. */
export function makeKey(accountId: string, overrides: Partial<KeyRecord> = {}): KeyRecord {
  return makeCoreKey({ accountId, region: REGION, keyId: keyIdFor(1), currentBackingKeyId: 'a'.repeat(64), revision: 0, ...overrides });
}

export function makeBackingKey(key: KeyRecord, overrides: Partial<BackingKeyRecord> = {}): BackingKeyRecord {
  return {
    keyId: key.keyId,
    accountId: key.accountId,
    region: key.region,
    backingKeyId: key.currentBackingKeyId,
    wrappedMaterial: Uint8Array.from({ length: 40 }, (_, i) => i),
    creationDate: key.creationDate,
    ...overrides,
  };
}

export function makeAlias(key: KeyRecord, aliasName: string, overrides: Partial<AliasRecord> = {}): AliasRecord {
  return {
    aliasName,
    accountId: key.accountId,
    region: key.region,
    targetKeyId: key.keyId,
    creationDate: 1_700_000_000_000,
    lastUpdatedDate: 1_700_000_000_000,
    ...overrides,
  };
}

export function makeAccessKey(accessKeyId: string, overrides: Partial<AccessKeyRecord> = {}): AccessKeyRecord {
  const accountId = overrides.accountId ?? '111122223333';
  return {
    accessKeyId,
    sealedSecret: { iv: new Uint8Array(12).fill(7), ciphertext: new Uint8Array(56).fill(9) },
    accountId,
    principalArn: `arn:aws:iam::${accountId}:root`,
    principalId: accountId,
    status: 'Active',
    creationDate: 1_700_000_000_000,
    ...overrides,
  };
}
