/**
 * Data key pairs for GenerateDataKeyPair: a PKCS#8 DER private key and an SPKI DER public key,
 * returned in the clear by design (the caller encrypts the private key under a KMS key).
 * Node's OpenSSL generates every spec, SM2 included (id-ecPublicKey on curve 1.2.156.10197.1.301,
 * the form `openssl genpkey -pkeyopt ec_paramgen_curve:sm2` produces, which AWS documents for SM2).
 */
import { generateKeyPair } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import type { DataKeyPairSpec } from '../../models/kms/generated/shapes.js';

const generate = promisify(generateKeyPair) as (
  type: string, options: Record<string, unknown>,
) => Promise<{ publicKey: KeyObject; privateKey: KeyObject }>;

type Generation = readonly [type: 'rsa' | 'ec' | 'ed25519', options: Readonly<Record<string, unknown>>];

const GENERATION: Readonly<Record<DataKeyPairSpec, Generation>> = {
  RSA_2048: ['rsa', { modulusLength: 2048, publicExponent: 0x10001 }],
  RSA_3072: ['rsa', { modulusLength: 3072, publicExponent: 0x10001 }],
  RSA_4096: ['rsa', { modulusLength: 4096, publicExponent: 0x10001 }],
  ECC_NIST_P256: ['ec', { namedCurve: 'prime256v1' }],
  ECC_NIST_P384: ['ec', { namedCurve: 'secp384r1' }],
  ECC_NIST_P521: ['ec', { namedCurve: 'secp521r1' }],
  ECC_SECG_P256K1: ['ec', { namedCurve: 'secp256k1' }],
  ECC_NIST_EDWARDS25519: ['ed25519', {}],
  SM2: ['ec', { namedCurve: 'SM2' }],
};

/** A fresh key pair of `spec`: PKCS#8 DER private key, SPKI DER public key. */
export async function generateDataKeyPair(spec: DataKeyPairSpec): Promise<{ readonly privateKey: Uint8Array; readonly publicKey: Uint8Array }> {
  const [type, options] = GENERATION[spec];
  const pair = await generate(type, { ...options });
  // The exported buffers are returned as they are (a Buffer is a Uint8Array): no stray copy of the private key.
  return {
    privateKey: pair.privateKey.export({ type: 'pkcs8', format: 'der' }),
    publicKey: pair.publicKey.export({ type: 'spki', format: 'der' }),
  };
}
