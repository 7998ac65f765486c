/**
 * Operations that need only a public key, for the key specs whose private half lives in the token
 * (RSA and the NIST / SECG curves): Verify and RSAES-OAEP encryption. Nothing secret is involved,
 * so they run in memory with Node's OpenSSL, and with @noble/curves for ECDSA over a digest.
 *
 * As AWS KMS signs them: ECDSA signatures are DER; RSASSA-PSS uses MGF1 with the message digest and
 * a salt as long as the digest; for MessageType DIGEST nothing is hashed again.
 */
import { constants, createHash, createPublicKey, publicDecrypt, publicEncrypt, verify as nodeVerify } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { p256, p384, p521 } from '@noble/curves/nist.js';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import type { EncryptionAlgorithmSpec, SigningAlgorithmSpec } from '../../core/generated/shapes.js';
import type { SigningInput } from '../../core/ports.js';
import { ValidationException } from '../../core/generated/errors.js';
import { DIGEST_LENGTHS } from '../../core/keys/key-specs.js';
import { requireLength, requireMessageType } from './signing-input.js';

type HashName = 'sha256' | 'sha384' | 'sha512';

const HASHES: Readonly<Partial<Record<SigningAlgorithmSpec, HashName>>> = {
  RSASSA_PSS_SHA_256: 'sha256', RSASSA_PSS_SHA_384: 'sha384', RSASSA_PSS_SHA_512: 'sha512',
  RSASSA_PKCS1_V1_5_SHA_256: 'sha256', RSASSA_PKCS1_V1_5_SHA_384: 'sha384', RSASSA_PKCS1_V1_5_SHA_512: 'sha512',
  ECDSA_SHA_256: 'sha256', ECDSA_SHA_384: 'sha384', ECDSA_SHA_512: 'sha512',
};

/** DER DigestInfo prefixes (RFC 8017 §9.2 note 1). */
const DIGEST_INFO_PREFIXES: Readonly<Record<HashName, string>> = {
  sha256: '3031300d060960864801650304020105000420',
  sha384: '3041300d060960864801650304020205000430',
  sha512: '3051300d060960864801650304020305000440',
};

const NOBLE_CURVES = { prime256v1: p256, secp384r1: p384, secp521r1: p521, secp256k1 } as const;

function ecPoint(key: KeyObject): Uint8Array {
  const jwk = key.export({ format: 'jwk' });
  return Uint8Array.from([4, ...Buffer.from(jwk.x ?? '', 'base64url'), ...Buffer.from(jwk.y ?? '', 'base64url')]);
}

/** EMSA-PSS-VERIFY (RFC 8017 §9.1.2) of an already-hashed message, salt length = hash length. */
function pssVerifyDigest(key: KeyObject, hash: HashName, digest: Uint8Array, signature: Uint8Array): boolean {
  const modulusBits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  const em = publicDecrypt({ key, padding: constants.RSA_NO_PADDING }, signature);
  const emBits = modulusBits - 1;
  const emLen = Math.ceil(emBits / 8);
  // The integer is modulusLen bytes; when emBits is a multiple of 8 its first byte must be zero.
  const encoded = em.subarray(em.length - emLen);
  if (em.subarray(0, em.length - emLen).some((byte) => byte !== 0)) return false;
  const hLen = digest.length;
  if (emLen < 2 * hLen + 2 || encoded[emLen - 1] !== 0xbc) return false;
  const maskedDb = encoded.subarray(0, emLen - hLen - 1);
  const h = encoded.subarray(emLen - hLen - 1, emLen - 1);
  const unusedBits = 8 * emLen - emBits;
  if (unusedBits > 0 && (maskedDb[0] ?? 0) >> (8 - unusedBits) !== 0) return false;
  const mask = new Uint8Array(maskedDb.length);
  for (let counter = 0, offset = 0; offset < mask.length; counter++, offset += hLen) {
    const block = createHash(hash).update(h).update(Uint8Array.of(counter >>> 24, (counter >>> 16) & 0xff, (counter >>> 8) & 0xff, counter & 0xff)).digest();
    mask.set(block.subarray(0, Math.min(hLen, mask.length - offset)), offset);
  }
  const db = maskedDb.map((byte, i) => byte ^ (mask[i] ?? 0));
  db[0] = (db[0] ?? 0) & (0xff >> unusedBits);
  const separator = db.length - hLen - 1;
  if (db.subarray(0, separator).some((byte) => byte !== 0) || db[separator] !== 1) return false;
  const salt = db.subarray(separator + 1);
  const expected = createHash(hash).update(new Uint8Array(8)).update(digest).update(salt).digest();
  return expected.equals(h);
}

function verifyRsa(key: KeyObject, algorithm: SigningAlgorithmSpec, hash: HashName, input: SigningInput, signature: Uint8Array): boolean {
  const pss = algorithm.startsWith('RSASSA_PSS');
  if (input.messageType === 'RAW') {
    const padding = pss
      ? { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: createHash(hash).digest().length }
      : { padding: constants.RSA_PKCS1_PADDING };
    return nodeVerify(hash, input.message, { key, ...padding }, signature);
  }
  if (pss) return pssVerifyDigest(key, hash, input.message, signature);
  const recovered = publicDecrypt({ key, padding: constants.RSA_PKCS1_PADDING }, signature);
  return recovered.equals(Buffer.concat([Buffer.from(DIGEST_INFO_PREFIXES[hash], 'hex'), input.message]));
}

function verifyEcdsa(key: KeyObject, hash: HashName, input: SigningInput, signature: Uint8Array): boolean {
  if (input.messageType === 'RAW') return nodeVerify(hash, input.message, { key, dsaEncoding: 'der' }, signature);
  const curveName = key.asymmetricKeyDetails?.namedCurve;
  const curve = curveName !== undefined && Object.hasOwn(NOBLE_CURVES, curveName) ? NOBLE_CURVES[curveName as keyof typeof NOBLE_CURVES] : undefined;
  if (!curve) return false;
  return curve.verify(signature, input.message, ecPoint(key), { prehash: false, format: 'der', lowS: false });
}

/**
 * Verifies an RSA or ECDSA signature against a DER SPKI public key.
 * Throws `ValidationException` for an unsupported message type or a digest of the wrong length;
 * false for a signature that does not verify, including a malformed one.
 */
export function verifyWithPublicKey(spki: Uint8Array, algorithm: SigningAlgorithmSpec, input: SigningInput, signature: Uint8Array): boolean {
  const hash = HASHES[algorithm];
  if (hash === undefined) throw new ValidationException(`Signing algorithm ${algorithm} is not supported here.`);
  requireMessageType(algorithm, input, ['RAW', 'DIGEST']);
  if (input.messageType === 'DIGEST') requireLength(algorithm, input, DIGEST_LENGTHS[algorithm] ?? 0);
  try {
    const key = createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
    if (key.asymmetricKeyType === 'rsa' && algorithm.startsWith('RSASSA')) return verifyRsa(key, algorithm, hash, input, signature);
    if (key.asymmetricKeyType === 'ec' && algorithm.startsWith('ECDSA')) return verifyEcdsa(key, hash, input, signature);
    return false;
  } catch {
    return false;
  }
}

/** RSAES-OAEP with MGF1 over the same hash, as AWS KMS encrypts. */
export function rsaOaepEncrypt(spki: Uint8Array, algorithm: EncryptionAlgorithmSpec, plaintext: Uint8Array): Uint8Array {
  const oaepHash = algorithm === 'RSAES_OAEP_SHA_1' ? 'sha1' : algorithm === 'RSAES_OAEP_SHA_256' ? 'sha256' : undefined;
  if (oaepHash === undefined) throw new ValidationException(`Encryption algorithm ${algorithm} is not valid for an RSA key.`);
  const key = createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
  return publicEncrypt({ key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash }, plaintext);
}
