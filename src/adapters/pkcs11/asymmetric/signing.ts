/**
 * How each AWS signing algorithm maps onto a token mechanism that signs a precomputed digest:
 * RSASSA-PKCS1-v1_5 as CKM_RSA_PKCS over DigestInfo || digest, RSASSA-PSS as CKM_RSA_PKCS_PSS and
 * ECDSA as CKM_ECDSA. Hashing stays in Node: a digest reveals nothing secret, and it lets RAW and
 * DIGEST share one path.
 */
import { createHash } from 'node:crypto';
import { MechanismEnum, MechParams, RsaMgf } from '../graphene.js';
import type { Session } from 'graphene-pk11';
import { ValidationException } from '../../../models/kms/generated/errors.js';
import type { SigningAlgorithmSpec } from '../../../models/kms/generated/shapes.js';
import { DIGEST_LENGTHS } from '../../../core/kms/keys/key-specs.js';
import type { SigningInput } from '../../../core/ports/index.js';
import { say } from '../../../core/kms/messages.js';
import { isEccSpec } from './curves.js';

export type TokenMechanism = Parameters<Session['lib']['C_SignInit']>[1];

type HashName = 'sha256' | 'sha384' | 'sha512';
type Scheme = 'pkcs1' | 'pss' | 'ecdsa';

interface HashInfo {
  readonly length: number;
  readonly mechanism: number;
  readonly mgf: number;
  /** DER of DigestInfo up to the digest: SEQUENCE { AlgorithmIdentifier { OID, NULL }, OCTET STRING (len) }. */
  readonly digestInfoPrefix: Buffer;
}

const HASHES: Readonly<Record<HashName, HashInfo>> = {
  // 2.16.840.1.101.3.4.2.1 / .2 / .3 with NULL parameters, as RFC 8017 section 9.2 note 1 lists them.
  sha256: { length: 32, mechanism: MechanismEnum.SHA256, mgf: RsaMgf.MGF1_SHA256, digestInfoPrefix: Buffer.from('3031300d060960864801650304020105000420', 'hex') },
  sha384: { length: 48, mechanism: MechanismEnum.SHA384, mgf: RsaMgf.MGF1_SHA384, digestInfoPrefix: Buffer.from('3041300d060960864801650304020205000430', 'hex') },
  sha512: { length: 64, mechanism: MechanismEnum.SHA512, mgf: RsaMgf.MGF1_SHA512, digestInfoPrefix: Buffer.from('3051300d060960864801650304020305000440', 'hex') },
};

export interface SigningScheme {
  readonly scheme: Scheme;
  readonly hash: HashName;
}

const SCHEMES: Readonly<Partial<Record<SigningAlgorithmSpec, SigningScheme>>> = {
  RSASSA_PKCS1_V1_5_SHA_256: { scheme: 'pkcs1', hash: 'sha256' },
  RSASSA_PKCS1_V1_5_SHA_384: { scheme: 'pkcs1', hash: 'sha384' },
  RSASSA_PKCS1_V1_5_SHA_512: { scheme: 'pkcs1', hash: 'sha512' },
  RSASSA_PSS_SHA_256: { scheme: 'pss', hash: 'sha256' },
  RSASSA_PSS_SHA_384: { scheme: 'pss', hash: 'sha384' },
  RSASSA_PSS_SHA_512: { scheme: 'pss', hash: 'sha512' },
  ECDSA_SHA_256: { scheme: 'ecdsa', hash: 'sha256' },
  ECDSA_SHA_384: { scheme: 'ecdsa', hash: 'sha384' },
  ECDSA_SHA_512: { scheme: 'ecdsa', hash: 'sha512' },
};

/**
 * The scheme of `algorithm` when it suits a key of `keySpec`; `ValidationException` otherwise
 * (the core rejects such requests first, this only keeps a slip from reaching the token).
 */
export function signingScheme(algorithm: SigningAlgorithmSpec, keySpec: string): SigningScheme {
  const family = isEccSpec(keySpec) ? 'ec' : 'rsa';
  const scheme = SCHEMES[algorithm];
  if (scheme === undefined || (scheme.scheme === 'ecdsa') !== (family === 'ec')) {
    throw new ValidationException(say('algorithmIncompatible', { algorithm, keySpec }));
  }
  return scheme;
}

/**
 * The digest to sign: the hash of a RAW message, or a DIGEST message as is after checking its
 * length. Throws `ValidationException` for a digest of the wrong length or an unsupported type.
 */
export function digestOf(algorithm: SigningAlgorithmSpec, { hash }: SigningScheme, input: SigningInput): Buffer {
  const message = Buffer.from(input.message.buffer, input.message.byteOffset, input.message.byteLength);
  if (input.messageType === 'RAW') return createHash(hash).update(message).digest();
  if (input.messageType !== 'DIGEST') {
    throw new ValidationException(say('messageTypeNotValid', { messageType: input.messageType, algorithm }));
  }
  if (message.length !== DIGEST_LENGTHS[algorithm]) {
    throw new ValidationException(say('digestLength', { algorithm }));
  }
  return message;
}

/** The token mechanism and the exact bytes it signs or verifies for `digest`. */
export function tokenSigning({ scheme, hash }: SigningScheme, digest: Buffer): { mechanism: TokenMechanism; data: Buffer } {
  const info = HASHES[hash];
  switch (scheme) {
    case 'pkcs1':
      return { mechanism: { mechanism: MechanismEnum.RSA_PKCS }, data: Buffer.concat([info.digestInfoPrefix, digest]) };
    case 'pss': {
      const parameter = { type: MechParams.RsaPSS, hashAlg: info.mechanism, mgf: info.mgf, saltLen: info.length };
      return { mechanism: { mechanism: MechanismEnum.RSA_PKCS_PSS, parameter }, data: digest };
    }
    case 'ecdsa':
      return { mechanism: { mechanism: MechanismEnum.ECDSA }, data: digest };
  }
}
