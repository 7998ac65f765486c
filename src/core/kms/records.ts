/** Stored shapes of KMS keys, backing keys and aliases. Timestamps are epoch milliseconds. */
import type { KeySpec, KeyState, KeyUsageType, OriginType } from '../../models/kms/generated/shapes.js';

export interface TagRecord {
  readonly tagKey: string;
  readonly tagValue: string;
}

export interface KeyRecord {
  readonly keyId: string;
  readonly arn: string;
  readonly accountId: string;
  readonly region: string;
  readonly description: string;
  readonly keySpec: KeySpec;
  readonly keyUsage: KeyUsageType;
  readonly origin: OriginType;
  readonly keyState: KeyState;
  readonly creationDate: number;
  /** Set while the key is PendingDeletion. */
  readonly deletionDate?: number;
  /** The backing key version new ciphertexts are made with. */
  readonly currentBackingKeyId: string;
  readonly tags: readonly TagRecord[];
  readonly multiRegion: boolean;
  /** The key policy document (JSON text); the default key policy unless CreateKey named one. */
  readonly policy: string;
  /** Optimistic-concurrency counter, incremented by every metadata write. */
  readonly revision: number;
}

/** Where a key's private or secret material is used: inside the token, or in memory (see ports.ts). */
export type MaterialTier = 'token' | 'software';

export interface BackingKeyRecord {
  readonly keyId: string;
  readonly accountId: string;
  readonly region: string;
  readonly backingKeyId: string;
  /** Key material wrapped (or, for the software tier, sealed) under the token's root key. */
  readonly wrappedMaterial: Uint8Array;
  readonly creationDate: number;
  /** Absent for symmetric encryption keys, which always live in the token. */
  readonly tier?: MaterialTier;
  /** DER SubjectPublicKeyInfo of an asymmetric key. */
  readonly publicKey?: Uint8Array;
}

export interface AliasRecord {
  readonly aliasName: string;
  readonly accountId: string;
  readonly region: string;
  readonly targetKeyId: string;
  readonly creationDate: number;
  readonly lastUpdatedDate: number;
}
