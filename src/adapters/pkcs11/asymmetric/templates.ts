/**
 * Object templates. Generated private and secret keys are sensitive session objects, extractable
 * only so that C_WrapKey accepts them, and destroyed right after wrapping; unwrapped copies take
 * the unwrap template of their class (`../key-templates.ts`).
 */
import { KeyType, ObjectClass } from '../graphene.js';
import type { ITemplate } from 'graphene-pk11';
import type { Curve } from './curves.js';
import type { RsaPublicNumbers } from './public-keys.js';

const SESSION_OBJECT = { token: false } as const;
const GENERATED_SECRET = { ...SESSION_OBJECT, private: true, sensitive: true, extractable: true } as const;

/** 65537, the exponent AWS KMS RSA keys use. */
const F4 = Buffer.from([0x01, 0x00, 0x01]);

export function rsaKeyPairTemplates(modulusBits: number): { publicKey: ITemplate; privateKey: ITemplate } {
  return {
    publicKey: { ...SESSION_OBJECT, class: ObjectClass.PUBLIC_KEY, keyType: KeyType.RSA, modulusBits, publicExponent: F4, verify: true, encrypt: true },
    privateKey: { ...GENERATED_SECRET, class: ObjectClass.PRIVATE_KEY, keyType: KeyType.RSA, sign: true, decrypt: true },
  };
}

export function ecKeyPairTemplates(curve: Curve): { publicKey: ITemplate; privateKey: ITemplate } {
  return {
    publicKey: { ...SESSION_OBJECT, class: ObjectClass.PUBLIC_KEY, keyType: KeyType.EC, paramsEC: curve.ecParams, verify: true },
    privateKey: { ...GENERATED_SECRET, class: ObjectClass.PRIVATE_KEY, keyType: KeyType.EC, sign: true, derive: true },
  };
}

export function macKeyTemplate(valueLen: number): ITemplate {
  return { ...GENERATED_SECRET, class: ObjectClass.SECRET_KEY, keyType: KeyType.GENERIC_SECRET, valueLen, sign: true, verify: true };
}

export function rsaPublicKeyTemplate(numbers: RsaPublicNumbers): ITemplate {
  return { ...SESSION_OBJECT, class: ObjectClass.PUBLIC_KEY, keyType: KeyType.RSA, ...numbers, verify: true };
}

export function ecPublicKeyTemplate(curve: Curve, ecPointDer: Buffer): ITemplate {
  return { ...SESSION_OBJECT, class: ObjectClass.PUBLIC_KEY, keyType: KeyType.EC, paramsEC: curve.ecParams, pointEC: ecPointDer, verify: true };
}

/**
 * The secret ECDH1_DERIVE produces. Unlike every other object here it is readable: its value is
 * the shared secret DeriveSharedSecret returns. It is destroyed as soon as it has been read.
 */
export function sharedSecretTemplate(): ITemplate {
  return { ...SESSION_OBJECT, class: ObjectClass.SECRET_KEY, keyType: KeyType.GENERIC_SECRET, private: true, sensitive: false, extractable: true };
}
