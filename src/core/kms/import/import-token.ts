/**
 * The import token of GetParametersForImport: the wrapping private key (wrapped in the token), the
 * wrapping key spec and algorithm, and when the set expires, sealed (AES-256-GCM in the token)
 * with the key's ARN as additional data, so a token opens only for the key it was made for and
 * cannot be altered. Stateless: nothing is stored, any process of the service can open it.
 *
 * Layout: version (1 byte, 1) || IV (12 bytes) || ciphertext and tag of the UTF-8 JSON payload.
 */
import type { AlgorithmSpec, WrappingKeySpec } from '../../../models/kms/generated/shapes.js';
import { AlgorithmSpecValues, WrappingKeySpecValues } from '../../../models/kms/generated/shapes.js';
import type { SealedData } from '../../ports/index.js';
import { base64UrlToLatin1, latin1ToBase64Url } from '../../encoding.js';

export interface ImportTokenContents {
  readonly wrappingKeySpec: WrappingKeySpec;
  readonly algorithm: AlgorithmSpec;
  /** When the token and its public key stop being valid (epoch ms, lifecycle clock). */
  readonly validTo: number;
  readonly wrappedPrivateKey: Uint8Array;
}

const VERSION = 1;
const IV_BYTES = 12;

/** The additional data a token for `keyArn` is sealed with. */
export function importTokenAad(keyArn: string): Uint8Array {
  return new TextEncoder().encode(`kms import token\n${keyArn}`);
}

function bytesToLatin1(bytes: Uint8Array): string {
  let text = '';
  for (const byte of bytes) text += String.fromCharCode(byte);
  return text;
}

function latin1ToBytes(text: string): Uint8Array {
  return Uint8Array.from(text, (character) => character.charCodeAt(0));
}

/** The payload that is sealed. */
export function encodeImportToken(contents: ImportTokenContents): Uint8Array {
  return new TextEncoder().encode(JSON.stringify({
    wrappingKeySpec: contents.wrappingKeySpec,
    algorithm: contents.algorithm,
    validTo: contents.validTo,
    wrappedPrivateKey: latin1ToBase64Url(bytesToLatin1(contents.wrappedPrivateKey)),
  }));
}

/** The payload's contents, or undefined when it is not one `encodeImportToken` made. */
export function decodeImportToken(payload: Uint8Array): ImportTokenContents | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(payload));
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined;
  const { wrappingKeySpec, algorithm, validTo, wrappedPrivateKey } = parsed as Record<string, unknown>;
  const key = typeof wrappedPrivateKey === 'string' ? base64UrlToLatin1(wrappedPrivateKey) : undefined;
  if (!(WrappingKeySpecValues as readonly unknown[]).includes(wrappingKeySpec) || !(AlgorithmSpecValues as readonly unknown[]).includes(algorithm)
    || typeof validTo !== 'number' || key === undefined) return undefined;
  return { wrappingKeySpec: wrappingKeySpec as WrappingKeySpec, algorithm: algorithm as AlgorithmSpec, validTo, wrappedPrivateKey: latin1ToBytes(key) };
}

/** The wire form of a sealed token. */
export function importTokenBytes(sealed: SealedData): Uint8Array {
  const out = new Uint8Array(1 + sealed.iv.length + sealed.ciphertext.length);
  out[0] = VERSION;
  out.set(sealed.iv, 1);
  out.set(sealed.ciphertext, 1 + sealed.iv.length);
  return out;
}

/** The sealed parts of a token from the wire, or undefined when it cannot be one. */
export function sealedImportToken(token: Uint8Array): SealedData | undefined {
  const tagBytes = 16;
  if (token.length < 1 + IV_BYTES + tagBytes || token[0] !== VERSION) return undefined;
  return { iv: token.slice(1, 1 + IV_BYTES), ciphertext: token.slice(1 + IV_BYTES) };
}
