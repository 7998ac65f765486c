/**
 * The at-rest form of a software-tier private key: sealed under the token's sealing key with
 * AES-256-GCM, with the key spec bound in as additional data so that a blob cannot be replayed
 * as a key of another spec (for instance an Ed25519 seed read as an SM2 scalar).
 *
 * Layout (version 1): `0x01 || iv (12 bytes) || ciphertext with its 16-byte GCM tag`.
 */
import type { KeySpec } from '../../models/kms/generated/shapes.js';
import type { SealedData } from '../../core/ports/index.js';
import { InvalidCiphertextException } from '../../models/kms/generated/errors.js';

/** The part of the token's key material that seals secrets under its sealing key. */
export interface Sealer {
  sealSecret(secret: Uint8Array, aad: Uint8Array): Promise<SealedData>;
  /** Throws when the sealed data does not authenticate under `aad`. */
  openSecret(sealed: SealedData, aad: Uint8Array): Promise<Uint8Array>;
}

const FORMAT_VERSION = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** The additional data a private key of `spec` is sealed with. */
export function sealedKeyAad(spec: KeySpec): Uint8Array {
  return new TextEncoder().encode(`kms-software-key:v${FORMAT_VERSION}:${spec}`);
}

/** The stored blob of a sealed private key. */
export function formatSealedKey({ iv, ciphertext }: SealedData): Uint8Array {
  if (iv.length !== IV_BYTES) throw new Error('the sealer returned an unexpected IV length');
  const blob = new Uint8Array(1 + IV_BYTES + ciphertext.length);
  blob[0] = FORMAT_VERSION;
  blob.set(iv, 1);
  blob.set(ciphertext, 1 + IV_BYTES);
  return blob;
}

/** The sealed data inside a stored blob; undefined when the blob is not in this format. */
export function parseSealedKey(blob: Uint8Array): SealedData | undefined {
  if (blob.length < 1 + IV_BYTES + TAG_BYTES || blob[0] !== FORMAT_VERSION) return undefined;
  return { iv: blob.subarray(1, 1 + IV_BYTES), ciphertext: blob.subarray(1 + IV_BYTES) };
}

/** Seals `privateKey` for `spec`. The caller still owns (and zeroes) `privateKey`. */
export async function sealPrivateKey(sealer: Sealer, spec: KeySpec, privateKey: Uint8Array): Promise<Uint8Array> {
  return formatSealedKey(await sealer.sealSecret(privateKey, sealedKeyAad(spec)));
}

/**
 * Opens a blob made by `sealPrivateKey` for the same `spec`. The caller must zero the result.
 * @throws InvalidCiphertextException when the blob is malformed or (from the sealer) does not authenticate.
 */
export async function openPrivateKey(sealer: Sealer, spec: KeySpec, blob: Uint8Array): Promise<Uint8Array> {
  const sealed = parseSealedKey(blob);
  if (sealed === undefined) throw new InvalidCiphertextException('', { reason: 'The stored key material is not in a recognized format.' });
  // The sealer's own errors pass through: InvalidCiphertextException for a blob that does not
  // authenticate (wrong spec, tampering), a token error for an unavailable token.
  return sealer.openSecret(sealed, sealedKeyAad(spec));
}

/**
 * Opens the private key, runs `use` on it and zeroes it afterwards, whether `use` succeeded or not.
 */
export async function withPrivateKey<T>(sealer: Sealer, spec: KeySpec, blob: Uint8Array, use: (privateKey: Uint8Array) => T): Promise<T> {
  const privateKey = await openPrivateKey(sealer, spec, blob);
  try {
    return use(privateKey);
  } finally {
    privateKey.fill(0);
  }
}
