/**
 * DER SubjectPublicKeyInfo for the software-tier key specs, in the shape GetPublicKey returns:
 * - Ed25519: RFC 8410 (OID 1.3.101.112, no parameters, the 32-byte key in the BIT STRING);
 * - ML-DSA: RFC 9881 (OID 2.16.840.1.101.3.4.3.17/18/19, no parameters, the raw public key in the
 *   BIT STRING), so that the offset-17 `asn1parse -strparse` step AWS documents for external mu works;
 * - SM2: id-ecPublicKey with the SM2 curve OID 1.2.156.10197.1.301 and an uncompressed point.
 */
import { DerError, TAG_BIT_STRING, TAG_SEQUENCE, derElement, derOid, readSequence } from '../der.js';

export type SoftwareSpkiKind = 'ED25519' | 'ML_DSA_44' | 'ML_DSA_65' | 'ML_DSA_87' | 'SM2';

const ALGORITHM_OIDS: Readonly<Record<SoftwareSpkiKind, { readonly oid: string; readonly curve?: string; readonly keyBytes: number }>> = {
  ED25519: { oid: '1.3.101.112', keyBytes: 32 },
  ML_DSA_44: { oid: '2.16.840.1.101.3.4.3.17', keyBytes: 1312 },
  ML_DSA_65: { oid: '2.16.840.1.101.3.4.3.18', keyBytes: 1952 },
  ML_DSA_87: { oid: '2.16.840.1.101.3.4.3.19', keyBytes: 2592 },
  // An uncompressed point: 0x04 || x || y.
  SM2: { oid: '1.2.840.10045.2.1', curve: '1.2.156.10197.1.301', keyBytes: 65 },
};

function algorithmIdentifier(kind: SoftwareSpkiKind): Uint8Array {
  const { oid, curve } = ALGORITHM_OIDS[kind];
  return curve === undefined ? derElement(TAG_SEQUENCE, derOid(oid)) : derElement(TAG_SEQUENCE, derOid(oid), derOid(curve));
}

/** Wraps a raw public key (for SM2, the uncompressed point) in a SubjectPublicKeyInfo. */
export function encodeSpki(kind: SoftwareSpkiKind, rawPublicKey: Uint8Array): Uint8Array {
  if (rawPublicKey.length !== ALGORITHM_OIDS[kind].keyBytes) throw new RangeError(`wrong ${kind} public key length`);
  return derElement(TAG_SEQUENCE, algorithmIdentifier(kind), derElement(TAG_BIT_STRING, Uint8Array.of(0), rawPublicKey));
}

/**
 * The raw public key inside `spki`, which must be a `kind` key.
 * @throws DerError when it is not well-formed DER of exactly that algorithm.
 */
export function decodeSpki(kind: SoftwareSpkiKind, spki: Uint8Array): Uint8Array {
  const outer = readSequence(spki);
  const algorithm = outer.read(TAG_SEQUENCE);
  const bitString = outer.read(TAG_BIT_STRING);
  outer.end();
  const expected = algorithmIdentifier(kind);
  const actual = derElement(TAG_SEQUENCE, algorithm);
  if (!Buffer.from(expected).equals(Buffer.from(actual))) throw new DerError(`not a ${kind} public key`);
  if (bitString[0] !== 0 || bitString.length - 1 !== ALGORITHM_OIDS[kind].keyBytes) throw new DerError(`bad ${kind} public key`);
  return bitString.subarray(1);
}
