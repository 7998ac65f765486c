/**
 * RSAES-OAEP decryption. The token does OAEP itself where it can; SoftHSM 2.6 accepts only SHA-1
 * in CK_RSA_PKCS_OAEP_PARAMS, so for SHA-256 the token performs the raw RSA private-key operation
 * (CKM_RSA_X_509) and the OAEP decoding (RFC 8017 section 7.1.2) runs here. The private key stays
 * in the token either way; the decoded block holds nothing beyond the plaintext the caller receives.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { MechanismEnum, MechParams, RsaMgf } from '../graphene.js';
import { InvalidCiphertextException, ValidationException } from '../../../models/kms/generated/errors.js';
import type { EncryptionAlgorithmSpec } from '../../../models/kms/generated/shapes.js';
import type { TokenMechanism } from './signing.js';
import { say } from '../../../core/kms/messages.js';

export type OaepHash = 'sha1' | 'sha256';

const HASH_INFO: Readonly<Record<OaepHash, { readonly length: number; readonly mechanism: number; readonly mgf: number }>> = {
  sha1: { length: 20, mechanism: MechanismEnum.SHA1, mgf: RsaMgf.MGF1_SHA1 },
  sha256: { length: 32, mechanism: MechanismEnum.SHA256, mgf: RsaMgf.MGF1_SHA256 },
};

/** CKZ_DATA_SPECIFIED: the label source; no label is given, as AWS uses none. */
const CKZ_DATA_SPECIFIED = 1;

export function oaepHash(algorithm: EncryptionAlgorithmSpec, keySpec: string): OaepHash {
  if (algorithm === 'RSAES_OAEP_SHA_1') return 'sha1';
  if (algorithm === 'RSAES_OAEP_SHA_256') return 'sha256';
  throw new ValidationException(say('algorithmIncompatible', { algorithm, keySpec }));
}

/** CKM_RSA_PKCS_OAEP with MGF1 over the same hash and an empty label. */
export function oaepMechanism(hash: OaepHash): TokenMechanism {
  const info = HASH_INFO[hash];
  const parameter = { type: MechParams.RsaOAEP, hashAlg: info.mechanism, mgf: info.mgf, source: CKZ_DATA_SPECIFIED };
  return { mechanism: MechanismEnum.RSA_PKCS_OAEP, parameter };
}

export const RAW_RSA: TokenMechanism = { mechanism: MechanismEnum.RSA_X_509 };

function mgf1(hash: OaepHash, seed: Buffer, length: number): Buffer {
  const blocks: Buffer[] = [];
  const counter = Buffer.alloc(4);
  for (let produced = 0, i = 0; produced < length; i++) {
    counter.writeUInt32BE(i);
    const block = createHash(hash).update(seed).update(counter).digest();
    blocks.push(block);
    produced += block.length;
  }
  return Buffer.concat(blocks).subarray(0, length);
}

function xorInPlace(target: Buffer, mask: Buffer): void {
  for (let i = 0; i < target.length; i++) target[i] = (target[i] ?? 0) ^ (mask[i] ?? 0);
}

/**
 * Decodes the `modulusBytes`-long encoded message EM. Every failure throws the same
 * `InvalidCiphertextException` after the same work, so the error reveals no padding detail
 * (Manger's attack). Zeroes `em`.
 */
export function decodeOaep(hash: OaepHash, em: Buffer, modulusBytes: number): Buffer {
  const hLen = HASH_INFO[hash].length;
  try {
    if (em.length > modulusBytes || modulusBytes < 2 * hLen + 2) throw new InvalidCiphertextException('');
    // The raw RSA result may come without its leading zero bytes.
    const block = Buffer.alloc(modulusBytes);
    em.copy(block, modulusBytes - em.length);
    const seed = block.subarray(1, 1 + hLen);
    const db = block.subarray(1 + hLen);
    xorInPlace(seed, mgf1(hash, db, hLen));
    xorInPlace(db, mgf1(hash, seed, db.length));
    const labelHash = createHash(hash).digest();
    let invalid = (block[0] ?? 0) | (timingSafeEqual(labelHash, db.subarray(0, hLen)) ? 0 : 1);
    let searching = 1;
    let separator = 0;
    for (let i = hLen; i < db.length; i++) {
      const byte = db[i] ?? 0;
      const isZero = ((byte - 1) >>> 31) & 1;
      const isOne = (((byte ^ 1) - 1) >>> 31) & 1;
      separator |= i * (searching & isOne);
      invalid |= searching & (1 - isZero) & (1 - isOne);
      searching &= 1 - isOne;
    }
    if ((invalid | searching) !== 0) {
      block.fill(0);
      throw new InvalidCiphertextException('');
    }
    const message = Buffer.from(db.subarray(separator + 1));
    block.fill(0);
    return message;
  } finally {
    em.fill(0);
  }
}
