/**
 * Recomputes the SigV4 signature of a received request with smithy's signer, over exactly the
 * headers the client listed and over the hash of the body that arrived.
 *
 * smithy's `sign()` takes the payload hash from an `x-amz-content-sha256` header when there is
 * one, so `UNSIGNED-PAYLOAD` would leave the body out of the signature. AWS services other than
 * S3 always hash the body; so does this signer: it builds the canonical request with smithy's own
 * canonicalisation and the payload hash it is given.
 */
import { createHash, createHmac } from 'node:crypto';
import {
  ALGORITHM_IDENTIFIER, SignatureV4, createScope, getCanonicalHeaders,
} from '@smithy/signature-v4';
import type { HttpRequest } from '@smithy/types';
import { NodeSha256 } from './node-sha256.js';

/** A request as the client signed it. Header names are lower case. */
export interface SignedHttpRequest {
  readonly method: string;
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Uint8Array;
}

/** Signing keys kept per signer: today's and yesterday's cover requests around midnight UTC. */
const KEPT_SIGNING_KEYS = 2;

export class RequestSigner extends SignatureV4 {
  readonly #region: string;
  readonly #service: string;
  readonly #secret: string;
  /** The derived SigV4 signing key per date stamp (YYYYMMDD): four HMACs once a day, not per request. */
  readonly #signingKeys = new Map<string, Buffer>();

  /** `service` is the signing name of the credential scope (`kms`, `iam`, `sts`). */
  constructor(credentials: { accessKeyId: string; secretAccessKey: string }, region: string, service = 'kms') {
    super({ credentials, region, service, sha256: NodeSha256, uriEscapePath: true, applyChecksum: false });
    this.#region = region;
    this.#service = service;
    this.#secret = credentials.secretAccessKey;
  }

  /**
   * The hex signature of `request` as signed at `signingDate` over `signedHeaders`, with the body
   * hash `payloadHash`: canonicalisation by smithy, hashing and HMAC by Node's OpenSSL.
   */
  signatureOf(
    request: SignedHttpRequest,
    signedHeaders: ReadonlySet<string>,
    payloadHash: string,
    signingDate: Date,
  ): string {
    const headers: Record<string, string> = {};
    for (const name of signedHeaders) {
      const value = Object.hasOwn(request.headers, name) ? request.headers[name] : undefined;
      if (typeof value === 'string') headers[name] = value;
    }
    const http: HttpRequest = {
      method: request.method,
      protocol: 'https:',
      hostname: headers['host'] ?? '',
      path: request.path,
      query: { ...request.query },
      headers,
    };
    const canonicalHeaders = getCanonicalHeaders(http, undefined, new Set(signedHeaders));
    const { longDate, shortDate } = this.formatDate(signingDate);
    const canonicalRequest = this.createCanonicalRequest(http, canonicalHeaders, payloadHash);
    const stringToSign = `${ALGORITHM_IDENTIFIER}\n${longDate}\n${createScope(shortDate, this.#region, this.#service)}\n${sha256Hex(canonicalRequest)}`;
    return createHmac('sha256', this.#signingKey(shortDate)).update(stringToSign, 'utf8').digest('hex');
  }

  /** kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request"), kept per date. */
  #signingKey(shortDate: string): Buffer {
    const kept = this.#signingKeys.get(shortDate);
    if (kept !== undefined) return kept;
    const kDate = createHmac('sha256', `AWS4${this.#secret}`).update(shortDate, 'utf8').digest();
    const kRegion = createHmac('sha256', kDate).update(this.#region, 'utf8').digest();
    const kService = createHmac('sha256', kRegion).update(this.#service, 'utf8').digest();
    const key = createHmac('sha256', kService).update('aws4_request', 'utf8').digest();
    if (this.#signingKeys.size >= KEPT_SIGNING_KEYS) {
      const oldest = this.#signingKeys.keys().next().value;
      if (oldest !== undefined) this.#signingKeys.delete(oldest);
    }
    this.#signingKeys.set(shortDate, key);
    return key;
  }
}

/** Lower-case hex SHA-256 of `body` (Node's native hash). */
export function sha256Hex(body: Uint8Array | string): string {
  return createHash('sha256').update(body).digest('hex');
}
