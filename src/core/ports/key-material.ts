/** Symmetric key material in the token. */

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
  /** Imports a 32-byte AES key given in the clear and returns it wrapped under the wrapping key, as generateSymmetricKey does. The caller zeroes `key`. */
  importSymmetricKey(key: Uint8Array): Promise<Uint8Array>;
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
