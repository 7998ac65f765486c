/**
 * Canonical form of an encryption context, used as additional authenticated data: pairs sorted
 * by the UTF-8 bytes of their keys, each key and value length-prefixed,
 * preceded by the pair count. Any changed, missing or extra pair changes the bytes.
 * Lengths are 4 bytes, big-endian, so no context the request size allows can overflow them.
 */
import { needs } from '../../errors/service-error.js';
import { ValidationException } from '../../../models/kms/generated/errors.js';
import { say } from '../messages.js';

export type EncryptionContext = Readonly<Record<string, string>>;

/**
 * The most UTF-8 bytes the keys and values of one encryption context may take together. AWS
 * documents no such limit for requests; this service sets one (docs/differences-from-aws-kms.md).
 */
export const MAX_ENCRYPTION_CONTEXT_BYTES = 8192;

/** A lone UTF-16 surrogate: text that has no UTF-8 form (TextEncoder would write U+FFFD for it). */
const UNPAIRED_SURROGATE = /\p{Surrogate}/u;

/**
 * Why `context` cannot be bound into additional authenticated data, or `undefined` when it can.
 * `member` names the request member in the words of AWS's validation messages (`encryptionContext`).
 *
 * A string that is not well-formed Unicode has no UTF-8 encoding of its own: encoded, every lone
 * surrogate becomes U+FFFD, so `{"tenant":"\ud83d"}` and `{"tenant":"\udc00"}` would be the same AAD.
 */
export function encryptionContextProblem(context: EncryptionContext, member: string): string | undefined {
  const encoder = new TextEncoder();
  let size = 0;
  for (const [key, value] of Object.entries(context)) {
    if (UNPAIRED_SURROGATE.test(key)) {
      return say('contextKeySurrogate', { member });
    }
    if (UNPAIRED_SURROGATE.test(value)) {
      return say('contextValueSurrogate', { member, key });
    }
    size += encoder.encode(key).length + encoder.encode(value).length;
  }
  if (size > MAX_ENCRYPTION_CONTEXT_BYTES) {
    return say('contextTooLarge', { member, size, limit: MAX_ENCRYPTION_CONTEXT_BYTES });
  }
  return undefined;
}

export function canonicalEncryptionContext(context: EncryptionContext | undefined): Uint8Array {
  /* Precondition: an encryption context bound into AAD is well-formed Unicode and within the size limit. */
  const problem = context === undefined ? undefined : encryptionContextProblem(context, 'encryptionContext');
  needs(problem === undefined, problem ?? '', ValidationException);
  const encoder = new TextEncoder();
  const pairs = Object.entries(context ?? {})
    .map(([key, value]) => [encoder.encode(key), encoder.encode(value)] as const)
    .sort(([a], [b]) => compareBytes(a, b));
  const size = 4 + pairs.reduce((sum, [key, value]) => sum + 8 + key.length + value.length, 0);
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  view.setUint32(0, pairs.length);
  let offset = 4;
  for (const part of pairs.flat()) {
    view.setUint32(offset, part.length);
    out.set(part, offset + 4);
    offset += 4 + part.length;
  }
  return out;
}

export function concatBytes(...parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const diff = (a[i] ?? 0) - (b[i] ?? 0);
    if (diff !== 0) return diff;
  }
  return a.length - b.length;
}
