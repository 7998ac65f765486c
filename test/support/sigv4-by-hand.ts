/**
 * SigV4 written out by hand from the specification, independent of smithy's signer, so a test
 * can sign exactly what an attacker or an unusual client would: a chosen list of signed headers,
 * a payload line other than the body's hash, a timestamp in any header.
 */
import { createHash, createHmac } from 'node:crypto';

export interface HandSignature {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly region: string;
  /** `YYYYMMDDTHHMMSSZ`, as in X-Amz-Date. */
  readonly amzDate: string;
  /** Lower-case header names and values as they will be sent. */
  readonly headers: Readonly<Record<string, string>>;
  /** The headers the signature covers (lower case); every header sent unless given. */
  readonly signedHeaders?: readonly string[];
  readonly body: string | Uint8Array;
  /** The payload line of the canonical request; the body's SHA-256 unless given (e.g. `UNSIGNED-PAYLOAD`). */
  readonly payloadHash?: string;
  readonly path?: string;
}

export const sha256Hex = (data: string | Uint8Array): string => createHash('sha256').update(data).digest('hex');

const hmac = (key: string | Buffer, data: string): Buffer => createHmac('sha256', key).update(data).digest();

/** The Authorization header value for a POST signed as `signature` describes. */
export function authorizationByHand(signature: HandSignature): string {
  const names = [...(signature.signedHeaders ?? Object.keys(signature.headers))].sort();
  const canonicalHeaders = names.map((name) => `${name}:${(signature.headers[name] ?? '').trim()}\n`).join('');
  const signedHeaders = names.join(';');
  const canonicalRequest = [
    'POST', signature.path ?? '/', '', canonicalHeaders, signedHeaders, signature.payloadHash ?? sha256Hex(signature.body),
  ].join('\n');
  const dateStamp = signature.amzDate.slice(0, 8);
  const scope = `${dateStamp}/${signature.region}/kms/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', signature.amzDate, scope, sha256Hex(canonicalRequest)].join('\n');
  const key = [dateStamp, signature.region, 'kms', 'aws4_request']
    .reduce<string | Buffer>((k, part) => hmac(k, part), `AWS4${signature.secretAccessKey}`);
  const hex = createHmac('sha256', key).update(stringToSign).digest('hex');
  return `AWS4-HMAC-SHA256 Credential=${signature.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${hex}`;
}
