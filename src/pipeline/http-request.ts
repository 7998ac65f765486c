/** Reads an API Gateway REST proxy event back into the HTTP request the client signed. */
import type { APIGatewayProxyEvent } from 'aws-lambda';
import type { SignedHttpRequest } from '../authn/sigv4-verifier.js';

/** The bytes that arrived, for events built in this process (local mode): read without a base64 round trip. */
const RAW_BODIES = new WeakMap<APIGatewayProxyEvent, Uint8Array>();

/** Records the body bytes an event built in this process stands for; `event.body` must encode the same bytes. */
export function attachRawBody(event: APIGatewayProxyEvent, body: Uint8Array): void {
  RAW_BODIES.set(event, body);
}

export function toSignedRequest(event: APIGatewayProxyEvent): SignedHttpRequest {
  const raw = RAW_BODIES.get(event);
  const body = raw !== undefined ? raw : event.body === null
    ? new Uint8Array(0)
    : event.isBase64Encoded ? new Uint8Array(Buffer.from(event.body, 'base64')) : new TextEncoder().encode(event.body);
  const headers: Record<string, string> = {};
  const multi = event.multiValueHeaders ?? {};
  for (const [name, value] of Object.entries(event.headers ?? {})) {
    if (value === undefined) continue;
    const all = multi[name];
    headers[name.toLowerCase()] = all !== undefined && all.length > 1 ? all.join(',') : value;
  }
  // The REST proxy event drops Content-Length; clients sign it, so rebuild it from the body.
  if (headers['content-length'] === undefined) headers['content-length'] = String(body.length);
  const query: Record<string, string> = {};
  for (const [name, value] of Object.entries(event.queryStringParameters ?? {})) {
    if (value !== undefined) query[name] = value;
  }
  return {
    method: event.httpMethod,
    // The signed path is the client's endpoint path (it includes the stage on execute-api URLs).
    path: event.requestContext.path ?? event.path,
    query,
    headers,
    body,
  };
}
