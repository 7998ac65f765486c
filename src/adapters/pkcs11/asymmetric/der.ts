/**
 * ECDSA signatures between PKCS#11 (raw r || s) and AWS (DER SEQUENCE { INTEGER r, INTEGER s }),
 * and the DER OCTET STRING around CKA_EC_POINT, on the adapters' shared strict DER codec.
 */
import { DerError, DerReader, TAG_OCTET_STRING, TAG_SEQUENCE, derElement, derUnsignedInteger, readSequence } from '../../der.js';

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function toBigint(bytes: Uint8Array): bigint {
  return BigInt(`0x${asBuffer(bytes).toString('hex') || '0'}`);
}

/** r || s (each half of `raw`) as a DER ECDSA-Sig-Value. */
export function ecdsaRawToDer(raw: Uint8Array): Buffer {
  const half = raw.length / 2;
  return asBuffer(derElement(TAG_SEQUENCE,
    derUnsignedInteger(toBigint(raw.subarray(0, half))), derUnsignedInteger(toBigint(raw.subarray(half)))));
}

/**
 * A DER ECDSA-Sig-Value as r || s for PKCS#11. Undefined for anything that is not exactly one
 * strict-DER SEQUENCE of two integers that fit the curve; such a signature simply does not verify.
 */
export function ecdsaDerToRaw(der: Uint8Array, fieldBytes: number): Buffer | undefined {
  try {
    const reader = readSequence(der);
    const r = reader.readUnsignedInteger();
    const s = reader.readUnsignedInteger();
    reader.end();
    const limit = 1n << BigInt(8 * fieldBytes);
    if (r >= limit || s >= limit) return undefined;
    const width = fieldBytes * 2;
    return Buffer.concat([
      Buffer.from(r.toString(16).padStart(width, '0'), 'hex'),
      Buffer.from(s.toString(16).padStart(width, '0'), 'hex'),
    ]);
  } catch (error) {
    if (error instanceof DerError) return undefined;
    throw error;
  }
}

/** The uncompressed point inside CKA_EC_POINT (an OCTET STRING per PKCS#11; some tokens omit it). */
export function unwrapEcPoint(ecPoint: Buffer, fieldBytes: number): Buffer {
  const pointLength = 1 + 2 * fieldBytes;
  if (ecPoint.length === pointLength && ecPoint[0] === 0x04) return ecPoint;
  try {
    const reader = new DerReader(ecPoint);
    const point = reader.read(TAG_OCTET_STRING);
    reader.end();
    if (point.length === pointLength) return asBuffer(point);
  } catch (error) {
    if (!(error instanceof DerError)) throw error;
  }
  throw new Error('The token returned an EC point of unexpected shape.');
}

/** An uncompressed point as the DER OCTET STRING that CKA_EC_POINT holds. */
export function wrapEcPoint(point: Buffer): Buffer {
  return asBuffer(derElement(TAG_OCTET_STRING, point));
}
