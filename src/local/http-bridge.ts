/**
 * Turns a Node HTTP request into the API Gateway REST proxy event the front function receives in
 * AWS (Content-Length dropped, body base64-encoded as with `binaryMediaTypes: ['*\/*']`), and
 * writes the handler's proxy result back.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { attachRawBody } from '../pipeline/http-request.js';

/** Far above any valid KMS request (the largest, a 32 KB policy with tags, is well under 200 KB). */
export const MAX_BODY_BYTES = 1024 * 1024;

/** What API Gateway, the deployment's front door, answers for a request body over its limit. */
export const REQUEST_TOO_LARGE: APIGatewayProxyResult = {
  statusCode: 413,
  headers: { 'Content-Type': 'application/json' },
  body: JSON.stringify({ message: 'Request Too Long' }),
};

/**
 * The request body, or `undefined` as soon as it is known to exceed `limit` bytes (from its
 * Content-Length, or while it arrives): nothing past the limit is kept, and the caller answers at
 * once instead of reading the rest.
 */
export function readBody(request: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer | undefined> {
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return Promise.resolve(undefined);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size <= limit) {
        chunks.push(chunk);
        return;
      }
      request.off('data', onData);
      chunks.length = 0;
      resolve(undefined);
    };
    request.on('data', onData);
    request.on('end', () => resolve(size > limit ? undefined : Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

/**
 * `vpcEndpointId` is set for a listener that stands for an interface VPC endpoint: the event then
 * carries it as `requestContext.identity.vpceId`, where API Gateway puts it for a private API.
 */
export function toProxyEvent(request: IncomingMessage, body: Buffer, requestId: string, vpcEndpointId?: string): APIGatewayProxyEvent {
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  for (let i = 0; i < request.rawHeaders.length; i += 2) {
    const name = request.rawHeaders[i] ?? '';
    const value = request.rawHeaders[i + 1] ?? '';
    if (name.toLowerCase() === 'content-length') continue;
    headers[name] = value;
    (multiValueHeaders[name] ??= []).push(value);
  }
  const url = new URL(request.url ?? '/', 'http://local');
  const query = Object.fromEntries(url.searchParams);
  const method = request.method ?? 'GET';
  const event: APIGatewayProxyEvent = {
    resource: '/',
    path: url.pathname,
    httpMethod: method,
    headers,
    multiValueHeaders,
    queryStringParameters: Object.keys(query).length === 0 ? null : query,
    multiValueQueryStringParameters: null,
    pathParameters: null,
    stageVariables: null,
    body: '',
    isBase64Encoded: true,
    requestContext: {
      accountId: 'local',
      apiId: 'local',
      authorizer: null,
      protocol: `HTTP/${request.httpVersion}`,
      httpMethod: method,
      path: url.pathname,
      stage: 'local',
      requestId,
      requestTimeEpoch: Date.now(),
      resourceId: 'local',
      resourcePath: '/',
      identity: {
        accessKey: null, accountId: null, apiKey: null, apiKeyId: null, caller: null, clientCert: null,
        cognitoAuthenticationProvider: null, cognitoAuthenticationType: null, cognitoIdentityId: null,
        cognitoIdentityPoolId: null, principalOrgId: null, sourceIp: request.socket.remoteAddress ?? '',
        user: null, userAgent: request.headers['user-agent'] ?? null, userArn: null,
        ...(vpcEndpointId === undefined ? {} : { vpceId: vpcEndpointId }),
      },
    },
  };
  // The pipeline reads the bytes themselves; the base64 text is made only if something asks for it.
  let encoded: string | undefined;
  Object.defineProperty(event, 'body', { enumerable: true, configurable: true, get: () => (encoded ??= body.toString('base64')) });
  attachRawBody(event, body);
  return event;
}

export function writeProxyResult(response: ServerResponse, result: APIGatewayProxyResult): void {
  const body = result.isBase64Encoded === true ? Buffer.from(result.body, 'base64') : Buffer.from(result.body);
  response.writeHead(result.statusCode, { ...result.headers, 'Content-Length': String(body.length) });
  response.end(body);
}
