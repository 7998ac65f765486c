/**
 * Canonical form of an encryption context, used as additional authenticated data: pairs sorted
 * by the UTF-8 bytes of their keys, each key and value length-prefixed,
 * preceded by the pair count. Any changed, missing or extra pair changes the bytes.
 * Lengths are 4 bytes, big-endian, so no context the request size allows can overflow them.
 */
export type EncryptionContext = Readonly<Record<string, string>>;

export function canonicalEncryptionContext(context: EncryptionContext | undefined): Uint8Array {
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
