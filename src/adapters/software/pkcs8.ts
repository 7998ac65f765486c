/**
 * The private key inside a PKCS#8 PrivateKeyInfo / OneAsymmetricKey (RFC 5958) for the
 * software-tier specs, parsed here because Node 20's OpenSSL reads neither ML-DSA keys nor
 * (without going through JWK strings) raw Ed25519 seeds:
 * - Ed25519 (RFC 8410): `CurvePrivateKey ::= OCTET STRING` of the 32-byte seed;
 * - ML-DSA (RFC 9881): `seed [0] OCTET STRING (32)`, `expandedKey OCTET STRING` or
 *   `both SEQUENCE { seed, expandedKey }`;
 * - SM2: id-ecPublicKey on curve 1.2.156.10197.1.301 with an RFC 5915 ECPrivateKey.
 * Every returned array is a view into `der`: nothing secret is copied.
 */
import { DerError, DerReader, TAG_BIT_STRING, TAG_OCTET_STRING, TAG_SEQUENCE, derElement, derOid, readSequence } from '../der.js';

const TAG_INTEGER = 0x02;
const TAG_CONTEXT_0_PRIMITIVE = 0x80;
const TAG_CONTEXT_0 = 0xa0;
const TAG_CONTEXT_1 = 0xa1;
const TAG_CONTEXT_1_PRIMITIVE = 0x81;

export type Pkcs8Kind = 'ED25519' | 'ML_DSA_44' | 'ML_DSA_65' | 'ML_DSA_87' | 'SM2';

const ALGORITHMS: Readonly<Record<Pkcs8Kind, Uint8Array>> = {
  ED25519: derElement(TAG_SEQUENCE, derOid('1.3.101.112')),
  ML_DSA_44: derElement(TAG_SEQUENCE, derOid('2.16.840.1.101.3.4.3.17')),
  ML_DSA_65: derElement(TAG_SEQUENCE, derOid('2.16.840.1.101.3.4.3.18')),
  ML_DSA_87: derElement(TAG_SEQUENCE, derOid('2.16.840.1.101.3.4.3.19')),
  SM2: derElement(TAG_SEQUENCE, derOid('1.2.840.10045.2.1'), derOid('1.2.156.10197.1.301')),
};

/** Skips an optional element with one of `tags`. */
function skipOptional(reader: DerReader, ...tags: readonly number[]): void {
  for (const tag of tags) {
    try {
      reader.read(tag);
      return;
    } catch (error) {
      if (!(error instanceof DerError)) throw error;
    }
  }
}

/**
 * The `privateKey` OCTET STRING contents of a PKCS#8 key of `kind`.
 * @throws DerError when `der` is not exactly one PKCS#8 structure of that algorithm.
 */
export function pkcs8PrivateKey(kind: Pkcs8Kind, der: Uint8Array): Uint8Array {
  const reader = readSequence(der);
  const version = reader.read(TAG_INTEGER);
  if (version.length !== 1 || (version[0] !== 0 && version[0] !== 1)) throw new DerError('bad PKCS#8 version');
  const algorithm = reader.read(TAG_SEQUENCE);
  if (!Buffer.from(derElement(TAG_SEQUENCE, algorithm)).equals(Buffer.from(ALGORITHMS[kind]))) throw new DerError(`not a ${kind} key`);
  const privateKey = reader.read(TAG_OCTET_STRING);
  skipOptional(reader, TAG_CONTEXT_0);
  skipOptional(reader, TAG_CONTEXT_1_PRIMITIVE, TAG_CONTEXT_1);
  reader.end();
  return privateKey;
}

/** The 32-byte Ed25519 seed. */
export function ed25519Seed(der: Uint8Array): Uint8Array {
  const inner = new DerReader(pkcs8PrivateKey('ED25519', der));
  const seed = inner.read(TAG_OCTET_STRING);
  inner.end();
  if (seed.length !== 32) throw new DerError('bad Ed25519 seed length');
  return seed;
}

/** The seed and / or expanded key of an ML-DSA key, whichever the encoding carries. */
export function mlDsaPrivateKey(kind: 'ML_DSA_44' | 'ML_DSA_65' | 'ML_DSA_87', der: Uint8Array): { seed?: Uint8Array; expanded?: Uint8Array } {
  const contents = pkcs8PrivateKey(kind, der);
  const reader = new DerReader(contents);
  const tag = contents[0];
  if (tag === TAG_CONTEXT_0_PRIMITIVE) {
    const seed = reader.read(TAG_CONTEXT_0_PRIMITIVE);
    reader.end();
    return { seed };
  }
  if (tag === TAG_OCTET_STRING) {
    const expanded = reader.read(TAG_OCTET_STRING);
    reader.end();
    return { expanded };
  }
  const both = new DerReader(reader.read(TAG_SEQUENCE));
  reader.end();
  const seed = both.read(TAG_OCTET_STRING);
  const expanded = both.read(TAG_OCTET_STRING);
  both.end();
  return { seed, expanded };
}

/** The SM2 private scalar (big-endian, as stored, possibly shorter than 32 bytes) and the public point if given. */
export function sm2PrivateKey(der: Uint8Array): { scalar: Uint8Array; publicPoint?: Uint8Array } {
  const ecPrivateKey = new DerReader(pkcs8PrivateKey('SM2', der));
  const inner = new DerReader(ecPrivateKey.read(TAG_SEQUENCE));
  ecPrivateKey.end();
  const version = inner.read(TAG_INTEGER);
  if (version.length !== 1 || version[0] !== 1) throw new DerError('bad ECPrivateKey version');
  const scalar = inner.read(TAG_OCTET_STRING);
  skipOptional(inner, TAG_CONTEXT_0);
  let publicPoint: Uint8Array | undefined;
  if (!inner.done) {
    const wrapper = new DerReader(inner.read(TAG_CONTEXT_1));
    const bits = wrapper.read(TAG_BIT_STRING);
    wrapper.end();
    if (bits[0] !== 0) throw new DerError('bad ECPrivateKey public key');
    publicPoint = bits.subarray(1);
  }
  inner.end();
  return publicPoint === undefined ? { scalar } : { scalar, publicPoint };
}
