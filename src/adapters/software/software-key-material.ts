/**
 * Asymmetric key material for the key specs the token has no mechanism for (the "software tier":
 * ML-DSA, Ed25519 with Ed25519ph, SM2), plus the public-key-only operations of every spec and
 * data key pairs.
 *
 * A software-tier private key is generated (or imported) in memory, sealed under the token's
 * sealing key right away, and at rest exists only sealed. Each operation opens it in memory, uses
 * it once and zeroes the buffer. The one exception is pure Ed25519, which signs through an OpenSSL
 * key object kept for at most `KEY_OBJECT_TTL_MS` (OpenSSL clears it when it is freed). What the
 * libraries do underneath (bigint scalars, internal copies) cannot be zeroed from JavaScript: see
 * docs/key-material.md.
 */
import type { KeyObject } from 'node:crypto';
import type {
  DataKeyPairSpec, EncryptionAlgorithmSpec, KeySpec, SigningAlgorithmSpec,
} from '../../models/kms/generated/shapes.js';
import type { AsymmetricKeyMaterial, GeneratedKeyPair, SigningInput, StoredKeyRef } from '../../core/ports/index.js';
import type { AsymmetricKeySpec } from '../../core/kms/keys/key-specs.js';
import {
  InvalidCiphertextException, UnsupportedOperationException, ValidationException,
} from '../../models/kms/generated/errors.js';
import { generateDataKeyPair } from './data-key-pairs.js';
import { checkEd25519Input, ed25519KeyObject, ed25519PureSign, ed25519Verify, ed25519phSign, generateEd25519KeyPair } from './ed25519.js';
import { importEd25519, importMlDsa, importSm2 } from './key-import.js';
import { TtlCache } from '../../util/ttl-cache.js';
import type { Clock } from '../../core/ports/index.js';
import { checkMlDsaInput, generateMlDsaKeyPair, isMlDsaSpec, mlDsaSign, mlDsaVerify } from './ml-dsa.js';
import { sealPrivateKey, withPrivateKey } from './sealed-key.js';
import type { Sealer } from './sealed-key.js';
import { decodeSpki, encodeSpki } from './spki.js';
import type { SoftwareSpkiKind } from './spki.js';
import { Sm2Point, generateSm2KeyPair, privateScalar } from './sm2-curve.js';
import { sm2Decrypt, sm2Encrypt, sm2SharedSecret } from './sm2-encryption.js';
import { checkSm2Input, sm2Sign, sm2Verify } from './sm2-signature.js';
import { say } from '../../core/kms/messages.js';

/** The operations this class offers; the rest of `AsymmetricKeyMaterial` stays with the token. */
export type SoftwareKeyOperations = Pick<AsymmetricKeyMaterial,
  'generateKeyPair' | 'importKeyPair' | 'sign' | 'verify' | 'encryptWithPublicKey' | 'decryptWithPrivateKey' | 'deriveSharedSecret' | 'generateDataKeyPair'>;

/** Key specs whose private keys this class generates and uses. */
export const SOFTWARE_TIER_SPECS: ReadonlySet<KeySpec> = new Set<KeySpec>(['ML_DSA_44', 'ML_DSA_65', 'ML_DSA_87', 'ECC_NIST_EDWARDS25519', 'SM2']);

function spkiKind(spec: KeySpec): SoftwareSpkiKind | undefined {
  if (isMlDsaSpec(spec)) return spec;
  if (spec === 'ECC_NIST_EDWARDS25519') return 'ED25519';
  if (spec === 'SM2') return 'SM2';
  return undefined;
}

function newKeyPair(spec: AsymmetricKeySpec): { readonly privateKey: Uint8Array; readonly publicKey: Uint8Array } {
  if (isMlDsaSpec(spec)) return generateMlDsaKeyPair(spec);
  if (spec === 'ECC_NIST_EDWARDS25519') return generateEd25519KeyPair();
  if (spec === 'SM2') return generateSm2KeyPair();
  throw new UnsupportedOperationException(say('keySpecNotHeld', { keySpec: spec, tier: 'software' }));
}

/** How long an Ed25519 OpenSSL key object stays cached after it was made. */
export const KEY_OBJECT_TTL_MS = 60_000;
const KEY_OBJECT_CACHE_ENTRIES = 1000;

const SYSTEM_CLOCK: Clock = { now: () => new Date() };

function pairFromPkcs8(spec: AsymmetricKeySpec, pkcs8: Uint8Array): { readonly privateKey: Uint8Array; readonly publicKey: Uint8Array } {
  try {
    if (isMlDsaSpec(spec)) return importMlDsa(spec, pkcs8);
    if (spec === 'ECC_NIST_EDWARDS25519') return importEd25519(pkcs8);
    return importSm2(pkcs8);
  } catch {
    throw new ValidationException(say('importedKeyNotPkcs8', { keySpec: spec }));
  }
}

export class SoftwareKeyMaterial implements SoftwareKeyOperations {
  readonly #sealer: Sealer;
  /** Ed25519 key objects by backing key; bounded in number and lifetime. */
  readonly #ed25519Keys: TtlCache<string, KeyObject>;

  constructor(sealer: Sealer, options: { readonly clock?: Clock } = {}) {
    this.#sealer = sealer;
    this.#ed25519Keys = new TtlCache({ ttlMs: KEY_OBJECT_TTL_MS, maxEntries: KEY_OBJECT_CACHE_ENTRIES, clock: options.clock ?? SYSTEM_CLOCK });
  }

  async generateKeyPair(spec: AsymmetricKeySpec): Promise<GeneratedKeyPair> {
    return this.#sealPair(spec, () => newKeyPair(spec));
  }

  /** Imports a PKCS#8 Ed25519, ML-DSA or SM2 private key; the caller zeroes `pkcs8`. */
  async importKeyPair(spec: AsymmetricKeySpec, pkcs8: Uint8Array): Promise<GeneratedKeyPair> {
    return this.#sealPair(spec, () => pairFromPkcs8(spec, pkcs8));
  }

  async #sealPair(spec: AsymmetricKeySpec, make: () => { readonly privateKey: Uint8Array; readonly publicKey: Uint8Array }): Promise<GeneratedKeyPair> {
    const kind = spkiKind(spec);
    if (kind === undefined) throw new UnsupportedOperationException(say('keySpecNotHeld', { keySpec: spec, tier: 'software' }));
    const { privateKey, publicKey } = make();
    try {
      const wrappedMaterial = await sealPrivateKey(this.#sealer, spec, privateKey);
      return { wrappedMaterial, tier: 'software', publicKey: encodeSpki(kind, publicKey) };
    } finally {
      privateKey.fill(0);
    }
  }

  async sign(key: StoredKeyRef, algorithm: SigningAlgorithmSpec, input: SigningInput): Promise<Uint8Array> {
    const spec = this.#softwareSpec(key);
    // Bad input is rejected before the token is asked to open anything.
    if (isMlDsaSpec(spec)) {
      checkMlDsaInput(algorithm, input);
      return withPrivateKey(this.#sealer, spec, key.wrappedMaterial, (secret) => mlDsaSign(spec, secret, algorithm, input));
    }
    if (spec === 'ECC_NIST_EDWARDS25519') {
      if (checkEd25519Input(algorithm, input) === 'prehash') {
        return withPrivateKey(this.#sealer, spec, key.wrappedMaterial, (privateKey) => ed25519phSign(privateKey, input));
      }
      const keyObject = await this.#ed25519Keys.getOrLoad(key.backingKeyId,
        () => withPrivateKey(this.#sealer, spec, key.wrappedMaterial, ed25519KeyObject));
      if (keyObject === undefined) throw new Error('the Ed25519 key object could not be made');
      return ed25519PureSign(keyObject, input);
    }
    checkSm2Input(algorithm, input);
    return withPrivateKey(this.#sealer, spec, key.wrappedMaterial, (scalar) => {
      // Z needs the public key, which the stored reference does not carry: recompute it.
      const publicKey = Sm2Point.BASE.multiply(privateScalar(scalar)).toBytes(false);
      return sm2Sign(scalar, publicKey, algorithm, input);
    });
  }

  async verify(
    key: StoredKeyRef & { readonly publicKey: Uint8Array }, algorithm: SigningAlgorithmSpec, input: SigningInput, signature: Uint8Array,
  ): Promise<boolean> {
    const kind = spkiKind(this.#softwareSpec(key));
    if (kind === undefined) return false;
    const publicKey = decodeSpki(kind, key.publicKey);
    if (isMlDsaSpec(kind)) return mlDsaVerify(kind, publicKey, algorithm, input, signature);
    if (kind === 'ED25519') return ed25519Verify(publicKey, algorithm, input, signature);
    return sm2Verify(publicKey, algorithm, input, signature);
  }

  async encryptWithPublicKey(
    keySpec: AsymmetricKeySpec, publicKey: Uint8Array, algorithm: EncryptionAlgorithmSpec, plaintext: Uint8Array,
  ): Promise<Uint8Array> {
    if (keySpec === 'SM2' && algorithm === 'SM2PKE') return sm2Encrypt(decodeSpki('SM2', publicKey), plaintext);
    throw new ValidationException(say('algorithmIncompatible', { algorithm, keySpec }));
  }

  async decryptWithPrivateKey(key: StoredKeyRef, algorithm: EncryptionAlgorithmSpec, ciphertext: Uint8Array): Promise<Uint8Array> {
    const spec = this.#softwareSpec(key);
    if (spec !== 'SM2' || algorithm !== 'SM2PKE') {
      throw new ValidationException(say('algorithmIncompatible', { algorithm, keySpec: spec }));
    }
    const plaintext = await withPrivateKey(this.#sealer, spec, key.wrappedMaterial, (scalar) => sm2Decrypt(scalar, ciphertext));
    if (plaintext === undefined) throw new InvalidCiphertextException('', { reason: 'The SM2PKE ciphertext does not decrypt under this key.' });
    return plaintext;
  }

  async deriveSharedSecret(key: StoredKeyRef, peerPublicKey: Uint8Array): Promise<Uint8Array> {
    const spec = this.#softwareSpec(key);
    if (spec !== 'SM2') throw new ValidationException(say('keySpecNotServed', { keySpec: spec, operation: 'derive a shared secret', tier: 'software' }));
    let peerPoint: Uint8Array;
    try {
      peerPoint = decodeSpki('SM2', peerPublicKey);
      Sm2Point.fromBytes(peerPoint).assertValidity();
    } catch {
      throw new ValidationException('', { reason: 'The public key is not a valid DER-encoded SM2 SubjectPublicKeyInfo.' });
    }
    return withPrivateKey(this.#sealer, spec, key.wrappedMaterial, (scalar) => sm2SharedSecret(scalar, peerPoint));
  }

  async generateDataKeyPair(spec: DataKeyPairSpec): Promise<{ readonly privateKey: Uint8Array; readonly publicKey: Uint8Array }> {
    return generateDataKeyPair(spec);
  }

  /** The key's spec, provided it is a software-tier key (anything else was routed here by mistake). */
  #softwareSpec(key: StoredKeyRef): KeySpec {
    if (key.tier !== 'software' || !SOFTWARE_TIER_SPECS.has(key.keySpec)) {
      throw new UnsupportedOperationException(say('keySpecNotHeld', { keySpec: key.keySpec, tier: 'software' }));
    }
    return key.keySpec;
  }
}
