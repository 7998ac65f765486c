/**
 * The little DER the key-material adapters need: SubjectPublicKeyInfo, ECDSA and SM2 signatures,
 * SM2 ciphertexts and EC points.
 * The reader is strict (definite, minimal lengths only) because its input can come from callers
 * and a lenient parser would accept several encodings of one signature.
 */
import { concatBytes } from '../core/kms/crypto/encryption-context.js';

export const TAG_INTEGER = 0x02;
export const TAG_BIT_STRING = 0x03;
export const TAG_OCTET_STRING = 0x04;
export const TAG_OID = 0x06;
export const TAG_SEQUENCE = 0x30;

/** Thrown for any input that is not the DER the caller expected. */
export class DerError extends Error {
  override readonly name = 'DerError';
}

function encodeLength(length: number): Uint8Array {
  if (length < 0x80) return Uint8Array.of(length);
  const bytes: number[] = [];
  for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest & 0xff);
  return Uint8Array.of(0x80 | bytes.length, ...bytes);
}

/** One TLV with the given tag around `contents`. */
export function derElement(tag: number, ...contents: readonly Uint8Array[]): Uint8Array {
  const body = concatBytes(...contents);
  return concatBytes(Uint8Array.of(tag), encodeLength(body.length), body);
}

/** A non-negative INTEGER. */
export function derUnsignedInteger(value: bigint): Uint8Array {
  if (value < 0n) throw new DerError('negative INTEGER');
  let hex = value.toString(16);
  if (hex.length % 2 === 1) hex = `0${hex}`;
  const bytes = Uint8Array.from(Buffer.from(hex, 'hex'));
  // A set top bit would make the INTEGER negative.
  const first = bytes[0] ?? 0;
  return derElement(TAG_INTEGER, first & 0x80 ? Uint8Array.of(0, ...bytes) : bytes);
}

/** Reads TLVs from a buffer, front to back. */
export class DerReader {
  readonly #bytes: Uint8Array;
  #offset = 0;

  constructor(bytes: Uint8Array) {
    this.#bytes = bytes;
  }

  get done(): boolean {
    return this.#offset === this.#bytes.length;
  }

  /** Returns the contents of the next element, which must have `tag`. */
  read(tag: number): Uint8Array {
    const bytes = this.#bytes;
    if (this.#offset + 2 > bytes.length) throw new DerError('truncated');
    if (bytes[this.#offset] !== tag) throw new DerError(`expected tag 0x${tag.toString(16)}`);
    const first = bytes[this.#offset + 1] ?? 0;
    let cursor = this.#offset + 2;
    let length = first;
    if (first & 0x80) {
      const count = first & 0x7f;
      if (count === 0 || count > 3 || cursor + count > bytes.length) throw new DerError('bad length');
      length = 0;
      for (let i = 0; i < count; i++) length = length * 256 + (bytes[cursor + i] ?? 0);
      cursor += count;
      if (length < 0x80 || (count > 1 && bytes[cursor - count] === 0)) throw new DerError('non-minimal length');
    }
    if (cursor + length > bytes.length) throw new DerError('truncated');
    this.#offset = cursor + length;
    return bytes.subarray(cursor, cursor + length);
  }

  /** Reads a non-negative, minimally encoded INTEGER. */
  readUnsignedInteger(): bigint {
    const contents = this.read(TAG_INTEGER);
    const first = contents[0];
    if (first === undefined) throw new DerError('empty INTEGER');
    if (first & 0x80) throw new DerError('negative INTEGER');
    if (first === 0 && contents.length > 1 && ((contents[1] ?? 0) & 0x80) === 0) throw new DerError('non-minimal INTEGER');
    return BigInt(`0x${Buffer.from(contents).toString('hex')}`);
  }

  /** Fails unless every byte was consumed. */
  end(): void {
    if (!this.done) throw new DerError('trailing data');
  }
}

/** Parses `SEQUENCE { ... }` covering all of `bytes` and returns a reader over its contents. */
export function readSequence(bytes: Uint8Array): DerReader {
  const outer = new DerReader(bytes);
  const contents = outer.read(TAG_SEQUENCE);
  outer.end();
  return new DerReader(contents);
}

/** Encodes a dotted OID such as `1.3.101.112` as a full OBJECT IDENTIFIER element. */
export function derOid(dotted: string): Uint8Array {
  const arcs = dotted.split('.').map((arc) => Number.parseInt(arc, 10));
  const [first = 0, second = 0, ...rest] = arcs;
  const body: number[] = [];
  for (const arc of [first * 40 + second, ...rest]) {
    const chunk: number[] = [arc & 0x7f];
    for (let value = Math.floor(arc / 128); value > 0; value = Math.floor(value / 128)) chunk.unshift(0x80 | (value & 0x7f));
    body.push(...chunk);
  }
  return derElement(TAG_OID, Uint8Array.from(body));
}
