/**
 * SM2PKE (GB/T 32918.4-2016) with SM3, and ECDH on the SM2 curve.
 *
 * AWS KMS takes and returns SM2PKE ciphertexts in the ASN.1 form of GB/T 35276-2017 / GM/T 0009
 * (what OpenSSL produces): `SEQUENCE { INTEGER x1, INTEGER y1, OCTET STRING C3, OCTET STRING C2 }`,
 * i.e. C1 || C3 || C2 with C1 split into its coordinates.
 */
import { timingSafeEqual } from 'node:crypto';
import { TAG_OCTET_STRING, TAG_SEQUENCE, derElement, derUnsignedInteger, readSequence } from '../der.js';
import {
  SM2_BYTES, SM2_CURVE, Sm2Point, bigintToBytes, decodePoint, privateScalar, randomScalar, sm3,
} from './sm2-curve.js';

const HASH_BYTES = 32;

/** The GB/T 32918.4 key derivation function: SM3(Z || counter) blocks, truncated to `length`. */
function kdf(z: Uint8Array, length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let counter = 1, offset = 0; offset < length; counter++, offset += HASH_BYTES) {
    const block = sm3(z, Uint8Array.of(counter >>> 24, (counter >>> 16) & 0xff, (counter >>> 8) & 0xff, counter & 0xff));
    out.set(block.subarray(0, Math.min(HASH_BYTES, length - offset)), offset);
    block.fill(0);
  }
  return out;
}

/** The key stream for the shared point (x2, y2); the caller zeroes it. */
function keyStreamFor(x2: Uint8Array, y2: Uint8Array, length: number): Uint8Array {
  const z = new Uint8Array(x2.length + y2.length);
  z.set(x2);
  z.set(y2, x2.length);
  try {
    return kdf(z, length);
  } finally {
    z.fill(0);
  }
}

function xorInto(target: Uint8Array, mask: Uint8Array): void {
  for (let i = 0; i < target.length; i++) target[i] = (target[i] ?? 0) ^ (mask[i] ?? 0);
}

/**
 * Encrypts with the ephemeral scalar `k`. Exported for known-answer tests; production callers use
 * `sm2Encrypt`. Returns `undefined` for a `k` whose key stream is all zero (the standard retries).
 */
export function sm2EncryptWithNonce(publicKey: Uint8Array, plaintext: Uint8Array, k: bigint): Uint8Array | undefined {
  const recipient = decodePoint(publicKey);
  const c1 = Sm2Point.BASE.multiply(k);
  const shared = recipient.multiply(k);
  const x2 = bigintToBytes(shared.x);
  const y2 = bigintToBytes(shared.y);
  const keyStream = keyStreamFor(x2, y2, plaintext.length);
  try {
    if (plaintext.length > 0 && keyStream.every((byte) => byte === 0)) return undefined;
    const c2 = Uint8Array.from(plaintext);
    xorInto(c2, keyStream);
    const c3 = sm3(x2, plaintext, y2);
    return derElement(
      TAG_SEQUENCE,
      derUnsignedInteger(c1.x), derUnsignedInteger(c1.y), derElement(TAG_OCTET_STRING, c3), derElement(TAG_OCTET_STRING, c2),
    );
  } finally {
    keyStream.fill(0);
    x2.fill(0);
    y2.fill(0);
  }
}

/** SM2PKE encryption to an uncompressed public point. */
export function sm2Encrypt(publicKey: Uint8Array, plaintext: Uint8Array): Uint8Array {
  for (;;) {
    const ciphertext = sm2EncryptWithNonce(publicKey, plaintext, randomScalar(SM2_CURVE.n - 1n));
    if (ciphertext) return ciphertext;
  }
}

/**
 * SM2PKE decryption.
 * @returns `undefined` when the ciphertext is malformed or does not authenticate (C3 mismatch).
 */
export function sm2Decrypt(privateKey: Uint8Array, ciphertext: Uint8Array): Uint8Array | undefined {
  let c1: ReturnType<typeof decodePoint>;
  let c3: Uint8Array;
  let c2: Uint8Array;
  try {
    const reader = readSequence(ciphertext);
    const x1 = reader.readUnsignedInteger();
    const y1 = reader.readUnsignedInteger();
    c3 = reader.read(TAG_OCTET_STRING);
    c2 = reader.read(TAG_OCTET_STRING);
    reader.end();
    c1 = decodePoint(new Uint8Array([0x04, ...bigintToBytes(x1, SM2_BYTES), ...bigintToBytes(y1, SM2_BYTES)]));
  } catch {
    return undefined;
  }
  if (c3.length !== HASH_BYTES) return undefined;
  const shared = c1.multiply(privateScalar(privateKey));
  const x2 = bigintToBytes(shared.x);
  const y2 = bigintToBytes(shared.y);
  const plaintext = Uint8Array.from(c2);
  const keyStream = keyStreamFor(x2, y2, c2.length);
  try {
    if (c2.length > 0 && keyStream.every((byte) => byte === 0)) return undefined;
    xorInto(plaintext, keyStream);
    if (timingSafeEqual(sm3(x2, plaintext, y2), c3)) return plaintext;
    plaintext.fill(0);
    return undefined;
  } finally {
    keyStream.fill(0);
    x2.fill(0);
    y2.fill(0);
  }
}

/** Plain ECDH on the SM2 curve: the x coordinate of d·Q, as AWS KMS DeriveSharedSecret returns it. */
export function sm2SharedSecret(privateKey: Uint8Array, peerPublicKey: Uint8Array): Uint8Array {
  const shared = decodePoint(peerPublicKey).multiply(privateScalar(privateKey));
  return bigintToBytes(shared.x);
}
