/**
 * Keys given in the clear (seed files, imported key material) brought to the same at-rest form as
 * keys generated in the token: wrapped under the wrapping key of their class.
 *
 * A PKCS#8 private key reaches the token the way PKCS#11 moves keys in: wrapped (RFC 5649) under a
 * one-time transport key whose value this process chose, then unwrapped as an extractable session
 * object and wrapped again under the wrapping key. Node's OpenSSL checks the encoding and the key
 * type first and derives the public key; nothing passes through JavaScript strings.
 */
import { createCipheriv, createPrivateKey, createPublicKey, randomBytes } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { KeyType, ObjectClass } from '../graphene.js';
import type { Session } from 'graphene-pk11';
import { ValidationException } from '../../../models/kms/generated/errors.js';
import type { AsymmetricKeySpec, HmacKeySpec } from '../../../core/kms/keys/key-specs.js';
import { asBuffer } from '../aes-gcm.js';
import { CKA, WRAP_MECHANISM } from '../key-templates.js';
import { importUnder, wrapUnder } from '../wrapping.js';
import { CURVES, RSA_BITS, isEccSpec, isRsaSpec } from './curves.js';
import type { WrappedPair } from './key-generation.js';
import type { Handle, TokenAccess } from './token-access.js';
import { HMAC_SPECS } from './token-support.js';
import { say } from '../../../core/kms/messages.js';

/** RFC 5649's alternative initial value, which Node's `id-aes256-wrap-pad` expects explicitly. */
const RFC5649_IV = Buffer.from('a65959a6', 'hex');

/** The parsed private key; throws `ValidationException` unless it is a PKCS#8 key of `spec`. */
function privateKeyOf(spec: AsymmetricKeySpec, pkcs8: Buffer): KeyObject {
  const refuse = () => new ValidationException(say('importedKeyNotPkcs8', { keySpec: spec }));
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' });
  } catch {
    throw refuse();
  }
  const details = key.asymmetricKeyDetails;
  const matches = isRsaSpec(spec)
    ? key.asymmetricKeyType === 'rsa' && details?.modulusLength === RSA_BITS[spec]
    : isEccSpec(spec) && key.asymmetricKeyType === 'ec' && details?.namedCurve === CURVES[spec].nodeName;
  if (!matches) throw refuse();
  return key;
}

/** Creates a one-time AES-256 unwrapping key of known value as a session object. */
function transportKey(session: Session, value: Buffer): Handle {
  return session.lib.C_CreateObject(session.handle, [
    { type: CKA.CLASS, value: ObjectClass.SECRET_KEY }, { type: CKA.KEY_TYPE, value: KeyType.AES }, { type: CKA.VALUE, value },
    { type: CKA.TOKEN, value: false }, { type: CKA.SENSITIVE, value: true }, { type: CKA.EXTRACTABLE, value: false },
    { type: CKA.UNWRAP, value: true }, { type: CKA.WRAP, value: false }, { type: CKA.ENCRYPT, value: false }, { type: CKA.DECRYPT, value: false },
  ]);
}

export function importWrappedPair(token: TokenAccess, spec: AsymmetricKeySpec, pkcs8: Uint8Array): WrappedPair {
  const der = asBuffer(pkcs8);
  const privateKey = privateKeyOf(spec, der);
  const publicKey = new Uint8Array(createPublicKey(privateKey).export({ type: 'spki', format: 'der' }));
  const keyValue = randomBytes(32);
  const cipher = createCipheriv('id-aes256-wrap-pad', keyValue, RFC5649_IV);
  const transported = Buffer.concat([cipher.update(der), cipher.final()]);
  const isRsa = isRsaSpec(spec);
  try {
    const wrappedMaterial = token.withObjectSession((session) => {
      const transport = transportKey(session, keyValue);
      try {
        const loaded = session.lib.C_UnwrapKey(session.handle, { mechanism: WRAP_MECHANISM }, transport, transported, [
          { type: CKA.CLASS, value: ObjectClass.PRIVATE_KEY }, { type: CKA.KEY_TYPE, value: isRsa ? KeyType.RSA : KeyType.EC },
          { type: CKA.TOKEN, value: false }, { type: CKA.SENSITIVE, value: true }, { type: CKA.EXTRACTABLE, value: true },
        ]);
        try {
          return wrapUnder(session, token.wrappingKeys[isRsa ? 'rsa' : 'ec'], loaded);
        } finally {
          token.destroyObject(loaded);
        }
      } finally {
        token.destroyObject(transport);
      }
    });
    return { wrappedMaterial, publicKey };
  } finally {
    keyValue.fill(0);
    transported.fill(0);
  }
}

export function importWrappedMacKey(token: TokenAccess, spec: HmacKeySpec, key: Uint8Array): Uint8Array {
  const { keyBytes } = HMAC_SPECS[spec];
  /* Precondition: an imported HMAC key has the length of its key spec, as AWS KMS requires. */
  if (key.length !== keyBytes) throw new ValidationException(say('importedKeyLength', { keySpec: spec, bytes: keyBytes }));
  const value = Buffer.from(key);
  try {
    return token.withObjectSession((session) => importUnder(session, token.wrappingKeys.hmac, [
      { type: CKA.CLASS, value: ObjectClass.SECRET_KEY }, { type: CKA.KEY_TYPE, value: KeyType.GENERIC_SECRET }, { type: CKA.VALUE, value },
      { type: CKA.SIGN, value: true }, { type: CKA.VERIFY, value: true },
    ]));
  } finally {
    value.fill(0);
  }
}
