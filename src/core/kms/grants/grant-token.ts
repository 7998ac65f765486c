/**
 * Grant tokens. A token names its grant (the grant ID and the key ARN) and carries the grant's
 * token secret, which only CreateGrant hands out, plus a salt of its own so that every CreateGrant
 * call returns a new token (API reference, CreateGrant `Name`: "the returned grant token is unique
 * with every CreateGrant request"). A token is base64url without padding of
 *
 *   0x01 (version) · 0x0a len grantId · 0x12 len keyArn · 0x1a 0x20 secret · 0x22 0x10 salt
 *
 * (protobuf-style tagged fields, lengths as one- or two-byte varints), the same outer shape as
 * AWS's tokens, which also begin `AQpA`. Unlike AWS's, ours show the grant ID and the key ARN.
 */
import { base64UrlToLatin1, bytesToHex, hexToBytes, latin1ToBase64Url } from '../../encoding.js';
import { InvalidGrantTokenException } from '../../../models/kms/generated/errors.js';
import { say } from '../messages.js';

const VERSION = 1;
const FIELDS = { grantId: 0x0a, keyArn: 0x12, secret: 0x1a, salt: 0x22 } as const;
const SECRET_BYTES = 32;
const SALT_BYTES = 16;

/** What a grant token says. */
export interface GrantTokenClaims {
  readonly grantId: string;
  readonly keyArn: string;
  /** The grant's token secret, 64 hex digits. */
  readonly secret: string;
}


/** A new token for the grant; `salt` is 32 random hex digits. */
export function issueGrantToken(claims: GrantTokenClaims, salt: string): string {
  const text = String.fromCharCode(VERSION)
    + field(FIELDS.grantId, claims.grantId)
    + field(FIELDS.keyArn, claims.keyArn)
    + field(FIELDS.secret, latin1(hexToBytes(claims.secret)))
    + field(FIELDS.salt, latin1(hexToBytes(salt)));
  return latin1ToBase64Url(text);
}

/** The claims of a token this service could have issued; throws `InvalidGrantTokenException` for anything else. */
export function readGrantToken(token: string): GrantTokenClaims {
  const claims = tryRead(token);
  if (claims === undefined) throw new InvalidGrantTokenException(say('invalidGrantToken'));
  return claims;
}

function tryRead(token: string): GrantTokenClaims | undefined {
  const text = base64UrlToLatin1(token);
  if (text === undefined || text.charCodeAt(0) !== VERSION) return undefined;
  const reader = { text, at: 1 };
  const grantId = readField(reader, FIELDS.grantId);
  const keyArn = readField(reader, FIELDS.keyArn);
  const secret = readField(reader, FIELDS.secret);
  const salt = readField(reader, FIELDS.salt);
  if (grantId === undefined || keyArn === undefined || secret?.length !== SECRET_BYTES || salt?.length !== SALT_BYTES) return undefined;
  if (reader.at !== text.length || !/^[\x21-\x7e]+$/.test(grantId) || !/^arn:[\x21-\x7e]+$/.test(keyArn)) return undefined;
  const claims = { grantId, keyArn, secret: bytesToHex(bytesOf(secret)) };
  // Decoding is lenient about stray bits in the last base64 character: insist on our own encoding.
  return issueGrantToken(claims, bytesToHex(bytesOf(salt))) === token ? claims : undefined;
}

function field(tag: number, value: string): string {
  return String.fromCharCode(tag) + varint(value.length) + value;
}

function varint(length: number): string {
  return length < 0x80 ? String.fromCharCode(length) : String.fromCharCode((length & 0x7f) | 0x80, length >> 7);
}

function readField(reader: { text: string; at: number }, tag: number): string | undefined {
  const { text } = reader;
  if (text.charCodeAt(reader.at) !== tag) return undefined;
  let length = text.charCodeAt(reader.at + 1);
  let start = reader.at + 2;
  if (Number.isNaN(length)) return undefined;
  if (length >= 0x80) {
    const high = text.charCodeAt(reader.at + 2);
    if (Number.isNaN(high) || high >= 0x80 || high === 0) return undefined;
    length = (length & 0x7f) | (high << 7);
    start += 1;
  }
  if (start + length > text.length) return undefined;
  reader.at = start + length;
  return text.slice(start, start + length);
}

function latin1(bytes: Uint8Array): string {
  return String.fromCharCode(...bytes);
}

function bytesOf(text: string): Uint8Array {
  return Uint8Array.from(text, (char) => char.charCodeAt(0));
}
