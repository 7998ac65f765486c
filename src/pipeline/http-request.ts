/** Reads an API Gateway REST proxy event back into the HTTP request the client signed. */
import type { APIGatewayProxyEvent } from 'aws-lambda';
import type { SignedHttpRequest } from '../authn/sigv4-verifier.js';

export function toSignedRequest(event: APIGatewayProxyEvent): SignedHttpRequest {
  const body = event.body === null
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
