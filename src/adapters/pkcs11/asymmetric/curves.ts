/** The elliptic curves of the token tier, as PKCS#11, Node and SPKI name them. */
import type { AsymmetricKeySpec } from '../../../core/kms/keys/key-specs.js';

export type EccSpec = Extract<AsymmetricKeySpec, 'ECC_NIST_P256' | 'ECC_NIST_P384' | 'ECC_NIST_P521' | 'ECC_SECG_P256K1'>;

export interface Curve {
  /** CKA_EC_PARAMS: the DER-encoded named-curve OID. */
  readonly ecParams: Buffer;
  /** `namedCurve` as Node reports it in `asymmetricKeyDetails`. */
  readonly nodeName: string;
  /** `crv` of its JWK. */
  readonly jwkCurve: string;
  /** Size of a field element and of each of r and s (bytes). */
  readonly fieldBytes: number;
}

function curve(oidDerHex: string, nodeName: string, jwkCurve: string, fieldBytes: number): Curve {
  return { ecParams: Buffer.from(oidDerHex, 'hex'), nodeName, jwkCurve, fieldBytes };
}

export const CURVES: Readonly<Record<EccSpec, Curve>> = {
  ECC_NIST_P256: curve('06082a8648ce3d030107', 'prime256v1', 'P-256', 32), // 1.2.840.10045.3.1.7
  ECC_NIST_P384: curve('06052b81040022', 'secp384r1', 'P-384', 48), // 1.3.132.0.34
  ECC_NIST_P521: curve('06052b81040023', 'secp521r1', 'P-521', 66), // 1.3.132.0.35
  ECC_SECG_P256K1: curve('06052b8104000a', 'secp256k1', 'secp256k1', 32), // 1.3.132.0.10
};

export function isEccSpec(spec: string): spec is EccSpec {
  return Object.hasOwn(CURVES, spec);
}

export type RsaSpec = Extract<AsymmetricKeySpec, `RSA_${string}`>;

export const RSA_BITS: Readonly<Record<RsaSpec, number>> = { RSA_2048: 2048, RSA_3072: 3072, RSA_4096: 4096 };

export function isRsaSpec(spec: string): spec is RsaSpec {
  return Object.hasOwn(RSA_BITS, spec);
}
