/**
 * What each key spec is for, as AWS KMS defines it: the key usages it allows, and per usage the
 * encryption, signing, MAC and key agreement algorithms, with their message and plaintext limits.
 */
import { ValidationException } from '../../../models/kms/generated/errors.js';
import type {
  EncryptionAlgorithmSpec, KeyAgreementAlgorithmSpec, KeySpec, KeyUsageType, MacAlgorithmSpec, SigningAlgorithmSpec,
} from '../../../models/kms/generated/shapes.js';
import { constraintViolation, sayConstraint, shownValue, validationSummary } from '../../errors/constraint-messages.js';

export type AsymmetricKeySpec = Exclude<KeySpec, 'SYMMETRIC_DEFAULT' | 'HMAC_224' | 'HMAC_256' | 'HMAC_384' | 'HMAC_512'>;
export type HmacKeySpec = Extract<KeySpec, `HMAC_${string}`>;

/** Key specs AWS offers only in the China Regions. */
export const CHINA_ONLY_SPECS: ReadonlySet<KeySpec> = new Set<KeySpec>(['SM2']);
export const CHINA_REGIONS: ReadonlySet<string> = new Set(['cn-north-1', 'cn-northwest-1']);

/**
 * SM2 exists only in the China Regions; elsewhere AWS's model for the Region does not list it, so
 * a request naming it fails the enum check of `member`, whose values outside China are listed.
 */
export function assertOfferedInRegion<T extends string>(value: T, values: readonly T[], member: string, region: string): void {
  if (!CHINA_ONLY_SPECS.has(value as string as KeySpec) || CHINA_REGIONS.has(region)) return;
  const offered = values.filter((candidate) => !CHINA_ONLY_SPECS.has(candidate as string as KeySpec));
  throw new ValidationException(validationSummary([constraintViolation(shownValue(value), member, sayConstraint('mustBeInEnum', { values: offered.join(', ') }))]));
}

const RSA_SIGNING: readonly SigningAlgorithmSpec[] = [
  'RSASSA_PSS_SHA_256', 'RSASSA_PSS_SHA_384', 'RSASSA_PSS_SHA_512',
  'RSASSA_PKCS1_V1_5_SHA_256', 'RSASSA_PKCS1_V1_5_SHA_384', 'RSASSA_PKCS1_V1_5_SHA_512',
];
const RSA_ENCRYPTION: readonly EncryptionAlgorithmSpec[] = ['RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256'];
const ECDH: readonly KeyAgreementAlgorithmSpec[] = ['ECDH'];

interface SpecUsages {
  readonly ENCRYPT_DECRYPT?: readonly EncryptionAlgorithmSpec[];
  readonly SIGN_VERIFY?: readonly SigningAlgorithmSpec[];
  readonly GENERATE_VERIFY_MAC?: readonly MacAlgorithmSpec[];
  readonly KEY_AGREEMENT?: readonly KeyAgreementAlgorithmSpec[];
}

/** Every key spec of the API model, with the usages and algorithms AWS KMS allows for it. */
export const KEY_SPEC_USAGES: Readonly<Record<KeySpec, SpecUsages>> = {
  SYMMETRIC_DEFAULT: { ENCRYPT_DECRYPT: ['SYMMETRIC_DEFAULT'] },
  RSA_2048: { ENCRYPT_DECRYPT: RSA_ENCRYPTION, SIGN_VERIFY: RSA_SIGNING },
  RSA_3072: { ENCRYPT_DECRYPT: RSA_ENCRYPTION, SIGN_VERIFY: RSA_SIGNING },
  RSA_4096: { ENCRYPT_DECRYPT: RSA_ENCRYPTION, SIGN_VERIFY: RSA_SIGNING },
  ECC_NIST_P256: { SIGN_VERIFY: ['ECDSA_SHA_256'], KEY_AGREEMENT: ECDH },
  ECC_NIST_P384: { SIGN_VERIFY: ['ECDSA_SHA_384'], KEY_AGREEMENT: ECDH },
  ECC_NIST_P521: { SIGN_VERIFY: ['ECDSA_SHA_512'], KEY_AGREEMENT: ECDH },
  ECC_SECG_P256K1: { SIGN_VERIFY: ['ECDSA_SHA_256'] },
  ECC_NIST_EDWARDS25519: { SIGN_VERIFY: ['ED25519_SHA_512', 'ED25519_PH_SHA_512'] },
  HMAC_224: { GENERATE_VERIFY_MAC: ['HMAC_SHA_224'] },
  HMAC_256: { GENERATE_VERIFY_MAC: ['HMAC_SHA_256'] },
  HMAC_384: { GENERATE_VERIFY_MAC: ['HMAC_SHA_384'] },
  HMAC_512: { GENERATE_VERIFY_MAC: ['HMAC_SHA_512'] },
  ML_DSA_44: { SIGN_VERIFY: ['ML_DSA_SHAKE_256'] },
  ML_DSA_65: { SIGN_VERIFY: ['ML_DSA_SHAKE_256'] },
  ML_DSA_87: { SIGN_VERIFY: ['ML_DSA_SHAKE_256'] },
  SM2: { ENCRYPT_DECRYPT: ['SM2PKE'], SIGN_VERIFY: ['SM2DSA'], KEY_AGREEMENT: ECDH },
};

export function allowedUsages(spec: KeySpec): readonly KeyUsageType[] {
  return Object.keys(KEY_SPEC_USAGES[spec]) as KeyUsageType[];
}

export function isHmacSpec(spec: KeySpec): spec is HmacKeySpec {
  return spec.startsWith('HMAC_');
}

export function isAsymmetricSpec(spec: KeySpec): spec is AsymmetricKeySpec {
  return spec !== 'SYMMETRIC_DEFAULT' && !isHmacSpec(spec);
}

/** The algorithm lists DescribeKey and GetPublicKey report for a key. */
export function keyAlgorithms(spec: KeySpec, usage: KeyUsageType): {
  EncryptionAlgorithms?: EncryptionAlgorithmSpec[];
  SigningAlgorithms?: SigningAlgorithmSpec[];
  MacAlgorithms?: MacAlgorithmSpec[];
  KeyAgreementAlgorithms?: KeyAgreementAlgorithmSpec[];
} {
  const usages = KEY_SPEC_USAGES[spec];
  switch (usage) {
    case 'ENCRYPT_DECRYPT': return { EncryptionAlgorithms: [...(usages.ENCRYPT_DECRYPT ?? [])] };
    case 'SIGN_VERIFY': return { SigningAlgorithms: [...(usages.SIGN_VERIFY ?? [])] };
    case 'GENERATE_VERIFY_MAC': return { MacAlgorithms: [...(usages.GENERATE_VERIFY_MAC ?? [])] };
    case 'KEY_AGREEMENT': return { KeyAgreementAlgorithms: [...(usages.KEY_AGREEMENT ?? [])] };
  }
}

/** Largest plaintext AWS KMS encrypts with each RSA size and OAEP hash. */
export const RSA_PLAINTEXT_LIMITS: Readonly<Partial<Record<KeySpec, Readonly<Partial<Record<EncryptionAlgorithmSpec, number>>>>>> = {
  RSA_2048: { RSAES_OAEP_SHA_1: 214, RSAES_OAEP_SHA_256: 190 },
  RSA_3072: { RSAES_OAEP_SHA_1: 342, RSAES_OAEP_SHA_256: 318 },
  RSA_4096: { RSAES_OAEP_SHA_1: 470, RSAES_OAEP_SHA_256: 446 },
  SM2: { SM2PKE: 1024 },
};

/** The digest length MessageType DIGEST requires for each signing algorithm (bytes). */
export const DIGEST_LENGTHS: Readonly<Partial<Record<SigningAlgorithmSpec, number>>> = {
  RSASSA_PSS_SHA_256: 32, RSASSA_PSS_SHA_384: 48, RSASSA_PSS_SHA_512: 64,
  RSASSA_PKCS1_V1_5_SHA_256: 32, RSASSA_PKCS1_V1_5_SHA_384: 48, RSASSA_PKCS1_V1_5_SHA_512: 64,
  ECDSA_SHA_256: 32, ECDSA_SHA_384: 48, ECDSA_SHA_512: 64,
  SM2DSA: 32,
  ED25519_PH_SHA_512: 64,
};

/** ML-DSA's external mu is always 64 bytes. */
export const EXTERNAL_MU_LENGTH = 64;
