/**
 * ML-DSA (FIPS 204) as AWS KMS offers it with ML_DSA_SHAKE_256: hedged signing in pure mode with an
 * empty context for MessageType RAW, and signing of a caller-computed 64-byte mu (FIPS 204 §6.2,
 * `mu = SHAKE256(SHAKE256(pk, 64) || 0x00 || 0x00 || M, 64)`) for EXTERNAL_MU, which yields the
 * same signature a RAW request over M would. HashML-DSA (FIPS 204 §5.4) is not offered.
 */
import { randomBytes } from 'node:crypto';
import { ml_dsa44, ml_dsa65, ml_dsa87 } from '@noble/post-quantum/ml-dsa.js';
import type { SigningAlgorithmSpec } from '../../models/kms/generated/shapes.js';
import type { SigningInput } from '../../core/ports/index.js';
import { EXTERNAL_MU_LENGTH } from '../../core/kms/keys/key-specs.js';
import { requireLength, requireMessageType } from './signing-input.js';

export type MlDsaSpec = 'ML_DSA_44' | 'ML_DSA_65' | 'ML_DSA_87';

const PARAMETER_SETS = { ML_DSA_44: ml_dsa44, ML_DSA_65: ml_dsa65, ML_DSA_87: ml_dsa87 } as const;

const SEED_BYTES = 32;

export function isMlDsaSpec(spec: string): spec is MlDsaSpec {
  return Object.hasOwn(PARAMETER_SETS, spec);
}

/**
 * A new key pair. The private key is the expanded FIPS 204 secret key rather than the 32-byte seed,
 * so that signing does not have to expand it again each time (expansion costs about half a signature).
 */
export function generateMlDsaKeyPair(spec: MlDsaSpec): { readonly privateKey: Uint8Array; readonly publicKey: Uint8Array } {
  const seed = randomBytes(SEED_BYTES);
  try {
    return mlDsaKeyPairFromSeed(spec, seed);
  } finally {
    seed.fill(0);
  }
}

/** FIPS 204 ML-DSA.KeyGen_internal from the 32-byte seed ξ (deterministic; used by known-answer tests). */
export function mlDsaKeyPairFromSeed(spec: MlDsaSpec, seed: Uint8Array): { readonly privateKey: Uint8Array; readonly publicKey: Uint8Array } {
  const { secretKey, publicKey } = PARAMETER_SETS[spec].keygen(seed);
  return { privateKey: secretKey, publicKey };
}

/** Throws `ValidationException` unless ML_DSA_SHAKE_256 accepts the input (RAW, or a 64-byte EXTERNAL_MU). */
export function checkMlDsaInput(algorithm: SigningAlgorithmSpec, input: SigningInput): void {
  requireMessageType(algorithm, input, ['RAW', 'EXTERNAL_MU']);
  if (input.messageType === 'EXTERNAL_MU') requireLength(algorithm, input, EXTERNAL_MU_LENGTH);
}

/** Signs with ML_DSA_SHAKE_256. Throws `ValidationException` for DIGEST or a mu that is not 64 bytes. */
export function mlDsaSign(spec: MlDsaSpec, secretKey: Uint8Array, algorithm: SigningAlgorithmSpec, input: SigningInput): Uint8Array {
  checkMlDsaInput(algorithm, input);
  const dsa = PARAMETER_SETS[spec];
  // Both paths are hedged: noble mixes fresh randomness into the per-signature nonce by default.
  return input.messageType === 'EXTERNAL_MU'
    ? dsa.internal.sign(input.message, secretKey, { externalMu: true })
    : dsa.sign(input.message, secretKey);
}

/** Verifies an ML_DSA_SHAKE_256 signature; false for anything malformed. */
export function mlDsaVerify(spec: MlDsaSpec, publicKey: Uint8Array, algorithm: SigningAlgorithmSpec, input: SigningInput, signature: Uint8Array): boolean {
  checkMlDsaInput(algorithm, input);
  const dsa = PARAMETER_SETS[spec];
  if (signature.length !== dsa.lengths.signature) return false;
  try {
    return input.messageType === 'EXTERNAL_MU'
      ? dsa.internal.verify(signature, input.message, publicKey, { externalMu: true })
      : dsa.verify(signature, input.message, publicKey);
  } catch {
    return false;
  }
}
