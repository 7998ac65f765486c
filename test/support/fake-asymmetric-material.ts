/**
 * An in-memory stand-in for the asymmetric key material, built on Node's crypto, so core tests
 * run without a token. "Wrapped" material is simply the PKCS#8 (or raw HMAC) bytes; ML-DSA, SM2,
 * Ed25519ph and signing or verifying a DIGEST are outside what this fake offers (it throws).
 */
import type { KeyObject } from 'node:crypto';
import {
  createHash, createHmac, createPrivateKey, createPublicKey, diffieHellman, generateKeyPairSync, privateDecrypt,
  publicEncrypt, randomBytes, sign as nodeSign, verify as nodeVerify, constants,
} from 'node:crypto';
import type { AsymmetricKeyMaterial, GeneratedKey, GeneratedKeyPair, SigningInput, StoredKeyRef } from '../../src/core/ports/index.js';
import type { DataKeyPairSpec, EncryptionAlgorithmSpec, MacAlgorithmSpec, SigningAlgorithmSpec } from '../../src/models/kms/generated/shapes.js';
import type { AsymmetricKeySpec, HmacKeySpec } from '../../src/core/kms/keys/key-specs.js';
import { InvalidCiphertextException, ValidationException } from '../../src/models/kms/generated/errors.js';
import { say } from '../../src/core/kms/messages.js';

const CURVES: Readonly<Record<string, string>> = {
  ECC_NIST_P256: 'prime256v1', ECC_NIST_P384: 'secp384r1', ECC_NIST_P521: 'secp521r1', ECC_SECG_P256K1: 'secp256k1',
};
const HMAC_BYTES: Readonly<Record<HmacKeySpec, number>> = { HMAC_224: 28, HMAC_256: 32, HMAC_384: 48, HMAC_512: 64 };

function generate(spec: AsymmetricKeySpec | DataKeyPairSpec): { privateKey: Uint8Array; publicKey: Uint8Array } {
  const pair = spec.startsWith('RSA_')
    ? generateKeyPairSync('rsa', { modulusLength: Number(spec.slice(4)) })
    : spec === 'ECC_NIST_EDWARDS25519'
      ? generateKeyPairSync('ed25519')
      : generateKeyPairSync('ec', { namedCurve: CURVES[spec] ?? unsupported(spec) });
  return {
    privateKey: new Uint8Array(pair.privateKey.export({ type: 'pkcs8', format: 'der' })),
    publicKey: new Uint8Array(pair.publicKey.export({ type: 'spki', format: 'der' })),
  };
}

function unsupported(what: string): never {
  throw new Error(`${what} is outside what the fake asymmetric material offers`);
}

function hashOf(algorithm: SigningAlgorithmSpec): string {
  return algorithm.endsWith('384') ? 'sha384' : algorithm.endsWith('512') ? 'sha512' : 'sha256';
}

export class FakeAsymmetricMaterial implements AsymmetricKeyMaterial {
  tierFor(): 'token' {
    return 'token';
  }

  async generateKeyPair(spec: AsymmetricKeySpec): Promise<GeneratedKeyPair> {
    const { privateKey, publicKey } = generate(spec);
    return { wrappedMaterial: privateKey, tier: 'token', publicKey };
  }

  async generateMacKey(spec: HmacKeySpec): Promise<GeneratedKey> {
    return { wrappedMaterial: new Uint8Array(randomBytes(HMAC_BYTES[spec])), tier: 'token' };
  }

  async importKeyPair(spec: AsymmetricKeySpec, pkcs8: Uint8Array): Promise<GeneratedKeyPair> {
    let privateKey: KeyObject;
    try {
      privateKey = createPrivateKey({ key: Buffer.from(pkcs8), format: 'der', type: 'pkcs8' });
    } catch {
      throw new ValidationException(say('importedKeyNotPkcs8', { keySpec: spec }));
    }
    const details = privateKey.asymmetricKeyDetails;
    const matches = spec.startsWith('RSA_')
      ? privateKey.asymmetricKeyType === 'rsa' && details?.modulusLength === Number(spec.slice(4))
      : spec === 'ECC_NIST_EDWARDS25519'
        ? privateKey.asymmetricKeyType === 'ed25519'
        : privateKey.asymmetricKeyType === 'ec' && details?.namedCurve === (CURVES[spec] ?? unsupported(spec));
    if (!matches) throw new ValidationException(say('importedKeyNotPkcs8', { keySpec: spec }));
    return {
      wrappedMaterial: new Uint8Array(privateKey.export({ type: 'pkcs8', format: 'der' })),
      tier: 'token',
      publicKey: new Uint8Array(createPublicKey(privateKey).export({ type: 'spki', format: 'der' })),
    };
  }

  async importMacKey(spec: HmacKeySpec, key: Uint8Array): Promise<GeneratedKey> {
    if (key.length !== HMAC_BYTES[spec]) throw new ValidationException(say('importedKeyLength', { keySpec: spec, bytes: HMAC_BYTES[spec] }));
    return { wrappedMaterial: Uint8Array.from(key), tier: 'token' };
  }

  async sign(key: StoredKeyRef, algorithm: SigningAlgorithmSpec, input: SigningInput): Promise<Uint8Array> {
    const privateKey = createPrivateKey({ key: Buffer.from(key.wrappedMaterial), format: 'der', type: 'pkcs8' });
    if (algorithm === 'ED25519_PH_SHA_512') unsupported('ED25519_PH_SHA_512');
    if (algorithm === 'ED25519_SHA_512') return new Uint8Array(nodeSign(null, input.message, privateKey));
    if (input.messageType === 'DIGEST') unsupported('DIGEST signing');
    const padding = algorithm.startsWith('RSASSA_PSS') ? { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST } : {};
    return new Uint8Array(nodeSign(hashOf(algorithm), input.message, { key: privateKey, ...padding }));
  }

  async verify(key: StoredKeyRef & { publicKey: Uint8Array }, algorithm: SigningAlgorithmSpec, input: SigningInput, signature: Uint8Array): Promise<boolean> {
    const publicKey = createPublicKey({ key: Buffer.from(key.publicKey), format: 'der', type: 'spki' });
    if (algorithm === 'ED25519_PH_SHA_512') unsupported('ED25519_PH_SHA_512');
    if (algorithm === 'ED25519_SHA_512') return nodeVerify(null, input.message, publicKey, signature);
    // Verifying a digest as if it were the message would answer false where AWS answers true.
    if (input.messageType === 'DIGEST') unsupported('DIGEST verification');
    const padding = algorithm.startsWith('RSASSA_PSS') ? { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST } : {};
    return nodeVerify(hashOf(algorithm), input.message, { key: publicKey, ...padding }, signature);
  }

  async encryptWithPublicKey(_spec: AsymmetricKeySpec, publicKey: Uint8Array, algorithm: EncryptionAlgorithmSpec, plaintext: Uint8Array): Promise<Uint8Array> {
    const key = createPublicKey({ key: Buffer.from(publicKey), format: 'der', type: 'spki' });
    return new Uint8Array(publicEncrypt({ key, oaepHash: algorithm === 'RSAES_OAEP_SHA_1' ? 'sha1' : 'sha256' }, plaintext));
  }

  async decryptWithPrivateKey(key: StoredKeyRef, algorithm: EncryptionAlgorithmSpec, ciphertext: Uint8Array): Promise<Uint8Array> {
    const privateKey = createPrivateKey({ key: Buffer.from(key.wrappedMaterial), format: 'der', type: 'pkcs8' });
    try {
      return new Uint8Array(privateDecrypt({ key: privateKey, oaepHash: algorithm === 'RSAES_OAEP_SHA_1' ? 'sha1' : 'sha256' }, ciphertext));
    } catch {
      throw new InvalidCiphertextException('');
    }
  }

  async deriveSharedSecret(key: StoredKeyRef, peerPublicKey: Uint8Array): Promise<Uint8Array> {
    const privateKey = createPrivateKey({ key: Buffer.from(key.wrappedMaterial), format: 'der', type: 'pkcs8' });
    try {
      const publicKey = createPublicKey({ key: Buffer.from(peerPublicKey), format: 'der', type: 'spki' });
      return new Uint8Array(diffieHellman({ privateKey, publicKey }));
    } catch {
      throw new ValidationException('', { reason: 'PublicKey is not a valid DER-encoded SubjectPublicKeyInfo.' });
    }
  }

  async generateMac(key: StoredKeyRef, algorithm: MacAlgorithmSpec, message: Uint8Array): Promise<Uint8Array> {
    const hash = algorithm.replace('HMAC_SHA_', 'sha');
    return new Uint8Array(createHmac(hash, key.wrappedMaterial).update(message).digest());
  }

  async generateDataKeyPair(spec: DataKeyPairSpec): Promise<{ privateKey: Uint8Array; publicKey: Uint8Array }> {
    return generate(spec);
  }
}

/** SHA digest of a message, for DIGEST-type tests. */
export function digestOf(algorithm: SigningAlgorithmSpec, message: Uint8Array): Uint8Array {
  return new Uint8Array(createHash(hashOf(algorithm)).update(message).digest());
}
