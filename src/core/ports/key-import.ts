/** Importing key material (GetParametersForImport and ImportKeyMaterial): the token's side. */
import type { AlgorithmSpec, KeySpec, WrappingKeySpec } from '../../models/kms/generated/shapes.js';
import type { GeneratedKey } from './asymmetric-key-material.js';

/** The RSA wrapping key pair of one GetParametersForImport answer. */
export interface WrappingKeyPair {
  /** DER SubjectPublicKeyInfo, as GetParametersForImport returns it. */
  readonly publicKey: Uint8Array;
  /** The private key, wrapped under the token's import wrapping key; it can only unwrap. */
  readonly wrappedPrivateKey: Uint8Array;
}

/** ImportKeyMaterial's EncryptedKeyMaterial, with what the import token says about how it was made. */
export interface EncryptedImport {
  readonly wrappingKeySpec: WrappingKeySpec;
  readonly algorithm: AlgorithmSpec;
  readonly wrappedPrivateKey: Uint8Array;
  readonly encryptedKeyMaterial: Uint8Array;
  /** The KMS key the material is for: its ARN (which the fingerprint is bound to) and key spec. */
  readonly keyArn: string;
  readonly keySpec: KeySpec;
}

export interface ImportedMaterial extends GeneratedKey {
  /** DER SubjectPublicKeyInfo, derived in the token from the imported private key (asymmetric keys). */
  readonly publicKey?: Uint8Array;
  /**
   * A SHA-256 digest of the key ARN and the material, equal for the same material imported into
   * the same key and different for any other; it reveals nothing of the material. The KMS key's
   * KeyMaterialId is its hex, which is how a reimport is told from other material.
   */
  readonly fingerprint: Uint8Array;
}

export interface KeyImport {
  /** Generates an RSA key pair of `spec` in the token for one import. */
  generateWrappingKeyPair(spec: WrappingKeySpec): Promise<WrappingKeyPair>;
  /**
   * Unwraps the material inside the token and returns it wrapped under the wrapping key of its
   * class, as a generated key of `keySpec` would be. Throws `InvalidCiphertextException` when it
   * does not decrypt under the wrapping key and `IncorrectKeyMaterialException` when what it holds
   * is not key material of `keySpec`.
   */
  unwrapKeyMaterial(request: EncryptedImport): Promise<ImportedMaterial>;
}
