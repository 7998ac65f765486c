/**
 * The token tier of asymmetric and HMAC keys: RSA, NIST and secp256k1 ECC, and HMAC keys generated
 * and used inside the PKCS#11 token. Private and secret keys rest wrapped under the wrapping key of
 * their class of the `Pkcs11KeyMaterial` this is made from; they are unwrapped into sensitive,
 * non-extractable session objects, cached by backing key like the symmetric keys. Specs the token cannot serve (Ed25519,
 * ML-DSA, SM2 on SoftHSM) belong to the software tier and are routed elsewhere.
 *
 * Every PKCS#11 call is synchronous and nothing awaits between an *Init and its completion, so
 * operations on the shared sessions never interleave.
 */
import { EcKdf, MechanismEnum, MechParams, Template } from '../graphene.js';
import type { Session } from 'graphene-pk11';
import { InvalidCiphertextException, KMSInternalException, UnsupportedOperationException, ValidationException } from '../../../models/kms/generated/errors.js';
import type { EncryptionAlgorithmSpec, MacAlgorithmSpec, SigningAlgorithmSpec } from '../../../models/kms/generated/shapes.js';
import { isHmacSpec, type AsymmetricKeySpec, type HmacKeySpec } from '../../../core/kms/keys/key-specs.js';
import type { GeneratedKey, GeneratedKeyPair, SigningInput, StoredKeyRef } from '../../../core/ports/index.js';
import { asBuffer } from '../aes-gcm.js';
import type { Pkcs11KeyMaterial } from '../pkcs11-key-material.js';
import { CURVES, RSA_BITS, isEccSpec, isRsaSpec } from './curves.js';
import { ecdsaDerToRaw, ecdsaRawToDer, wrapEcPoint } from './der.js';
import { generateWrappedMacKey, generateWrappedPair } from './key-generation.js';
import { importWrappedMacKey, importWrappedPair } from './key-import.js';
import { decodeOaep, oaepHash, oaepMechanism, RAW_RSA } from './oaep.js';
import { rsaOaepEncrypt } from './public-encrypt.js';
import { ecPoint, parseSpki, rsaNumbers } from './public-keys.js';
import { digestOf, signingScheme, tokenSigning } from './signing.js';
import { ecPublicKeyTemplate, rsaPublicKeyTemplate, sharedSecretTemplate } from './templates.js';
import type { WrapRole } from '../key-templates.js';
import { say } from '../../../core/kms/messages.js';
import type { Handle, TokenAccess } from './token-access.js';
import { HMAC_SPECS, probeTokenSpecs } from './token-support.js';
import type { TokenSpec } from './token-support.js';
import { isInvalidSignature, isRejectedCiphertext, isUnsupportedParameter } from './token-results.js';

const CKA_VALUE = 0x11;
const MAX_MAC_BYTES = 64;

function keySize(spec: string): number {
  if (isRsaSpec(spec)) return RSA_BITS[spec] / 8;
  if (isEccSpec(spec)) return 2 * CURVES[spec].fieldBytes;
  throw new ValidationException(say('keySpecNotServed', { keySpec: spec, operation: 'sign', tier: 'token' }));
}

export class Pkcs11AsymmetricKeyMaterial {
  readonly #token: TokenAccess;
  readonly #supported: ReadonlySet<TokenSpec>;
  /** Cleared the first time the token refuses OAEP with SHA-256 (SoftHSM 2.6 knows only SHA-1). */
  #oaepSha256InToken = true;

  private constructor(token: TokenAccess) {
    this.#token = token;
    this.#supported = probeTokenSpecs(token);
  }

  /** Shares the sessions, wrapping keys and handle cache of an open `Pkcs11KeyMaterial`; valid until it closes. */
  static create(material: Pkcs11KeyMaterial): Pkcs11AsymmetricKeyMaterial {
    return new Pkcs11AsymmetricKeyMaterial(material.tokenAccess());
  }

  /** Whether keys of `spec` can be generated and used in this token. */
  tokenSupports(spec: AsymmetricKeySpec | HmacKeySpec): boolean {
    return this.#supported.has(spec);
  }

  async generateKeyPair(spec: AsymmetricKeySpec): Promise<GeneratedKeyPair> {
    this.#assertSupported(spec);
    return { ...(await generateWrappedPair(this.#token, spec)), tier: 'token' };
  }

  async generateMacKey(spec: HmacKeySpec): Promise<GeneratedKey> {
    this.#assertSupported(spec);
    return { wrappedMaterial: generateWrappedMacKey(this.#token, spec), tier: 'token' };
  }

  /** Loads a PKCS#8 RSA or EC private key into the token and wraps it as a generated one. The caller zeroes `pkcs8`. */
  async importKeyPair(spec: AsymmetricKeySpec, pkcs8: Uint8Array): Promise<GeneratedKeyPair> {
    this.#assertSupported(spec);
    return { ...importWrappedPair(this.#token, spec, pkcs8), tier: 'token' };
  }

  /** Wraps an HMAC key given in the clear as a generated one. The caller zeroes `key`. */
  async importMacKey(spec: HmacKeySpec, key: Uint8Array): Promise<GeneratedKey> {
    this.#assertSupported(spec);
    return { wrappedMaterial: importWrappedMacKey(this.#token, spec, key), tier: 'token' };
  }

  /** Signs in the token; ECDSA signatures come back DER-encoded as AWS returns them. */
  async sign(key: StoredKeyRef, algorithm: SigningAlgorithmSpec, input: SigningInput): Promise<Uint8Array> {
    const scheme = signingScheme(algorithm, key.keySpec);
    const { mechanism, data } = tokenSigning(scheme, digestOf(algorithm, scheme, input));
    const size = keySize(key.keySpec);
    const handle = this.#privateKey(key);
    const signature = this.#token.crypto((session) => {
      session.lib.C_SignInit(session.handle, mechanism, handle);
      return session.lib.C_Sign(session.handle, data, Buffer.alloc(size));
    }, key.backingKeyId);
    return new Uint8Array(scheme.scheme === 'ecdsa' ? ecdsaRawToDer(signature) : signature);
  }

  /** False for a signature that does not verify, including malformed DER. */
  async verify(
    key: StoredKeyRef & { readonly publicKey: Uint8Array },
    algorithm: SigningAlgorithmSpec,
    input: SigningInput,
    signature: Uint8Array,
  ): Promise<boolean> {
    const scheme = signingScheme(algorithm, key.keySpec);
    const { mechanism, data } = tokenSigning(scheme, digestOf(algorithm, scheme, input));
    const size = keySize(key.keySpec);
    const tokenSignature = scheme.scheme === 'ecdsa' ? ecdsaDerToRaw(signature, size / 2) : Buffer.from(signature);
    if (tokenSignature?.length !== size) return false;
    const handle = this.#publicKey(key);
    return this.#token.crypto((session) => {
      session.lib.C_VerifyInit(session.handle, mechanism, handle);
      try {
        return session.lib.C_Verify(session.handle, data, tokenSignature);
      } catch (error) {
        // C_Verify ends the operation whatever it returns, so the session stays usable.
        if (isInvalidSignature(error)) return false;
        throw error;
      }
    }, `${key.backingKeyId}#public`);
  }

  /** RSAES-OAEP with the public key; nothing secret is involved, so Node does it. */
  async encryptWithPublicKey(keySpec: AsymmetricKeySpec, publicKey: Uint8Array, algorithm: EncryptionAlgorithmSpec, plaintext: Uint8Array): Promise<Uint8Array> {
    if (!isRsaSpec(keySpec)) throw new ValidationException(say('keySpecNotServed', { keySpec, operation: 'encrypt', tier: 'token' }));
    return rsaOaepEncrypt(publicKey, oaepHash(algorithm, keySpec), plaintext);
  }

  /** Throws `InvalidCiphertextException` (empty message) when the ciphertext does not decrypt. */
  async decryptWithPrivateKey(key: StoredKeyRef, algorithm: EncryptionAlgorithmSpec, ciphertext: Uint8Array): Promise<Uint8Array> {
    if (!isRsaSpec(key.keySpec)) throw new ValidationException(say('keySpecNotServed', { keySpec: key.keySpec, operation: 'decrypt', tier: 'token' }));
    const hash = oaepHash(algorithm, key.keySpec);
    const modulusBytes = RSA_BITS[key.keySpec] / 8;
    if (ciphertext.length !== modulusBytes) throw new InvalidCiphertextException('');
    const handle = this.#privateKey(key);
    const plaintext = this.#token.crypto((session) => {
      if (hash === 'sha1' || this.#oaepSha256InToken) {
        if (this.#decryptInit(session, oaepMechanism(hash), handle)) return decryptOnce(session, ciphertext, modulusBytes);
        this.#oaepSha256InToken = false;
      }
      session.lib.C_DecryptInit(session.handle, RAW_RSA, handle);
      return decodeOaep(hash, decryptOnce(session, ciphertext, modulusBytes), modulusBytes);
    }, key.backingKeyId);
    return new Uint8Array(plaintext.buffer, plaintext.byteOffset, plaintext.byteLength);
  }

  /**
   * ECDH (CKM_ECDH1_DERIVE, no KDF): the raw shared secret, the x coordinate in field-size bytes.
   * Throws `ValidationException` when the peer key is not DER SPKI or not on the key's curve.
   */
  async deriveSharedSecret(key: StoredKeyRef, peerPublicKey: Uint8Array): Promise<Uint8Array> {
    if (!isEccSpec(key.keySpec)) throw new ValidationException(say('keySpecNotServed', { keySpec: key.keySpec, operation: 'derive a shared secret', tier: 'token' }));
    const curve = CURVES[key.keySpec];
    const publicData = ecPoint(parseSpki(peerPublicKey), curve);
    const handle = this.#privateKey(key);
    const mechanism = { mechanism: MechanismEnum.ECDH1_DERIVE, parameter: { type: MechParams.EcDH, kdf: EcKdf.NULL, publicData } };
    return this.#token.withObjectSession((session) => {
      const derived = session.lib.C_DeriveKey(session.handle, mechanism, handle, Template.toPkcs11(sharedSecretTemplate()));
      try {
        const [attribute] = session.lib.C_GetAttributeValue(session.handle, derived, [{ type: CKA_VALUE }]);
        const value = attribute?.value;
        if (!Buffer.isBuffer(value) || value.length !== curve.fieldBytes) throw new KMSInternalException(say('internalError'));
        const secret = Uint8Array.from(value);
        value.fill(0);
        return secret;
      } finally {
        this.#token.destroyObject(derived);
      }
    });
  }

  async generateMac(key: StoredKeyRef, algorithm: MacAlgorithmSpec, message: Uint8Array): Promise<Uint8Array> {
    const info = isHmacSpec(key.keySpec) ? HMAC_SPECS[key.keySpec] : undefined;
    if (info?.algorithm !== algorithm) throw new ValidationException(say('algorithmIncompatible', { algorithm, keySpec: key.keySpec }));
    const handle = this.#privateKey(key);
    const mac = this.#token.crypto((session) => {
      session.lib.C_SignInit(session.handle, { mechanism: info.mechanism }, handle);
      const out = Buffer.alloc(MAX_MAC_BYTES);
      // An empty message would reach the token as a NULL pointer; C_SignFinal alone MACs it.
      return message.length === 0 ? session.lib.C_SignFinal(session.handle, out) : session.lib.C_Sign(session.handle, asBuffer(message), out);
    }, key.backingKeyId);
    return new Uint8Array(mac);
  }

  #assertSupported(spec: TokenSpec): void {
    if (!this.#supported.has(spec)) throw new RangeError(`Key spec ${spec} is not served by this token.`);
  }

  /** False when the token refuses the mechanism's parameters (C_DecryptInit leaves nothing active then). */
  #decryptInit(session: Session, mechanism: ReturnType<typeof oaepMechanism>, handle: Handle): boolean {
    try {
      session.lib.C_DecryptInit(session.handle, mechanism, handle);
      return true;
    } catch (error) {
      if (isUnsupportedParameter(error)) return false;
      throw error;
    }
  }

  /** The unwrapped private or secret key, cached by backing key. */
  #privateKey(key: StoredKeyRef): Handle {
    const role: WrapRole | undefined = isRsaSpec(key.keySpec) ? 'rsa'
      : isEccSpec(key.keySpec) ? 'ec'
      : isHmacSpec(key.keySpec) ? 'hmac'
      : undefined;
    if (role === undefined) throw new UnsupportedOperationException(say('keySpecNotHeld', { keySpec: key.keySpec, tier: 'token' }));
    return this.#token.cachedObject(key.backingKeyId, (session) => this.#token.unwrap(session, role, key.wrappedMaterial));
  }

  /** The public key imported as a session object, cached by backing key. */
  #publicKey(key: StoredKeyRef & { readonly publicKey: Uint8Array }): Handle {
    return this.#token.cachedObject(`${key.backingKeyId}#public`, (session) => {
      const parsed = parseSpki(key.publicKey);
      const spec = key.keySpec;
      const template = isEccSpec(spec)
        ? ecPublicKeyTemplate(CURVES[spec], wrapEcPoint(ecPoint(parsed, CURVES[spec])))
        : rsaPublicKeyTemplate(rsaNumbers(parsed));
      return session.create(template).handle;
    });
  }
}

/** One C_Decrypt into a modulus-sized buffer; a refusal means the ciphertext is not ours. */
function decryptOnce(session: Session, ciphertext: Uint8Array, modulusBytes: number): Buffer {
  const out = Buffer.alloc(modulusBytes);
  try {
    return session.lib.C_Decrypt(session.handle, asBuffer(ciphertext), out);
  } catch (error) {
    out.fill(0);
    if (isRejectedCiphertext(error)) throw new InvalidCiphertextException('');
    throw error;
  }
}
