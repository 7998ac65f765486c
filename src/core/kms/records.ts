/** Stored shapes of KMS keys, backing keys and aliases. Timestamps are epoch milliseconds. */
import type { ExpirationModelType, KeySpec, KeyState, KeyUsageType, OriginType, RotationType } from '../../models/kms/generated/shapes.js';

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
  /**
   * The backing key version new ciphertexts are made with (its KeyMaterialId). Empty for a key
   * with imported key material (Origin EXTERNAL) that never had any; kept when imported material
   * is deleted or expires, so only the same material can be imported again.
   */
  readonly currentBackingKeyId: string;
  /** The current import of a key with imported key material, while the key has its material. */
  readonly importedMaterial?: ImportedMaterialTerms;
  /**
   * New key material imported into a symmetric key (ImportType NEW_KEY_MATERIAL) that the next
   * RotateKeyOnDemand makes current; its backing key is stored already.
   */
  readonly pendingImportedMaterial?: PendingImportedMaterial;
  readonly tags: readonly TagRecord[];
  readonly multiRegion: boolean;
  /** The key policy document (JSON text); the default key policy unless CreateKey named one. */
  readonly policy: string;
  /** Automatic rotation, while it is enabled (EnableKeyRotation): its period and next date. */
  readonly rotation?: AutomaticRotation;
  /** When a RotateKeyOnDemand was accepted, until the lifecycle has rotated the key. */
  readonly onDemandRotationStartDate?: number;
  /** How many on-demand rotations the key has had or has pending (AWS allows a fixed number). */
  readonly onDemandRotations?: number;
  /** Optimistic-concurrency counter, incremented by every metadata write. */
  readonly revision: number;
}

export interface ImportedMaterialTerms {
  readonly expirationModel: ExpirationModelType;
  /** When the material expires (epoch ms); only with KEY_MATERIAL_EXPIRES. */
  readonly validTo?: number;
}

export interface PendingImportedMaterial {
  readonly keyMaterialId: string;
  /** The terms it was imported with, which apply once it is current. */
  readonly terms: ImportedMaterialTerms;
}

export interface AutomaticRotation {
  /** Days between rotations (90 to 2560). */
  readonly periodDays: number;
  /** When the lifecycle next rotates the key (epoch ms); it only waits while the key is not Enabled. */
  readonly nextRotationDate: number;
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
  /** For material a rotation made: when, and whether automatic or on demand. Absent for the first. */
  readonly rotation?: { readonly date: number; readonly type: RotationType };
}

export interface AliasRecord {
  readonly aliasName: string;
  readonly accountId: string;
  readonly region: string;
  readonly targetKeyId: string;
  readonly creationDate: number;
  readonly lastUpdatedDate: number;
}
