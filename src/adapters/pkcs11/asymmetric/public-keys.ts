/**
 * Public keys between the token's attributes and DER SubjectPublicKeyInfo (what GetPublicKey
 * returns and Verify / DeriveSharedSecret receive). Node does the ASN.1 through JWK.
 */
import { createPublicKey } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { ValidationException } from '../../../models/kms/generated/errors.js';
import type { Curve } from './curves.js';

export interface RsaPublicNumbers {
  readonly modulus: Buffer;
  readonly publicExponent: Buffer;
}

function spki(key: KeyObject): Uint8Array {
  return new Uint8Array(key.export({ type: 'spki', format: 'der' }));
}

/** DER SPKI of an RSA key from CKA_MODULUS and CKA_PUBLIC_EXPONENT. */
export function rsaSpki({ modulus, publicExponent }: RsaPublicNumbers): Uint8Array {
  const jwk = { kty: 'RSA', n: modulus.toString('base64url'), e: publicExponent.toString('base64url') };
  return spki(createPublicKey({ key: jwk, format: 'jwk' }));
}

/** DER SPKI of an EC key from its uncompressed point (04 || x || y). */
export function ecSpki(curve: Curve, point: Buffer): Uint8Array {
  const x = point.subarray(1, 1 + curve.fieldBytes);
  const y = point.subarray(1 + curve.fieldBytes);
  const jwk = { kty: 'EC', crv: curve.jwkCurve, x: x.toString('base64url'), y: y.toString('base64url') };
  return spki(createPublicKey({ key: jwk, format: 'jwk' }));
}

/** What an operator is told when a public key in a request is not a DER SPKI (AWS's answer has no message). */
const NOT_SPKI = 'PublicKey is not a valid DER-encoded SubjectPublicKeyInfo.';

/**
 * Parses a DER SPKI; throws `ValidationException` when it is not one, without a message on the
 * wire as AWS answers it (LocalStack's AWS snapshot test_derive_shared_secret, response-invalid-public-key).
 */
export function parseSpki(der: Uint8Array): KeyObject {
  try {
    return createPublicKey({ key: Buffer.from(der), format: 'der', type: 'spki' });
  } catch {
    throw new ValidationException('', { reason: NOT_SPKI });
  }
}

/** CKA_MODULUS and CKA_PUBLIC_EXPONENT of a parsed RSA public key. */
export function rsaNumbers(key: KeyObject): RsaPublicNumbers {
  const jwk = key.export({ format: 'jwk' });
  if (key.asymmetricKeyType !== 'rsa' || jwk.n === undefined || jwk.e === undefined) {
    throw new ValidationException('', { reason: 'The public key is not an RSA key.' });
  }
  return { modulus: Buffer.from(jwk.n, 'base64url'), publicExponent: Buffer.from(jwk.e, 'base64url') };
}

/**
 * The uncompressed point of a parsed EC public key. Throws `ValidationException` when the key is
 * not on `curve` (Node has already checked that the point lies on its own curve).
 */
export function ecPoint(key: KeyObject, curve: Curve): Buffer {
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== curve.nodeName) {
    throw new ValidationException('', { reason: "The public key's curve does not match the curve of the KMS key." });
  }
  const jwk = key.export({ format: 'jwk' });
  const x = Buffer.from(jwk.x ?? '', 'base64url');
  const y = Buffer.from(jwk.y ?? '', 'base64url');
  if (x.length !== curve.fieldBytes || y.length !== curve.fieldBytes) {
    throw new ValidationException('', { reason: NOT_SPKI });
  }
  return Buffer.concat([Buffer.from([0x04]), x, y]);
}
