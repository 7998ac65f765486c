/** Which key specs this service builds today, and the algorithms each spec and usage offers. */
import type { EncryptionAlgorithmSpec, KeySpec, KeyUsageType } from '../generated/shapes.js';

/** Key specs CreateKey accepts today; the others answer UnsupportedOperationException until built. */
export const SUPPORTED_KEY_SPECS: ReadonlySet<KeySpec> = new Set<KeySpec>(['SYMMETRIC_DEFAULT']);

/** Key usages AWS KMS allows for each supported key spec. */
export const KEY_USAGES_BY_SPEC: Readonly<Partial<Record<KeySpec, readonly KeyUsageType[]>>> = {
  SYMMETRIC_DEFAULT: ['ENCRYPT_DECRYPT'],
};

export function keyAlgorithms(spec: KeySpec, usage: KeyUsageType): { EncryptionAlgorithms?: EncryptionAlgorithmSpec[] } {
  if (spec === 'SYMMETRIC_DEFAULT' && usage === 'ENCRYPT_DECRYPT') return { EncryptionAlgorithms: ['SYMMETRIC_DEFAULT'] };
  return {};
}
