/** The symmetric targets of the benchmark, and the row labels a measured cell can carry. */
import { ASYMMETRIC_TARGETS, type AsymmetricTarget } from './asymmetric-targets.js';

/**
 * `Encrypt (policies)`: Encrypt by an IAM user under a 20-statement key policy plus 5 IAM policies (policy-target.ts).
 * `Encrypt spread` is Encrypt with each request naming another of `--spread-keys` keys in turn.
 */
export const KMS_OPERATIONS = ['Encrypt', 'Encrypt (policies)', 'Encrypt spread', 'Decrypt', 'GenerateDataKey'] as const;
export type KmsOperation = (typeof KMS_OPERATIONS)[number];

/** Row label of a cell: the HTTP floor, a symmetric operation, or an asymmetric/HMAC target. */
export type Target = string;

/** `--targets` names of the symmetric operations. */
export const SYMMETRIC_TARGET_IDS: Readonly<Record<string, KmsOperation>> = {
  encrypt: 'Encrypt', 'encrypt-policies': 'Encrypt (policies)', 'encrypt-spread': 'Encrypt spread', decrypt: 'Decrypt', 'generate-data-key': 'GenerateDataKey',
};

export const ASYMMETRIC_BY_LABEL: ReadonlyMap<string, AsymmetricTarget> = new Map(Object.values(ASYMMETRIC_TARGETS).map((t) => [t.label, t]));

/** Bytes of every plaintext in the symmetric cells and the raw PKCS#11 loop. */
export const PLAINTEXT_BYTES = 32;
