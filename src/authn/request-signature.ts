/**
 * Recomputes the SigV4 signature of a received request with smithy's signer, over exactly the
 * headers the client listed and over the hash of the body that arrived.
 *
 * smithy's `sign()` takes the payload hash from an `x-amz-content-sha256` header when there is
 * one, so `UNSIGNED-PAYLOAD` would leave the body out of the signature. AWS services other than
 * S3 always hash the body; so does this signer: it builds the canonical request with smithy's own
 * canonicalisation and the payload hash it is given.
 */
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

export class RequestSigner extends SignatureV4 {
  readonly #region: string;
  readonly #service: string;

  /** `service` is the signing name of the credential scope (`kms`, `iam`, `sts`). */
  constructor(credentials: { accessKeyId: string; secretAccessKey: string }, region: string, service = 'kms') {
    super({ credentials, region, service, sha256: NodeSha256, uriEscapePath: true, applyChecksum: false });
    this.#region = region;
    this.#service = service;
  }

  /** The hex signature of `request` as signed at `signingDate` over `signedHeaders`, with the body hash `payloadHash`. */
  async signatureOf(
    request: SignedHttpRequest,
    signedHeaders: ReadonlySet<string>,
    payloadHash: string,
    signingDate: Date,
  ): Promise<string> {
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
    const stringToSign = await this.createStringToSign(
      longDate, createScope(shortDate, this.#region, this.#service), canonicalRequest, ALGORITHM_IDENTIFIER,
    );
    return this.sign(stringToSign, { signingDate, signingRegion: this.#region, signingService: this.#service });
  }
}

/** Lower-case hex SHA-256 of `body`. */
export async function sha256Hex(body: Uint8Array): Promise<string> {
  const hash = new NodeSha256();
  hash.update(body);
  return Buffer.from(await hash.digest()).toString('hex');
}
