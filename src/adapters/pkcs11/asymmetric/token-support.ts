/**
 * Which key specs the token can serve, from the mechanisms it reports. A listed mechanism does not
 * promise every curve, so each curve is also generated once as a probe.
 */
import { KeyGenMechanism, MechanismEnum } from '../graphene.js';
import type { MacAlgorithmSpec } from '../../../models/kms/generated/shapes.js';
import type { AsymmetricKeySpec, HmacKeySpec } from '../../../core/kms/keys/key-specs.js';
import { CURVES, RSA_BITS } from './curves.js';
import type { Curve, EccSpec } from './curves.js';
import { ecKeyPairTemplates } from './templates.js';
import type { TokenAccess } from './token-access.js';
import { pkcs11Code } from '../pkcs11-codes.js';

export type TokenSpec = AsymmetricKeySpec | HmacKeySpec;

const RSA_MECHANISMS = [MechanismEnum.RSA_PKCS_KEY_PAIR_GEN, MechanismEnum.RSA_PKCS, MechanismEnum.RSA_PKCS_PSS, MechanismEnum.RSA_PKCS_OAEP];
const EC_MECHANISMS = [MechanismEnum.EC_KEY_PAIR_GEN, MechanismEnum.ECDSA, MechanismEnum.ECDH1_DERIVE];

export interface HmacSpecInfo {
  /** Key length (bytes), the output length of the hash. */
  readonly keyBytes: number;
  readonly mechanism: number;
  readonly algorithm: MacAlgorithmSpec;
}

export const HMAC_SPECS: Readonly<Record<HmacKeySpec, HmacSpecInfo>> = {
  HMAC_224: { keyBytes: 28, mechanism: MechanismEnum.SHA224_HMAC, algorithm: 'HMAC_SHA_224' },
  HMAC_256: { keyBytes: 32, mechanism: MechanismEnum.SHA256_HMAC, algorithm: 'HMAC_SHA_256' },
  HMAC_384: { keyBytes: 48, mechanism: MechanismEnum.SHA384_HMAC, algorithm: 'HMAC_SHA_384' },
  HMAC_512: { keyBytes: 64, mechanism: MechanismEnum.SHA512_HMAC, algorithm: 'HMAC_SHA_512' },
};

function generatesOn(token: TokenAccess, curve: Curve): boolean {
  try {
    return token.withObjectSession((session) => {
      const { publicKey, privateKey } = ecKeyPairTemplates(curve);
      const pair = session.generateKeyPair(KeyGenMechanism.EC, publicKey, { ...privateKey, extractable: false });
      token.destroyObject(pair.privateKey.handle);
      token.destroyObject(pair.publicKey.handle);
      return true;
    });
  } catch (error) {
    pkcs11Code(error);
    return false;
  }
}

/** The specs this token serves in the token tier. */
export function probeTokenSpecs(token: TokenAccess): ReadonlySet<TokenSpec> {
  const has = (mechanisms: readonly number[]) => mechanisms.every((mechanism) => token.mechanisms.has(mechanism));
  const specs = new Set<TokenSpec>();
  if (has(RSA_MECHANISMS)) for (const spec of Object.keys(RSA_BITS) as AsymmetricKeySpec[]) specs.add(spec);
  if (has(EC_MECHANISMS)) {
    for (const [spec, curve] of Object.entries(CURVES) as [EccSpec, Curve][]) {
      if (generatesOn(token, curve)) specs.add(spec);
    }
  }
  for (const [spec, info] of Object.entries(HMAC_SPECS) as [HmacKeySpec, HmacSpecInfo][]) {
    if (has([MechanismEnum.GENERIC_SECRET_KEY_GEN, info.mechanism])) specs.add(spec);
  }
  return specs;
}
