/**
 * Key generation inside the token: the private or secret key is made as a session object, leaves
 * only wrapped under the wrapping key of its class (CKM_AES_KEY_WRAP_PAD over its PKCS#8 or raw
 * encoding), and the objects are destroyed before returning.
 */
import { KeyGenMechanism } from '../graphene.js';
import type { IKeyPair, ITemplate, Session } from 'graphene-pk11';
import type { AsymmetricKeySpec, HmacKeySpec } from '../../../core/kms/keys/key-specs.js';
import { CURVES, RSA_BITS, isEccSpec, isRsaSpec } from './curves.js';
import { unwrapEcPoint } from './der.js';
import { ecSpki, rsaSpki } from './public-keys.js';
import { ecKeyPairTemplates, macKeyTemplate, rsaKeyPairTemplates } from './templates.js';
import type { TokenAccess } from './token-access.js';
import { HMAC_SPECS } from './token-support.js';
import { wrapUnder } from '../wrapping.js';

export interface WrappedPair {
  readonly wrappedMaterial: Uint8Array;
  readonly publicKey: Uint8Array;
}

/**
 * C_GenerateKeyPair in its callback form, which pkcs11js runs on libuv's thread pool: an RSA_4096
 * generation takes seconds on SoftHSM, during which the event loop goes on serving.
 */
export function generateKeyPairOffLoop(session: Session, mechanism: KeyGenMechanism, publicKey: ITemplate, privateKey: ITemplate): Promise<IKeyPair> {
  return new Promise((resolve, reject) => {
    session.generateKeyPair(mechanism, publicKey, privateKey, (error, pair) => {
      if (error !== null && error !== undefined) reject(error);
      else if (pair === null) reject(new Error('C_GenerateKeyPair returned no key pair.'));
      else resolve(pair);
    });
  });
}

function generatePair(session: Session, spec: AsymmetricKeySpec): Promise<IKeyPair> {
  if (isRsaSpec(spec)) {
    const { publicKey, privateKey } = rsaKeyPairTemplates(RSA_BITS[spec]);
    return generateKeyPairOffLoop(session, KeyGenMechanism.RSA, publicKey, privateKey);
  }
  if (isEccSpec(spec)) {
    const { publicKey, privateKey } = ecKeyPairTemplates(CURVES[spec]);
    return generateKeyPairOffLoop(session, KeyGenMechanism.EC, publicKey, privateKey);
  }
  throw new RangeError(`Key spec ${spec} is not served by the token tier.`);
}

function publicKeyDer(pair: IKeyPair, spec: AsymmetricKeySpec): Uint8Array {
  if (isEccSpec(spec)) {
    const curve = CURVES[spec];
    const { pointEC } = pair.publicKey.getAttribute({ pointEC: null }) as { pointEC: Buffer };
    return ecSpki(curve, unwrapEcPoint(pointEC, curve.fieldBytes));
  }
  const numbers = pair.publicKey.getAttribute({ modulus: null, publicExponent: null }) as { modulus: Buffer; publicExponent: Buffer };
  return rsaSpki(numbers);
}

export function generateWrappedPair(token: TokenAccess, spec: AsymmetricKeySpec): Promise<WrappedPair> {
  return token.generateOffLoop(async (session, destroy) => {
    const pair = await generatePair(session, spec);
    try {
      const wrappedMaterial = wrapUnder(session, token.wrappingKeys[isRsaSpec(spec) ? 'rsa' : 'ec'], pair.privateKey.handle);
      return { wrappedMaterial, publicKey: publicKeyDer(pair, spec) };
    } finally {
      destroy(pair.privateKey.handle);
      destroy(pair.publicKey.handle);
    }
  });
}

export function generateWrappedMacKey(token: TokenAccess, spec: HmacKeySpec): Uint8Array {
  return token.withObjectSession((session) => {
    const key = session.generateKey(KeyGenMechanism.GENERIC_SECRET, macKeyTemplate(HMAC_SPECS[spec].keyBytes));
    try {
      return wrapUnder(session, token.wrappingKeys.hmac, key.handle);
    } finally {
      token.destroyObject(key.handle);
    }
  });
}
