/**
 * The seams between the pure core and the outside world. Every adapter (DynamoDB, PKCS#11,
 * clock, audit, scheduler) implements one of these small structural interfaces; the core
 * never imports an SDK, a PKCS#11 binding or an HTTP module.
 */
import type { AuditEvent } from './audit-event.js';
import type { AliasRecord, BackingKeyRecord, KeyRecord, AccessKeyRecord, MaterialTier } from './records.js';
import type {
  DataKeyPairSpec, EncryptionAlgorithmSpec, KeySpec, MacAlgorithmSpec, MessageType, SigningAlgorithmSpec,
} from './generated/shapes.js';
import type { AsymmetricKeySpec, HmacKeySpec } from './keys/key-specs.js';

/** One page of a listing; `nextMarker` is an opaque continuation token owned by the store. */
export interface Page<T> {
  readonly items: readonly T[];
  readonly nextMarker?: string;
}

export interface PageRequest {
  /** Maximum number of items to return (already validated by the caller). */
  readonly limit: number;
  /** A marker previously returned as `nextMarker`; the store throws `InvalidMarkerException` when it cannot read it. */
  readonly marker?: string;
}

/** Identifies one KMS key: keys are scoped by account and Region. */
export interface KeyLocator {
  readonly accountId: string;
  readonly region: string;
  readonly keyId: string;
}

/**
 * Persistence of keys and their backing key versions.
 * Multi-item changes are atomic: a crash never leaves a half-made key.
 */
export interface KeyStore {
  /** Writes the key and its first backing key atomically; fails if the key ID exists. */
  createKey(key: KeyRecord, backingKey: BackingKeyRecord): Promise<void>;
  getKey(locator: KeyLocator): Promise<KeyRecord | undefined>;
  /**
   * Replaces the key's metadata when the stored `revision` still equals `expectedRevision`;
   * the written record carries `key.revision` (normally `expectedRevision + 1`).
   * Throws `ConflictException` when another writer got there first.
   */
  updateKey(key: KeyRecord, expectedRevision: number): Promise<void>;
  listKeys(accountId: string, region: string, page: PageRequest): Promise<Page<KeyRecord>>;
  getBackingKey(locator: KeyLocator, backingKeyId: string): Promise<BackingKeyRecord | undefined>;
}

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

/** Persistence of access keys used to verify SigV4 signatures. */
export interface CredentialStore {
  /** Fails with `AlreadyExistsException` if the access key ID exists. */
  putAccessKey(record: AccessKeyRecord): Promise<void>;
  getAccessKey(accessKeyId: string): Promise<AccessKeyRecord | undefined>;
  /** Access keys belonging to one principal ARN. */
  listAccessKeys(principalArn: string): Promise<readonly AccessKeyRecord[]>;
}

/** A backing key as the token adapter needs it: its identity and its wrapped bytes. */
export interface WrappedKeyRef {
  /** Stable identifier used to cache the unwrapped token handle. */
  readonly backingKeyId: string;
  /** The key material wrapped under the token's root key (opaque to the core). */
  readonly wrappedMaterial: Uint8Array;
}

export interface SealedData {
  readonly iv: Uint8Array;
  /** Ciphertext followed by the 16-byte GCM tag. */
  readonly ciphertext: Uint8Array;
}

/**
 * Cryptographic key material held by a PKCS#11 token. Plaintext key material never leaves the
 * token: backing keys are generated inside it and only leave wrapped under a non-extractable
 * root key that stays in the token.
 */
export interface KeyMaterial {
  /** Generates an AES-256 backing key inside the token and returns it wrapped under the root key. */
  generateSymmetricKey(): Promise<Uint8Array>;
  /** AES-256-GCM inside the token, with a fresh 96-bit IV from the token's RNG. */
  encrypt(key: WrappedKeyRef, plaintext: Uint8Array, aad: Uint8Array): Promise<SealedData>;
  /** Throws `InvalidCiphertextException` when authentication fails. */
  decrypt(key: WrappedKeyRef, sealed: SealedData, aad: Uint8Array): Promise<Uint8Array>;
  /** Random bytes from the token's RNG. */
  generateRandom(length: number): Promise<Uint8Array>;
  /** Seals a secret (e.g. an access key's secret) under the root key with AES-256-GCM. */
  sealSecret(secret: Uint8Array, aad: Uint8Array): Promise<SealedData>;
  /** Opens a secret sealed by `sealSecret`. */
  openSecret(sealed: SealedData, aad: Uint8Array): Promise<Uint8Array>;
}

/** A stored private or secret key, as the key-material adapter needs it. */
export interface StoredKeyRef extends WrappedKeyRef {
  readonly keySpec: KeySpec;
  /** Where the material is used; decided when the key was made. */
  readonly tier: MaterialTier;
}

/** What Sign and Verify operate on: the message, a digest of it, or ML-DSA's external mu. */
export interface SigningInput {
  readonly messageType: MessageType;
  readonly message: Uint8Array;
}

export interface GeneratedKey {
  /** Wrapped (token tier) or sealed (software tier) under the token's root key. */
  readonly wrappedMaterial: Uint8Array;
  readonly tier: MaterialTier;
}

export interface GeneratedKeyPair extends GeneratedKey {
  /** DER-encoded SubjectPublicKeyInfo, as GetPublicKey returns it. */
  readonly publicKey: Uint8Array;
}

/**
 * Asymmetric and HMAC key material. Private and secret keys are generated and used inside the
 * token wherever it has the mechanism (tier `token`: wrapped under the root key at rest); where it
 * lacks one (ML-DSA, Ed25519ph, SM2 on SoftHSM), the key is sealed under the root key at rest and
 * opened only in memory for the one operation (tier `software`).
 */
export interface AsymmetricKeyMaterial {
  /** The tier new keys of `spec` get with this token. */
  tierFor(spec: AsymmetricKeySpec | HmacKeySpec): MaterialTier;
  generateKeyPair(spec: AsymmetricKeySpec): Promise<GeneratedKeyPair>;
  generateMacKey(spec: HmacKeySpec): Promise<GeneratedKey>;
  /**
   * Signs and returns the signature in AWS's wire format (DER for ECDSA and SM2DSA). For DIGEST
   * the message is the digest, signed without hashing it again (RSA PKCS#1 v1.5 adds DigestInfo).
   * Throws `ValidationException` when a digest or external mu has the wrong length.
   */
  sign(key: StoredKeyRef, algorithm: SigningAlgorithmSpec, input: SigningInput): Promise<Uint8Array>;
  /** False for a signature that does not verify, including malformed ones. */
  verify(key: StoredKeyRef & { readonly publicKey: Uint8Array }, algorithm: SigningAlgorithmSpec, input: SigningInput, signature: Uint8Array): Promise<boolean>;
  /** RSAES-OAEP or SM2PKE encryption with the public key. */
  encryptWithPublicKey(keySpec: AsymmetricKeySpec, publicKey: Uint8Array, algorithm: EncryptionAlgorithmSpec, plaintext: Uint8Array): Promise<Uint8Array>;
  /** Throws `InvalidCiphertextException` when the ciphertext does not decrypt. */
  decryptWithPrivateKey(key: StoredKeyRef, algorithm: EncryptionAlgorithmSpec, ciphertext: Uint8Array): Promise<Uint8Array>;
  /** ECDH: the raw shared secret (the x coordinate). Throws `ValidationException` for a bad or wrong-curve public key. */
  deriveSharedSecret(key: StoredKeyRef, peerPublicKey: Uint8Array): Promise<Uint8Array>;
  generateMac(key: StoredKeyRef, algorithm: MacAlgorithmSpec, message: Uint8Array): Promise<Uint8Array>;
  /** A data key pair, returned in the clear by design: PKCS#8 DER private key, SPKI DER public key. */
  generateDataKeyPair(spec: DataKeyPairSpec): Promise<{ readonly privateKey: Uint8Array; readonly publicKey: Uint8Array }>;
}

export interface Clock {
  now(): Date;
}

/** Receives one CloudTrail-shaped event per request. Must never throw into the request path. */
export interface AuditSink {
  record(event: AuditEvent): Promise<void>;
}

/** Random identifiers (key IDs, request IDs, backing key IDs). */
export interface IdSource {
  uuid(): string;
  /** 32 random bytes as 64 lowercase hex characters (backing key version IDs, as AWS shows them). */
  hex64(): string;
}
