/**
 * The little DER this adapter needs: ECDSA signatures (PKCS#11 returns r || s, AWS returns
 * SEQUENCE { INTEGER r, INTEGER s }) and the OCTET STRING around CKA_EC_POINT.
 */

function encodeLength(length: number): Buffer {
  if (length < 0x80) return Buffer.from([length]);
  const bytes: number[] = [];
  for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest % 256);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

function tlv(tag: number, value: Buffer): Buffer {
  return Buffer.concat([Buffer.from([tag]), encodeLength(value.length), value]);
}

/** A non-negative big-endian integer as the minimal DER INTEGER content. */
function integerContent(unsigned: Uint8Array): Buffer {
  let start = 0;
  while (start < unsigned.length - 1 && unsigned[start] === 0) start++;
  const digits = Buffer.from(unsigned.subarray(start));
  // A set high bit would read as negative: DER requires a leading zero byte then.
  return (digits[0] ?? 0) & 0x80 ? Buffer.concat([Buffer.from([0]), digits]) : digits;
}

/** r || s (each `fieldBytes` long) as a DER ECDSA-Sig-Value. */
export function ecdsaRawToDer(raw: Uint8Array): Buffer {
  const half = raw.length / 2;
  const r = integerContent(raw.subarray(0, half));
  const s = integerContent(raw.subarray(half));
  return tlv(0x30, Buffer.concat([tlv(0x02, r), tlv(0x02, s)]));
}

interface Element {
  readonly tag: number;
  readonly value: Buffer;
  readonly end: number;
}

/** One strict-DER element at `offset`; undefined for anything BER-only or truncated. */
function readElement(der: Buffer, offset: number): Element | undefined {
  const tag = der[offset];
  const first = der[offset + 1];
  if (tag === undefined || first === undefined) return undefined;
  let length = first;
  let start = offset + 2;
  if (first >= 0x80) {
    const count = first & 0x7f;
    // Indefinite lengths and more than 3 length bytes are never valid here.
    if (count === 0 || count > 3) return undefined;
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + (der[start + i] ?? -1);
    if (length < 0 || der[start] === 0 || length < 0x80) return undefined;
    start += count;
  }
  const end = start + length;
  if (end > der.length) return undefined;
  return { tag, value: der.subarray(start, end), end };
}

/** A minimal, positive DER INTEGER left-padded to `size` bytes; undefined otherwise. */
function fixedWidthInteger(element: Element | undefined, size: number): Buffer | undefined {
  if (element?.tag !== 0x02 || element.value.length === 0) return undefined;
  const value = element.value;
  const first = value[0] ?? 0;
  if (first & 0x80) return undefined;
  if (first === 0 && value.length > 1 && !((value[1] ?? 0) & 0x80)) return undefined;
  const digits = first === 0 && value.length > 1 ? value.subarray(1) : value;
  if (digits.length > size) return undefined;
  const out = Buffer.alloc(size);
  digits.copy(out, size - digits.length);
  return out;
}

/**
 * A DER ECDSA-Sig-Value as r || s for PKCS#11. Undefined for anything that is not exactly one
 * strict-DER SEQUENCE of two integers that fit the curve; such a signature simply does not verify.
 */
export function ecdsaDerToRaw(der: Uint8Array, fieldBytes: number): Buffer | undefined {
  const bytes = Buffer.from(der.buffer, der.byteOffset, der.byteLength);
  const sequence = readElement(bytes, 0);
  if (sequence?.tag !== 0x30 || sequence.end !== bytes.length) return undefined;
  const rElement = readElement(sequence.value, 0);
  if (rElement === undefined) return undefined;
  const sElement = readElement(sequence.value, rElement.end);
  if (sElement === undefined || sElement.end !== sequence.value.length) return undefined;
  const r = fixedWidthInteger(rElement, fieldBytes);
  const s = fixedWidthInteger(sElement, fieldBytes);
  return r === undefined || s === undefined ? undefined : Buffer.concat([r, s]);
}

/** The uncompressed point inside CKA_EC_POINT (an OCTET STRING per PKCS#11; some tokens omit it). */
export function unwrapEcPoint(ecPoint: Buffer, fieldBytes: number): Buffer {
  const pointLength = 1 + 2 * fieldBytes;
  if (ecPoint.length === pointLength && ecPoint[0] === 0x04) return ecPoint;
  const element = readElement(ecPoint, 0);
  if (element?.tag !== 0x04 || element.end !== ecPoint.length || element.value.length !== pointLength) {
    throw new Error('The token returned an EC point of unexpected shape.');
  }
  return element.value;
}

/** An uncompressed point as the DER OCTET STRING that CKA_EC_POINT holds. */
export function wrapEcPoint(point: Buffer): Buffer {
  return tlv(0x04, point);
}
