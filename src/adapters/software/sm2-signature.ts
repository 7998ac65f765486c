/**
 * SM2DSA (GB/T 32918.2-2016) as AWS KMS offers it. For MessageType RAW, KMS hashes
 * `Z || M` with SM3, where Z binds the default distinguishing ID `1234567812345678`
 * (GM/T 0009-2012) and the public key; for DIGEST, the 32-byte value is that hash, `e`, already
 * computed by the caller (who may have used another ID). Signatures are DER `SEQUENCE { r, s }`.
 */
import type { SigningAlgorithmSpec } from '../../models/kms/generated/shapes.js';
import type { SigningInput } from '../../core/ports/index.js';
import { ValidationException } from '../../models/kms/generated/errors.js';
import { DIGEST_LENGTHS } from '../../core/kms/keys/key-specs.js';
import { TAG_SEQUENCE, derElement, derUnsignedInteger, readSequence } from '../der.js';
import { requireLength, requireMessageType } from './signing-input.js';
import {
  SM2_CURVE, Sm2Point, bigintToBytes, bytesToBigint, decodePoint, invert, mod, privateScalar, randomScalar, sm3,
} from './sm2-curve.js';
import { say } from '../../core/kms/messages.js';

/** The distinguishing ID AWS KMS uses for SM2DSA with MessageType RAW. */
export const SM2_DEFAULT_ID = new TextEncoder().encode('1234567812345678');

const DIGEST_BYTES = DIGEST_LENGTHS.SM2DSA ?? 32;

/** `Z = SM3(ENTL || ID || a || b || xG || yG || xA || yA)` for an uncompressed public key. */
export function sm2Z(publicKey: Uint8Array, id: Uint8Array = SM2_DEFAULT_ID): Uint8Array {
  const bits = id.length * 8;
  if (bits > 0xffff) throw new RangeError('distinguishing ID too long');
  const point = decodePoint(publicKey);
  return sm3(
    Uint8Array.of(bits >> 8, bits & 0xff), id,
    bigintToBytes(SM2_CURVE.a), bigintToBytes(SM2_CURVE.b), bigintToBytes(SM2_CURVE.Gx), bigintToBytes(SM2_CURVE.Gy),
    bigintToBytes(point.x), bigintToBytes(point.y),
  );
}

/** Throws `ValidationException` unless SM2DSA accepts the input (RAW, or a 32-byte DIGEST). */
export function checkSm2Input(algorithm: SigningAlgorithmSpec, input: SigningInput): void {
  if (algorithm !== 'SM2DSA') throw new ValidationException(say('algorithmIncompatible', { algorithm, keySpec: 'SM2' }));
  requireMessageType(algorithm, input, ['RAW', 'DIGEST']);
  if (input.messageType === 'DIGEST') requireLength(algorithm, input, DIGEST_BYTES);
}

/** The value `e` SM2DSA signs: SM3(Z || M) for RAW, the given 32 bytes for DIGEST. */
function digestOf(publicKey: Uint8Array, algorithm: SigningAlgorithmSpec, input: SigningInput): bigint {
  checkSm2Input(algorithm, input);
  if (input.messageType === 'DIGEST') return bytesToBigint(input.message);
  return bytesToBigint(sm3(sm2Z(publicKey), input.message));
}

/**
 * The SM2 signature of `e` with the nonce `k`. Exported for known-answer tests; production callers
 * use `sm2Sign`, which draws `k` at random.
 * @returns `undefined` when `k` is one of the rare values the standard says to reject.
 */
export function sm2SignWithNonce(d: bigint, e: bigint, k: bigint): { readonly r: bigint; readonly s: bigint } | undefined {
  const { n } = SM2_CURVE;
  const x1 = Sm2Point.BASE.multiply(k).x;
  const r = mod(e + x1, n);
  if (r === 0n || r + k === n) return undefined;
  const s = mod(invert(1n + d, n) * (k - r * d), n);
  return s === 0n ? undefined : { r, s };
}

export function encodeSm2Signature(r: bigint, s: bigint): Uint8Array {
  return derElement(TAG_SEQUENCE, derUnsignedInteger(r), derUnsignedInteger(s));
}

/** Signs with SM2DSA; `publicKey` is the uncompressed point (needed for Z). */
export function sm2Sign(privateKey: Uint8Array, publicKey: Uint8Array, algorithm: SigningAlgorithmSpec, input: SigningInput): Uint8Array {
  const e = digestOf(publicKey, algorithm, input);
  const d = privateScalar(privateKey);
  for (;;) {
    const signature = sm2SignWithNonce(d, e, randomScalar(SM2_CURVE.n - 1n));
    if (signature) return encodeSm2Signature(signature.r, signature.s);
  }
}

/** `true` when (r, s) is a valid SM2 signature of `e` under the public point. */
export function sm2VerifyDigest(publicKey: Uint8Array, e: bigint, r: bigint, s: bigint): boolean {
  const { n } = SM2_CURVE;
  if (r < 1n || r >= n || s < 1n || s >= n) return false;
  const t = mod(r + s, n);
  if (t === 0n) return false;
  const point = Sm2Point.BASE.multiplyUnsafe(s).add(decodePoint(publicKey).multiplyUnsafe(t));
  if (point.is0()) return false;
  return mod(e + point.x, n) === r;
}

/** Verifies an SM2DSA signature in DER; false for anything malformed. */
export function sm2Verify(publicKey: Uint8Array, algorithm: SigningAlgorithmSpec, input: SigningInput, signature: Uint8Array): boolean {
  const e = digestOf(publicKey, algorithm, input);
  try {
    const reader = readSequence(signature);
    const r = reader.readUnsignedInteger();
    const s = reader.readUnsignedInteger();
    reader.end();
    return sm2VerifyDigest(publicKey, e, r, s);
  } catch {
    return false;
  }
}
