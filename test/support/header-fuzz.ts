/**
 * Arbitrary values for every header that reaches authentication: oversized, empty, non-ASCII and
 * duplicated, for the whole header or for one field of the Authorization header. Shared by the
 * pipeline fuzz (many runs) and the one through the real local server (few runs).
 */
import fc from 'fast-check';

/** The headers authentication reads, as the fuzz names them (lower case). */
export const FUZZED_HEADERS = ['authorization', 'x-amz-date', 'x-amz-security-token', 'content-type', 'host', 'x-amz-target'] as const;
export type FuzzedHeader = (typeof FUZZED_HEADERS)[number];

/** The fields of `Authorization: AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…`. */
export const AUTHORIZATION_FIELDS = ['algorithm', 'accessKeyId', 'date', 'region', 'service', 'terminator', 'SignedHeaders', 'Signature'] as const;
export type AuthorizationField = (typeof AUTHORIZATION_FIELDS)[number];

export interface ValueOptions {
  /** Characters each value may use: any UTF-16 text, or only what an HTTP client sends (Latin-1 without controls). */
  readonly charset: 'any' | 'http';
  /** The longest oversized value. */
  readonly maxOversized: number;
}

/** Printable Latin-1: what Node's HTTP client lets through in a header value. */
const httpCharacter = fc.oneof(
  fc.integer({ min: 0x20, max: 0x7e }),
  fc.integer({ min: 0xa0, max: 0xff }),
).map((code) => String.fromCharCode(code));

/** Values for a header or a field: oversized, empty, non-ASCII, or plausible-but-wrong. */
export function headerValue(options: ValueOptions): fc.Arbitrary<string> {
  const character = options.charset === 'any' ? fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) : httpCharacter;
  const text = fc.string({ unit: character, maxLength: 40 });
  return fc.oneof(
    fc.constant(''),
    fc.constant(' '),
    text,
    fc.tuple(fc.constantFrom('A', 'é', 'Ω', '0', '/', ';', ',', '='), fc.integer({ min: 1024, max: options.maxOversized }))
      .filter(([ch]) => options.charset === 'any' || ch.charCodeAt(0) <= 0xff)
      .map(([ch, length]) => ch.repeat(length)),
    fc.constantFrom('AKIA\u00e9XAMPLE00000', 'ÅÄÖ', '20241301T120000Z', '20240230T000000Z', 'UNSIGNED-PAYLOAD', '__proto__', 'constructor'),
  );
}

export type HeaderMutation =
  | { readonly kind: 'header'; readonly header: FuzzedHeader; readonly value: string; readonly duplicate: boolean; readonly signed: boolean }
  | { readonly kind: 'field'; readonly field: AuthorizationField; readonly value: string; readonly duplicate: boolean };

export function headerMutation(options: ValueOptions): fc.Arbitrary<HeaderMutation> {
  return fc.oneof(
    fc.record({
      kind: fc.constant('header' as const),
      header: fc.constantFrom(...FUZZED_HEADERS),
      value: headerValue(options),
      duplicate: fc.boolean(),
      // Signed: the odd value is part of a correct signature, so checks after the signature run too.
      signed: fc.boolean(),
    }),
    fc.record({
      kind: fc.constant('field' as const),
      field: fc.constantFrom(...AUTHORIZATION_FIELDS),
      value: headerValue(options),
      duplicate: fc.boolean(),
    }),
  );
}

/** `authorization` with one field replaced by `value` (or given twice, the second time as `value`). */
export function withAuthorizationField(authorization: string, field: AuthorizationField, value: string, duplicate: boolean): string {
  const match = /^(\S+) Credential=([^/]*)\/([^/]*)\/([^/]*)\/([^/]*)\/([^,]*), SignedHeaders=([^,]*), Signature=(.*)$/.exec(authorization);
  if (match === null) throw new Error(`unexpected Authorization header ${authorization}`);
  const [, algorithm = '', accessKeyId = '', date = '', region = '', service = '', terminator = '', signedHeaders = '', signature = ''] = match;
  const parts: Record<AuthorizationField, string> = {
    algorithm, accessKeyId, date, region, service, terminator, SignedHeaders: signedHeaders, Signature: signature,
  };
  // A second algorithm goes in front: `<value>, AWS4-HMAC-SHA256 Credential=…`.
  if (field === 'algorithm' && duplicate) return `${value}, ${authorization}`;
  const replaced = { ...parts, [field]: value };
  const credential = (p: Record<AuthorizationField, string>) => `Credential=${p.accessKeyId}/${p.date}/${p.region}/${p.service}/${p.terminator}`;
  const fields = [credential(duplicate ? parts : replaced), `SignedHeaders=${(duplicate ? parts : replaced).SignedHeaders}`, `Signature=${(duplicate ? parts : replaced).Signature}`];
  if (duplicate) {
    const extra = field === 'SignedHeaders' ? `SignedHeaders=${value}` : field === 'Signature' ? `Signature=${value}` : credential(replaced);
    fields.push(extra);
  }
  return `${duplicate ? algorithm : replaced.algorithm} ${fields.join(', ')}`;
}
