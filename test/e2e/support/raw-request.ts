/**
 * Hand-made AWS JSON 1.1 requests over Node's fetch, signed with smithy's SignatureV4, so a test
 * can send what the SDK never would: a broken body, an unknown target, a bad signature.
 */
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import type { HttpRequest } from '@smithy/types';
import { REGION } from './local-service.js';

export interface Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

export interface RawRequest {
  readonly endpoint: string;
  /** Whose key signs the request; `undefined` sends it without an Authorization header. */
  readonly credentials: Credentials | undefined;
  /** The `X-Amz-Target` header; `TrentService.ListKeys` unless given. */
  readonly target?: string;
  /** The body as sent; `{}` unless given. */
  readonly body?: string;
  /** Signs this body instead of `body` (a body changed after signing). */
  readonly signedBody?: string;
  readonly region?: string;
  /** The service named in the credential scope; `kms` unless given. */
  readonly service?: string;
  readonly signingDate?: Date;
  /** Extra headers, signed with the rest (e.g. a declared `x-amz-content-sha256`). */
  readonly headers?: Readonly<Record<string, string>>;
  /** Rewrites the signed Authorization header before sending. */
  readonly editAuthorization?: (authorization: string) => string;
  /** Rewrites the signed headers (lower-case names) before sending: a header dropped or changed after signing. */
  readonly editHeaders?: (headers: Record<string, string>) => Record<string, string>;
}

export interface RawResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Record<string, unknown>;
}

export async function sendRaw(request: RawRequest): Promise<RawResponse> {
  const url = new URL(request.endpoint);
  const body = request.body ?? '{}';
  const headers: Record<string, string> = {
    host: url.host,
    'content-type': 'application/x-amz-json-1.1',
    'x-amz-target': request.target ?? 'TrentService.ListKeys',
    ...request.headers,
  };
  let sent = headers;
  if (request.credentials !== undefined) {
    const signed = await sign(request, request.credentials, headers, request.signedBody ?? body, url);
    sent = { ...signed };
    const authorization = sent['authorization'] ?? '';
    sent['authorization'] = request.editAuthorization?.(authorization) ?? authorization;
  }
  if (request.editHeaders !== undefined) sent = request.editHeaders({ ...sent });
  // fetch sets Host itself, to the same value.
  const { host: _host, ...forFetch } = sent;
  const response = await fetch(url, { method: 'POST', headers: forFetch, body });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>) };
}

async function sign(
  request: RawRequest,
  credentials: Credentials,
  headers: Record<string, string>,
  body: string,
  url: URL,
): Promise<Record<string, string>> {
  const region = request.region ?? REGION;
  const signer = new SignatureV4({
    credentials,
    region,
    service: request.service ?? 'kms',
    sha256: Sha256,
    // As the SDK signs AWS JSON requests: no x-amz-content-sha256 unless the test declares one.
    applyChecksum: false,
  });
  const unsigned: HttpRequest = {
    method: 'POST',
    protocol: url.protocol,
    hostname: url.hostname,
    port: Number(url.port),
    path: '/',
    query: {},
    headers: { ...headers },
    body,
  };
  const signed = await signer.sign(unsigned, request.signingDate === undefined ? {} : { signingDate: request.signingDate });
  return signed.headers;
}

/** The response's `x-amzn-RequestId`, which the audit log's `requestID` repeats. */
export function requestIdOf(response: RawResponse): string {
  return response.headers.get('x-amzn-requestid') ?? '';
}
