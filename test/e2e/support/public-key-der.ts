/**
 * Just enough DER for checking what GetPublicKey and Sign return with tools other than the
 * service's: SubjectPublicKeyInfo parts, PEM armour, and ECDSA signatures in JOSE form.
 */

interface Element {
  readonly tag: number;
  readonly content: Uint8Array;
  /** Offset just past the element. */
  readonly end: number;
}

function readElement(bytes: Uint8Array, offset: number): Element {
  const tag = bytes[offset];
  let lengthByte = bytes[offset + 1];
  if (tag === undefined || lengthByte === undefined) throw new Error('DER: truncated element');
  let start = offset + 2;
  let length = lengthByte;
  if (lengthByte & 0x80) {
    const count = lengthByte & 0x7f;
    if (count === 0 || count > 3) throw new Error('DER: unsupported length');
    length = 0;
    for (let index = 0; index < count; index++) {
      lengthByte = bytes[start + index];
      if (lengthByte === undefined) throw new Error('DER: truncated length');
      length = length * 256 + lengthByte;
    }
    start += count;
  }
  const end = start + length;
  if (end > bytes.length) throw new Error('DER: element runs past the end');
  return { tag, content: bytes.subarray(start, end), end };
}

/** The elements directly inside a constructed element's content. */
function children(content: Uint8Array): Element[] {
  const elements: Element[] = [];
  for (let offset = 0; offset < content.length;) {
    const element = readElement(content, offset);
    elements.push(element);
    offset = element.end;
  }
  return elements;
}

function decodeOid(content: Uint8Array): string {
  const first = content[0] ?? 0;
  const arcs = [Math.floor(first / 40), first % 40];
  let value = 0;
  for (const byte of content.subarray(1)) {
    value = value * 128 + (byte & 0x7f);
    if ((byte & 0x80) === 0) {
      arcs.push(value);
      value = 0;
    }
  }
  return arcs.join('.');
}

export interface SpkiParts {
  /** The algorithm OID, dotted. */
  readonly algorithm: string;
  /** The parameters when they are an OID (the named curve of an EC key), else undefined. */
  readonly parameters: string | undefined;
  /** The BIT STRING's key bytes (after the unused-bits byte). */
  readonly publicKey: Uint8Array;
}

/** Splits a DER SubjectPublicKeyInfo, failing unless it is exactly one well-formed SPKI. */
export function parseSpki(der: Uint8Array): SpkiParts {
  const outer = readElement(der, 0);
  if (outer.tag !== 0x30 || outer.end !== der.length) throw new Error('SPKI: not one SEQUENCE');
  const [algorithmIdentifier, bitString, ...rest] = children(outer.content);
  if (algorithmIdentifier?.tag !== 0x30 || bitString?.tag !== 0x03 || rest.length > 0) throw new Error('SPKI: wrong members');
  const [oid, parameters, ...more] = children(algorithmIdentifier.content);
  if (oid?.tag !== 0x06 || more.length > 0) throw new Error('SPKI: wrong AlgorithmIdentifier');
  if (bitString.content[0] !== 0) throw new Error('SPKI: BIT STRING with unused bits');
  return {
    algorithm: decodeOid(oid.content),
    parameters: parameters?.tag === 0x06 ? decodeOid(parameters.content) : undefined,
    publicKey: bitString.content.subarray(1),
  };
}

/** The same SPKI with another key in the BIT STRING (the algorithm identifier kept as it is). */
export function spkiWithKey(spki: Uint8Array, publicKey: Uint8Array): Uint8Array {
  const outer = readElement(spki, 0);
  const [algorithmIdentifier] = children(outer.content);
  if (algorithmIdentifier === undefined) throw new Error('SPKI: empty');
  const algorithm = outer.content.subarray(0, algorithmIdentifier.end);
  const bitString = derElement(0x03, Uint8Array.of(0, ...publicKey));
  return derElement(0x30, Uint8Array.of(...algorithm, ...bitString));
}

function derElement(tag: number, content: Uint8Array): Uint8Array {
  const length = content.length;
  const header = length < 0x80 ? [tag, length]
    : length < 0x100 ? [tag, 0x81, length]
      : [tag, 0x82, length >> 8, length & 0xff];
  return Uint8Array.of(...header, ...content);
}

/** PEM armour for DER bytes, `label` as in `PUBLIC KEY` or `PRIVATE KEY`. */
export function toPem(der: Uint8Array, label: string): string {
  const lines = Buffer.from(der).toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

/** An ECDSA signature in DER (`SEQUENCE { r, s }`) as JOSE wants it: r || s, each `size` bytes. */
export function ecdsaDerToJose(der: Uint8Array, size: number): Uint8Array {
  const outer = readElement(der, 0);
  if (outer.tag !== 0x30 || outer.end !== der.length) throw new Error('ECDSA: not one SEQUENCE');
  const integers = children(outer.content);
  if (integers.length !== 2 || integers.some((element) => element.tag !== 0x02)) throw new Error('ECDSA: not two INTEGERs');
  const out = new Uint8Array(2 * size);
  integers.forEach((integer, index) => {
    let value = integer.content;
    while (value.length > size && value[0] === 0) value = value.subarray(1);
    if (value.length > size) throw new Error('ECDSA: integer too long');
    out.set(value, (index + 1) * size - value.length);
  });
  return out;
}

export function base64Url(bytes: Uint8Array | string): string {
  return Buffer.from(typeof bytes === 'string' ? new TextEncoder().encode(bytes) : bytes).toString('base64url');
}
