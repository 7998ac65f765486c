/**
 * Ed25519 (RFC 8032) as AWS KMS offers it for ECC_NIST_EDWARDS25519 keys:
 * - ED25519_SHA_512 is PureEdDSA over the message and takes MessageType RAW only;
 * - ED25519_PH_SHA_512 is Ed25519ph with an empty context and takes MessageType DIGEST only, a
 *   64-byte value that KMS still prehashes with SHA-512 (FIPS 186-5 §7.8.1 step 1), so the input is
 *   hashed twice: the signature is Ed25519ph over the 64 bytes given.
 */
import { createPrivateKey, randomBytes, sign as nodeSign } from 'node:crypto';
import { DerReader, TAG_INTEGER, TAG_OCTET_STRING, TAG_SEQUENCE, readSequence } from '../der.js';
import { ed25519, ed25519ph } from '@noble/curves/ed25519.js';
import type { SigningAlgorithmSpec } from '../../models/kms/generated/shapes.js';
import type { SigningInput } from '../../core/ports/index.js';
import { ValidationException } from '../../models/kms/generated/errors.js';
import { DIGEST_LENGTHS } from '../../core/kms/keys/key-specs.js';
import { requireLength, requireMessageType } from './signing-input.js';

const SEED_BYTES = 32;
const SIGNATURE_BYTES = 64;
const PREHASH_BYTES = DIGEST_LENGTHS.ED25519_PH_SHA_512 ?? 64;


/**
 * A new key pair. The private key kept (sealed) is the 32-byte RFC 8032 seed followed by the
 * 32-byte public key, so signing never has to re-derive the public key from the seed.
 */
export function generateEd25519KeyPair(): { readonly privateKey: Uint8Array; readonly publicKey: Uint8Array } {
  const seed = new Uint8Array(randomBytes(SEED_BYTES));
  const publicKey = ed25519.getPublicKey(seed);
  const privateKey = new Uint8Array(SEED_BYTES * 2);
  privateKey.set(seed);
  privateKey.set(publicKey, SEED_BYTES);
  seed.fill(0);
  return { privateKey, publicKey };
}

/**
 * The same form as a generated pair from a PKCS#8 Ed25519 private key (RFC 8410), which the
 * caller zeroes. Throws `ValidationException` when it is not one.
 */
export function ed25519KeyPairFromPkcs8(pkcs8: Uint8Array): { readonly privateKey: Uint8Array; readonly publicKey: Uint8Array } {
  let seed: Uint8Array;
  try {
    const key = createPrivateKey({ key: Buffer.from(pkcs8.buffer, pkcs8.byteOffset, pkcs8.byteLength), format: 'der', type: 'pkcs8' });
    if (key.asymmetricKeyType !== 'ed25519') throw new Error('not Ed25519');
    const outer = readSequence(pkcs8);
    outer.read(TAG_INTEGER);
    outer.read(TAG_SEQUENCE);
    // CurvePrivateKey ::= OCTET STRING, inside the privateKey OCTET STRING.
    seed = curvePrivateKey(outer.read(TAG_OCTET_STRING));
  } catch {
    throw new ValidationException('The key material is not an ECC_NIST_EDWARDS25519 private key.');
  }
  const publicKey = ed25519.getPublicKey(seed);
  const privateKey = new Uint8Array(SEED_BYTES * 2);
  privateKey.set(seed);
  privateKey.set(publicKey, SEED_BYTES);
  return { privateKey, publicKey };
}

function curvePrivateKey(octets: Uint8Array): Uint8Array {
  const seed = new DerReader(octets).read(TAG_OCTET_STRING);
  if (seed.length !== SEED_BYTES) throw new Error('bad seed length');
  return seed;
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
      throw new ValidationException(`Signing algorithm ${algorithm} is not valid for an ECC_NIST_EDWARDS25519 key.`);
  }
}

/** Signs with ED25519_SHA_512 or ED25519_PH_SHA_512. Throws `ValidationException` for a message type or length they do not take. */
export function ed25519Sign(privateKey: Uint8Array, algorithm: SigningAlgorithmSpec, input: SigningInput): Uint8Array {
  const variant = checkEd25519Input(algorithm, input);
  const seed = privateKey.subarray(0, SEED_BYTES);
  if (variant === 'prehash') return ed25519ph.sign(input.message, seed);
  // Pure Ed25519 through Node's OpenSSL is about ten times faster than in JavaScript (a JWK import
  // with the public key avoids OpenSSL's slow PKCS#8 decoder); OpenSSL 3.0 has no Ed25519ph, which
  // is why the prehash variant stays with @noble/curves.
  const key = createPrivateKey({
    key: { kty: 'OKP', crv: 'Ed25519', d: Buffer.from(seed).toString('base64url'), x: Buffer.from(privateKey.subarray(SEED_BYTES)).toString('base64url') },
    format: 'jwk',
  });
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
