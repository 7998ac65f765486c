/** Asymmetric and HMAC key material. */
import type { MaterialTier } from '../kms/records.js';
import type {
  DataKeyPairSpec, EncryptionAlgorithmSpec, KeySpec, MacAlgorithmSpec, MessageType, SigningAlgorithmSpec,
} from '../../models/kms/generated/shapes.js';
import type { AsymmetricKeySpec, HmacKeySpec } from '../kms/keys/key-specs.js';
import type { WrappedKeyRef } from './key-material.js';

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
  /** Imports a private key of `spec` given as PKCS#8 DER (the caller zeroes it) and returns it as generateKeyPair would have made it. Throws ValidationException when the key is not of `spec`. */
  importKeyPair(spec: AsymmetricKeySpec, pkcs8: Uint8Array): Promise<GeneratedKeyPair>;
  /** Imports an HMAC key of `spec` given in the clear; returns it as generateMacKey would. */
  importMacKey(spec: HmacKeySpec, key: Uint8Array): Promise<GeneratedKey>;
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
