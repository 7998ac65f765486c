/**
 * Software-tier private keys given as PKCS#8 (seed files, imported key material), brought to the
 * form `generateKeyPair` stores: the Ed25519 seed with its public key, the expanded ML-DSA secret
 * key, the 32-byte SM2 scalar. Every key is checked against its public key where the encoding
 * carries one, and the public key is derived here.
 */
import { timingSafeEqual } from 'node:crypto';
import { ml_dsa44, ml_dsa65, ml_dsa87 } from '@noble/post-quantum/ml-dsa.js';
import { ed25519KeyFromSeed } from './ed25519.js';
import { mlDsaKeyPairFromSeed } from './ml-dsa.js';
import type { MlDsaSpec } from './ml-dsa.js';
import { ed25519Seed, mlDsaPrivateKey, sm2PrivateKey } from './pkcs8.js';
import { SM2_BYTES, Sm2Point, privateScalar } from './sm2-curve.js';

const ML_DSA = { ML_DSA_44: ml_dsa44, ML_DSA_65: ml_dsa65, ML_DSA_87: ml_dsa87 } as const;

interface KeyPair {
  readonly privateKey: Uint8Array;
  readonly publicKey: Uint8Array;
}

/** Thrown for key material that is well-formed DER but not a valid key. */
export class InvalidKeyError extends Error {}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

export function importEd25519(pkcs8: Uint8Array): KeyPair {
  const privateKey = ed25519KeyFromSeed(ed25519Seed(pkcs8));
  return { privateKey, publicKey: privateKey.slice(32) };
}

export function importMlDsa(spec: MlDsaSpec, pkcs8: Uint8Array): KeyPair {
  const { seed, expanded } = mlDsaPrivateKey(spec, pkcs8);
  if (seed !== undefined) {
    if (seed.length !== 32) throw new InvalidKeyError('bad ML-DSA seed length');
    const pair = mlDsaKeyPairFromSeed(spec, seed);
    if (expanded !== undefined && !equal(expanded, pair.privateKey)) {
      pair.privateKey.fill(0);
      throw new InvalidKeyError('the ML-DSA seed and expanded key disagree');
    }
    return pair;
  }
  const dsa = ML_DSA[spec];
  if (expanded === undefined || expanded.length !== dsa.lengths.secretKey) throw new InvalidKeyError('bad ML-DSA expanded key length');
  return { privateKey: Uint8Array.from(expanded), publicKey: dsa.getPublicKey(expanded) };
}

export function importSm2(pkcs8: Uint8Array): KeyPair {
  const { scalar, publicPoint } = sm2PrivateKey(pkcs8);
  const start = scalar.findIndex((byte) => byte !== 0);
  const significant = start === -1 ? scalar.subarray(scalar.length) : scalar.subarray(start);
  if (significant.length > SM2_BYTES) throw new InvalidKeyError('SM2 scalar too long');
  const privateKey = new Uint8Array(SM2_BYTES);
  privateKey.set(significant, SM2_BYTES - significant.length);
  try {
    const publicKey = Sm2Point.BASE.multiply(privateScalar(privateKey)).toBytes(false);
    if (publicPoint !== undefined && !equal(publicPoint, publicKey)) throw new InvalidKeyError('the SM2 public key does not match the private key');
    return { privateKey, publicKey };
  } catch (error) {
    privateKey.fill(0);
    throw error;
  }
}
