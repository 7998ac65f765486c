/**
 * Routes asymmetric and HMAC key operations to the tier that holds the key: the PKCS#11 token for
 * the specs whose mechanisms it has, the software tier (keys sealed under the token's sealing key,
 * opened in memory per operation) for the rest. A key's tier is fixed when it is made and stored
 * with it, so a token that later gains a mechanism serves new keys from the token and old keys as
 * before.
 */
import { UnsupportedOperationException } from '../models/kms/generated/errors.js';
import type { DataKeyPairSpec, EncryptionAlgorithmSpec, MacAlgorithmSpec, SigningAlgorithmSpec } from '../models/kms/generated/shapes.js';
import type { AsymmetricKeySpec, HmacKeySpec } from '../core/kms/keys/key-specs.js';
import type { AsymmetricKeyMaterial, GeneratedKey, GeneratedKeyPair, SigningInput, StoredKeyRef } from '../core/ports/index.js';
import type { MaterialTier } from '../core/kms/records.js';
import { say } from '../core/kms/messages.js';

/** What the token tier offers: every operation, for the specs it reports support for. */
export type TokenTier = Omit<AsymmetricKeyMaterial, 'tierFor' | 'generateDataKeyPair'> & {
  tokenSupports(spec: AsymmetricKeySpec | HmacKeySpec): boolean;
};

/** What the software tier offers: asymmetric keys of any spec it knows, and data key pairs. */
export type SoftwareTier = Omit<AsymmetricKeyMaterial, 'tierFor' | 'generateMacKey' | 'importMacKey' | 'generateMac'>;

export class TieredAsymmetricKeyMaterial implements AsymmetricKeyMaterial {
  readonly #token: TokenTier;
  readonly #software: SoftwareTier;

  constructor(token: TokenTier, software: SoftwareTier) {
    this.#token = token;
    this.#software = software;
  }

  tierFor(spec: AsymmetricKeySpec | HmacKeySpec): MaterialTier {
    return this.#token.tokenSupports(spec) ? 'token' : 'software';
  }

  generateKeyPair(spec: AsymmetricKeySpec): Promise<GeneratedKeyPair> {
    return this.tierFor(spec) === 'token' ? this.#token.generateKeyPair(spec) : this.#software.generateKeyPair(spec);
  }

  async generateMacKey(spec: HmacKeySpec): Promise<GeneratedKey> {
    this.#assertMacInToken(spec);
    return this.#token.generateMacKey(spec);
  }

  importKeyPair(spec: AsymmetricKeySpec, pkcs8: Uint8Array): Promise<GeneratedKeyPair> {
    return this.tierFor(spec) === 'token' ? this.#token.importKeyPair(spec, pkcs8) : this.#software.importKeyPair(spec, pkcs8);
  }

  async importMacKey(spec: HmacKeySpec, key: Uint8Array): Promise<GeneratedKey> {
    this.#assertMacInToken(spec);
    return this.#token.importMacKey(spec, key);
  }

  sign(key: StoredKeyRef, algorithm: SigningAlgorithmSpec, input: SigningInput): Promise<Uint8Array> {
    return this.#tierOf(key).sign(key, algorithm, input);
  }

  verify(key: StoredKeyRef & { readonly publicKey: Uint8Array }, algorithm: SigningAlgorithmSpec, input: SigningInput, signature: Uint8Array): Promise<boolean> {
    return this.#tierOf(key).verify(key, algorithm, input, signature);
  }

  encryptWithPublicKey(keySpec: AsymmetricKeySpec, publicKey: Uint8Array, algorithm: EncryptionAlgorithmSpec, plaintext: Uint8Array): Promise<Uint8Array> {
    const tier = algorithm === 'SM2PKE' ? this.#software : this.#token;
    return tier.encryptWithPublicKey(keySpec, publicKey, algorithm, plaintext);
  }

  decryptWithPrivateKey(key: StoredKeyRef, algorithm: EncryptionAlgorithmSpec, ciphertext: Uint8Array): Promise<Uint8Array> {
    return this.#tierOf(key).decryptWithPrivateKey(key, algorithm, ciphertext);
  }

  deriveSharedSecret(key: StoredKeyRef, peerPublicKey: Uint8Array): Promise<Uint8Array> {
    return this.#tierOf(key).deriveSharedSecret(key, peerPublicKey);
  }

  generateMac(key: StoredKeyRef, algorithm: MacAlgorithmSpec, message: Uint8Array): Promise<Uint8Array> {
    return this.#token.generateMac(key, algorithm, message);
  }

  generateDataKeyPair(spec: DataKeyPairSpec): Promise<{ readonly privateKey: Uint8Array; readonly publicKey: Uint8Array }> {
    return this.#software.generateDataKeyPair(spec);
  }

  #assertMacInToken(spec: HmacKeySpec): void {
    if (this.tierFor(spec) !== 'token') {
      throw new UnsupportedOperationException(say('hmacNeedsToken', { keySpec: spec }));
    }
  }

  #tierOf(key: StoredKeyRef): TokenTier | SoftwareTier {
    return key.tier === 'token' ? this.#token : this.#software;
  }
}
