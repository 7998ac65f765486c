/**
 * Ed25519 (RFC 8032) as AWS KMS offers it for ECC_NIST_EDWARDS25519 keys:
 * - ED25519_SHA_512 is PureEdDSA over the message and takes MessageType RAW only;
 * - ED25519_PH_SHA_512 is Ed25519ph with an empty context and takes MessageType DIGEST only, a
 *   64-byte value that KMS still prehashes with SHA-512 (FIPS 186-5 §7.8.1 step 1), so the input is
 *   hashed twice: the signature is Ed25519ph over the 64 bytes given.
 */
import { createPrivateKey, randomBytes, sign as nodeSign } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { ed25519, ed25519ph } from '@noble/curves/ed25519.js';
import type { SigningAlgorithmSpec } from '../../models/kms/generated/shapes.js';
import type { SigningInput } from '../../core/ports/index.js';
import { ValidationException } from '../../models/kms/generated/errors.js';
import { DIGEST_LENGTHS } from '../../core/kms/keys/key-specs.js';
import { requireLength, requireMessageType } from './signing-input.js';
import { say } from '../../core/kms/messages.js';

const SEED_BYTES = 32;
const SIGNATURE_BYTES = 64;
const PREHASH_BYTES = DIGEST_LENGTHS.ED25519_PH_SHA_512 ?? 64;
/** PKCS#8 (RFC 8410) of an Ed25519 key up to the 32-byte seed. */
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

/**
 * A new key pair. The private key kept (sealed) is the 32-byte RFC 8032 seed followed by the
 * 32-byte public key, so signing never has to re-derive the public key from the seed.
 */
export function generateEd25519KeyPair(): { readonly privateKey: Uint8Array; readonly publicKey: Uint8Array } {
  const seed = randomBytes(SEED_BYTES);
  const privateKey = ed25519KeyFromSeed(seed);
  seed.fill(0);
  return { privateKey, publicKey: privateKey.slice(SEED_BYTES) };
}

/** Throws `ValidationException` unless `algorithm` accepts the input; returns which Ed25519 variant it is. */
export function checkEd25519Input(algorithm: SigningAlgorithmSpec, input: SigningInput): 'pure' | 'prehash' {
  switch (algorithm) {
    case 'ED25519_SHA_512':
      requireMessageType(algorithm, input, ['RAW']);
      return 'pure';
    case 'ED25519_PH_SHA_512':
      requireMessageType(algorithm, input, ['DIGEST']);
      requireLength(algorithm, input, PREHASH_BYTES);
      return 'prehash';
    default:
      throw new ValidationException(say('algorithmIncompatible', { algorithm, keySpec: 'ECC_NIST_EDWARDS25519' }));
  }
}

/** The stored private key (seed || public key) from a 32-byte seed. The caller zeroes `seed` and the result. */
export function ed25519KeyFromSeed(seed: Uint8Array): Uint8Array {
  const privateKey = new Uint8Array(SEED_BYTES * 2);
  privateKey.set(seed);
  privateKey.set(ed25519.getPublicKey(seed), SEED_BYTES);
  return privateKey;
}

/**
 * The key as an OpenSSL key object, for pure Ed25519 through Node's OpenSSL (about ten times
 * faster than in JavaScript). It is imported from PKCS#8 DER built in a buffer that is zeroed
 * right after, never through a JWK, whose base64url strings could not be zeroed; OpenSSL clears
 * its copy when the key object is freed. Callers cache the object briefly: the PKCS#8 import
 * costs more than a signature.
 */
export function ed25519KeyObject(privateKey: Uint8Array): KeyObject {
  const der = Buffer.alloc(PKCS8_PREFIX.length + SEED_BYTES);
  PKCS8_PREFIX.copy(der);
  der.set(privateKey.subarray(0, SEED_BYTES), PKCS8_PREFIX.length);
  try {
    return createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
  } finally {
    der.fill(0);
  }
}

/** Ed25519ph (ED25519_PH_SHA_512) with @noble/curves: OpenSSL 3.0 has no Ed25519ph. */
export function ed25519phSign(privateKey: Uint8Array, input: SigningInput): Uint8Array {
  return ed25519ph.sign(input.message, privateKey.subarray(0, SEED_BYTES));
}

/** Pure Ed25519 (ED25519_SHA_512) with a key object from `ed25519KeyObject`. */
export function ed25519PureSign(key: KeyObject, input: SigningInput): Uint8Array {
  return new Uint8Array(nodeSign(null, input.message, key));
}

/** Verifies strictly (RFC 8032, not ZIP-215), as OpenSSL does; false for anything malformed. */
export function ed25519Verify(publicKey: Uint8Array, algorithm: SigningAlgorithmSpec, input: SigningInput, signature: Uint8Array): boolean {
  const variant = checkEd25519Input(algorithm, input);
  if (signature.length !== SIGNATURE_BYTES) return false;
  try {
    return (variant === 'pure' ? ed25519 : ed25519ph).verify(signature, input.message, publicKey, { zip215: false });
  } catch {
    return false;
  }
}
