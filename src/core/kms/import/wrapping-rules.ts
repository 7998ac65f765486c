/**
 * The rules of importing key material that the Developer Guide ("Importing key material step 2:
 * Download the wrapping public key and import token" and "step 4: Import the key material") states
 * as tables, kept as data: which wrapping algorithms and wrapping key specs each kind of key
 * material accepts, how long an import token lives, and how far ahead ValidTo may lie.
 */
import type { AlgorithmSpec, KeySpec, WrappingKeySpec } from '../../../models/kms/generated/shapes.js';
import { isHmacSpec } from '../keys/key-specs.js';

/** The kinds of key material the guide's wrapping table has one row for each. */
export type MaterialKind = 'symmetric' | 'rsa' | 'ecc' | 'sm2' | 'hmac';

/** One row of the guide's table: the wrapping algorithms (in its preference order) and wrapping key specs. */
export interface WrappingRow {
  readonly algorithms: readonly AlgorithmSpec[];
  readonly wrappingKeySpecs: readonly WrappingKeySpec[];
}

const RSA_SPECS: readonly WrappingKeySpec[] = ['RSA_2048', 'RSA_3072', 'RSA_4096'];

/**
 * The guide's table "Supported wrapping algorithm and spec" per key material. RSAES_PKCS1_V1_5 is
 * in no row: "As of October 10, 2023, AWS KMS does not support the RSAES_PKCS1_V1_5 wrapping
 * algorithm." SM2PKE and the SM2 wrapping key spec are China Regions only (see `CHINA_ONLY_WRAPPING`).
 */
export const WRAPPING_TABLE: Readonly<Record<MaterialKind, WrappingRow>> = {
  symmetric: { algorithms: ['RSAES_OAEP_SHA_256', 'RSAES_OAEP_SHA_1', 'RSA_AES_KEY_WRAP_SHA_256', 'RSA_AES_KEY_WRAP_SHA_1'], wrappingKeySpecs: RSA_SPECS },
  rsa: { algorithms: ['RSA_AES_KEY_WRAP_SHA_256', 'RSA_AES_KEY_WRAP_SHA_1', 'SM2PKE'], wrappingKeySpecs: [...RSA_SPECS, 'SM2'] },
  ecc: { algorithms: ['RSA_AES_KEY_WRAP_SHA_256', 'RSA_AES_KEY_WRAP_SHA_1', 'RSAES_OAEP_SHA_256', 'RSAES_OAEP_SHA_1', 'SM2PKE'], wrappingKeySpecs: [...RSA_SPECS, 'SM2'] },
  sm2: { algorithms: ['RSAES_OAEP_SHA_256', 'RSAES_OAEP_SHA_1', 'SM2PKE'], wrappingKeySpecs: [...RSA_SPECS, 'SM2'] },
  hmac: { algorithms: ['RSAES_OAEP_SHA_256', 'RSAES_OAEP_SHA_1'], wrappingKeySpecs: RSA_SPECS },
};

/*
 * The symmetric row of the guide's 2024 table lists only the two RSAES_OAEP algorithms, but its
 * text says "AWS KMS supports RSA_AES_KEY_WRAP_SHA_* wrapping algorithms for all supported types
 * of imported key material and all supported public key specs", so `allowsWrapping` adds them to
 * every row but SM2 material's: SM2 is China Regions only, where "The RSA_AES_KEY_WRAP_SHA_256 and
 * RSA_AES_KEY_WRAP_SHA_1 wrapping algorithms are not supported".
 */
const KEY_WRAP_ALGORITHMS: readonly AlgorithmSpec[] = ['RSA_AES_KEY_WRAP_SHA_256', 'RSA_AES_KEY_WRAP_SHA_1'];

/** Wrapping algorithms and key specs offered only in the China Regions. */
export const CHINA_ONLY_WRAPPING: ReadonlySet<AlgorithmSpec | WrappingKeySpec> = new Set<AlgorithmSpec | WrappingKeySpec>(['SM2PKE', 'SM2']);

/** "Each wrapping public key and import token set is valid for 24 hours." */
export const IMPORT_PARAMETERS_VALIDITY_MS = 24 * 60 * 60 * 1000;

/** "you can set an optional expiration date and time for the key material of up to 365 days from the import date" */
export const MAX_VALID_TO_MS = 365 * 24 * 60 * 60 * 1000;

/** The guide's row for a KMS key's spec. */
export function materialKindOf(keySpec: KeySpec): MaterialKind {
  if (keySpec === 'SYMMETRIC_DEFAULT') return 'symmetric';
  if (isHmacSpec(keySpec)) return 'hmac';
  if (keySpec.startsWith('RSA_')) return 'rsa';
  if (keySpec === 'SM2') return 'sm2';
  return 'ecc';
}

/**
 * Whether material of `keySpec` may be wrapped with `algorithm` under a `wrappingKeySpec` public key.
 * Also refuses the guide's one excluded combination: "ECC_NIST_P521 key material, the RSA_2048 public
 * wrapping key spec, and an RSAES_OAEP_SHA_* wrapping algorithm" (the key does not fit the padding).
 */
export function allowsWrapping(keySpec: KeySpec, algorithm: AlgorithmSpec, wrappingKeySpec: WrappingKeySpec): boolean {
  const kind = materialKindOf(keySpec);
  const row = WRAPPING_TABLE[kind];
  const algorithmOk = row.algorithms.includes(algorithm) || (kind !== 'sm2' && KEY_WRAP_ALGORITHMS.includes(algorithm));
  if (!algorithmOk || !row.wrappingKeySpecs.includes(wrappingKeySpec)) return false;
  // SM2 wrapping keys go with SM2PKE and RSA wrapping keys with the RSA algorithms.
  if ((wrappingKeySpec === 'SM2') !== (algorithm === 'SM2PKE')) return false;
  return !(keySpec === 'ECC_NIST_P521' && wrappingKeySpec === 'RSA_2048' && algorithm.startsWith('RSAES_OAEP_'));
}

/** Whether `validTo` (epoch ms) is a ValidTo the guide allows at `now`: in the future, at most 365 days ahead. */
export function validToAllowed(validTo: number, now: number): boolean {
  return validTo > now && validTo <= now + MAX_VALID_TO_MS;
}
