/**
 * Key import into the token: a private or secret key given in the clear is created as the same
 * kind of session object key generation makes (sensitive, extractable only for C_WrapKey), wrapped
 * under the root key and destroyed, so it rests exactly as a generated key does.
 *
 * The private key's numbers are read straight out of the caller's PKCS#8 bytes (views, no copies),
 * so zeroing those bytes leaves no copy of them here; Node only checks what kind of key it is.
 */
import { createPrivateKey, createPublicKey } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import type { Session, ITemplate } from 'graphene-pk11';
import { ValidationException } from '../../../models/kms/generated/errors.js';
import type { AsymmetricKeySpec, HmacKeySpec } from '../../../core/kms/keys/key-specs.js';
import { DerReader, TAG_INTEGER, TAG_OCTET_STRING, TAG_SEQUENCE, readSequence } from '../../der.js';
import { asBuffer } from '../aes-gcm.js';
import { CURVES, RSA_BITS, isEccSpec, isRsaSpec } from './curves.js';
import type { Curve } from './curves.js';
import { WRAP_MECHANISM, type WrappedPair } from './key-generation.js';
import { ecSpki, rsaSpki } from './public-keys.js';
import { ecKeyPairTemplates, macKeyTemplate, rsaKeyPairTemplates } from './templates.js';
import type { TokenAccess } from './token-access.js';
import { HMAC_SPECS } from './token-support.js';

/** Imports a PKCS#8 private key of `spec` (RSA or token-tier ECC). Throws `ValidationException` when it is not one. */
export function importWrappedPair(token: TokenAccess, spec: AsymmetricKeySpec, pkcs8: Uint8Array): WrappedPair {
  const publicKey = createPublicKey(parsePkcs8(pkcs8, spec));
  const template = privateKeyTemplate(spec, pkcs8);
  return token.withObjectSession((session) => ({
    wrappedMaterial: wrapAndDestroy(token, session, template),
    publicKey: publicKeyDer(spec, publicKey),
  }));
}

/** Imports an HMAC key of `spec`; AWS requires the length the key spec names. */
export function importWrappedMacKey(token: TokenAccess, spec: HmacKeySpec, key: Uint8Array): Uint8Array {
  const { keyBytes } = HMAC_SPECS[spec];
  if (key.length !== keyBytes) throw new ValidationException(`The key material of a ${spec} key must be ${keyBytes} bytes long.`);
  // CKA_VALUE_LEN is implied by CKA_VALUE when an object is created.
  const { valueLen: _valueLen, ...generated } = macKeyTemplate(keyBytes);
  return token.withObjectSession((session) => wrapAndDestroy(token, session, { ...generated, value: asBuffer(key) }));
}

function wrapAndDestroy(token: TokenAccess, session: Session, template: ITemplate): Uint8Array {
  const object = session.create(template);
  try {
    return new Uint8Array(session.wrapKey(WRAP_MECHANISM, token.rootKey, object.toType()));
  } finally {
    token.destroyObject(object.handle);
  }
}

function parsePkcs8(pkcs8: Uint8Array, spec: AsymmetricKeySpec): KeyObject {
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: asBuffer(pkcs8), format: 'der', type: 'pkcs8' });
  } catch {
    throw new ValidationException('The key material is not a valid DER-encoded PKCS#8 private key.');
  }
  const details = key.asymmetricKeyDetails;
  const matches = isRsaSpec(spec)
    ? key.asymmetricKeyType === 'rsa' && details?.modulusLength === RSA_BITS[spec]
    : isEccSpec(spec) && key.asymmetricKeyType === 'ec' && details?.namedCurve === CURVES[spec].nodeName;
  if (!matches) throw new ValidationException(`The key material is not a ${spec} private key.`);
  return key;
}

/** DER SPKI as key generation reports it. */
function publicKeyDer(spec: AsymmetricKeySpec, publicKey: KeyObject): Uint8Array {
  const jwk = publicKey.export({ format: 'jwk' });
  if (isEccSpec(spec)) {
    const point = Buffer.concat([Buffer.of(0x04), Buffer.from(jwk.x ?? '', 'base64url'), Buffer.from(jwk.y ?? '', 'base64url')]);
    return ecSpki(CURVES[spec], point);
  }
  return rsaSpki({ modulus: Buffer.from(jwk.n ?? '', 'base64url'), publicExponent: Buffer.from(jwk.e ?? '', 'base64url') });
}

/** The private key object's template, its numbers read from the PKCS#8 `privateKey` OCTET STRING. */
function privateKeyTemplate(spec: AsymmetricKeySpec, pkcs8: Uint8Array): ITemplate {
  const outer = readSequence(pkcs8);
  outer.read(TAG_INTEGER); // version
  outer.read(TAG_SEQUENCE); // algorithm, already checked by Node
  const inner = readSequence(outer.read(TAG_OCTET_STRING));
  if (isRsaSpec(spec)) return rsaTemplate(RSA_BITS[spec], inner);
  if (isEccSpec(spec)) return ecTemplate(CURVES[spec], inner);
  throw new ValidationException(`Key spec ${spec} is not served by the token tier.`);
}

/** RSAPrivateKey (RFC 8017 A.1.2), two primes. */
function rsaTemplate(bits: number, rsa: DerReader): ITemplate {
  unsignedBytes(rsa); // version
  const [modulus, publicExponent, privateExponent, prime1, prime2, exp1, exp2, coefficient] =
    Array.from({ length: 8 }, () => unsignedBytes(rsa));
  return { ...rsaKeyPairTemplates(bits).privateKey, modulus, publicExponent, privateExponent, prime1, prime2, exp1, exp2, coefficient };
}

/** ECPrivateKey (RFC 5915): version 1, then the private value. */
function ecTemplate(curve: Curve, ec: DerReader): ITemplate {
  unsignedBytes(ec); // version
  return { ...ecKeyPairTemplates(curve).privateKey, paramsEC: curve.ecParams, value: asBuffer(ec.read(TAG_OCTET_STRING)) };
}

/** An INTEGER's magnitude as PKCS#11 big integers want it: big-endian, no sign byte. */
function unsignedBytes(reader: DerReader): Buffer {
  const contents = reader.read(TAG_INTEGER);
  return asBuffer(contents[0] === 0 && contents.length > 1 ? contents.subarray(1) : contents);
}
