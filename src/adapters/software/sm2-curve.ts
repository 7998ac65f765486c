/**
 * The SM2 curve (GB/T 32918.5-2017, OID 1.2.156.10197.1.301) on @noble/curves' audited short
 * Weierstrass arithmetic, SM3 (GB/T 32905-2016) from the platform's OpenSSL, and the scalar and
 * point helpers the SM2 signature, encryption and ECDH code share.
 */
import { createHash, randomBytes } from 'node:crypto';
import { weierstrass } from '@noble/curves/abstract/weierstrass.js';
import type { WeierstrassPoint } from '@noble/curves/abstract/weierstrass.js';

export const SM2_CURVE = {
  p: 0xfffffffeffffffffffffffffffffffffffffffff00000000ffffffffffffffffn,
  a: 0xfffffffeffffffffffffffffffffffffffffffff00000000fffffffffffffffcn,
  b: 0x28e9fa9e9d9f5e344d5a9e4bcf6509a7f39789f515ab8f92ddbcbd414d940e93n,
  n: 0xfffffffeffffffffffffffffffffffff7203df6b21c6052b53bbf40939d54123n,
  h: 1n,
  Gx: 0x32c4ae2c1f1981195f9904466a39c9948fe30bbff2660be1715a4589334c74c7n,
  Gy: 0xbc3736a2f4f6779c59bdcee36b692153d0a9877cc62a474002df32e52139f0a0n,
} as const;

export const Sm2Point = weierstrass<bigint>(SM2_CURVE);
export type Sm2Point = WeierstrassPoint<bigint>;

/** Bytes of a field element or scalar. */
export const SM2_BYTES = 32;

export function sm3(...parts: readonly Uint8Array[]): Uint8Array {
  const hash = createHash('sm3');
  for (const part of parts) hash.update(part);
  return new Uint8Array(hash.digest());
}

/**
 * Big-endian bytes to a bigint and back, byte by byte rather than through a hex string, so that a
 * secret scalar or shared point never exists as a JavaScript string (which could not be zeroed).
 * The bigints themselves cannot be zeroed either: see docs/key-material.md.
 */
export function bytesToBigint(bytes: Uint8Array): bigint {
  let value = 0n;
  for (const byte of bytes) value = (value << 8n) | BigInt(byte);
  return value;
}

export function bigintToBytes(value: bigint, length = SM2_BYTES): Uint8Array {
  if (value < 0n || value >> BigInt(8 * length) !== 0n) throw new RangeError('value too large');
  const bytes = new Uint8Array(length);
  let rest = value;
  for (let i = length - 1; i >= 0; i--, rest >>= 8n) bytes[i] = Number(rest & 0xffn);
  return bytes;
}

export function mod(value: bigint, modulus: bigint): bigint {
  const rest = value % modulus;
  return rest < 0n ? rest + modulus : rest;
}

/** Modular inverse by Fermat (the modulus is prime). */
export function invert(value: bigint, modulus: bigint): bigint {
  let result = 1n;
  let base = mod(value, modulus);
  for (let exponent = modulus - 2n; exponent > 0n; exponent >>= 1n) {
    if (exponent & 1n) result = (result * base) % modulus;
    base = (base * base) % modulus;
  }
  return result;
}

/** A uniformly random scalar in [1, max], by rejection sampling. */
export function randomScalar(max: bigint): bigint {
  for (;;) {
    const bytes = randomBytes(SM2_BYTES);
    const candidate = bytesToBigint(bytes);
    bytes.fill(0);
    if (candidate >= 1n && candidate <= max) return candidate;
  }
}

/**
 * A new SM2 private key. It is at most n - 2, not n - 1 as for ECDSA, because signing divides by 1 + d.
 */
export function generateSm2KeyPair(): { readonly privateKey: Uint8Array; readonly publicKey: Uint8Array } {
  const d = randomScalar(SM2_CURVE.n - 2n);
  return { privateKey: bigintToBytes(d), publicKey: Sm2Point.BASE.multiply(d).toBytes(false) };
}

/** The private scalar of a stored key; rejects values outside [1, n - 2]. */
export function privateScalar(privateKey: Uint8Array): bigint {
  const d = bytesToBigint(privateKey);
  if (privateKey.length !== SM2_BYTES || d < 1n || d > SM2_CURVE.n - 2n) throw new RangeError('invalid SM2 private key');
  return d;
}

/** Decodes an uncompressed point and checks that it is on the curve (throws otherwise). */
export function decodePoint(uncompressed: Uint8Array): Sm2Point {
  if (uncompressed.length !== 1 + 2 * SM2_BYTES || uncompressed[0] !== 0x04) throw new RangeError('not an uncompressed SM2 point');
  const point = Sm2Point.fromBytes(uncompressed);
  point.assertValidity();
  return point;
}
