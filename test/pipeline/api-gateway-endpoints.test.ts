/**
 * Requests signed by the stock @aws-sdk/client-kms for each way the deployment can be reached
 * (a private custom domain, the private API's endpoint-specific DNS name, its private DNS name,
 * and a regional endpoint), turned into the REST proxy event API Gateway hands the front function
 * (Content-Length dropped, body base64, the stage in `requestContext.path`), verify and answer:
 * the front verifies SigV4 for exactly the host and path the client signed (GenerateRandom, which
 * the front answers itself).
 */
import { Readable } from 'node:stream';
import { GenerateRandomCommand, KMSClient } from '@aws-sdk/client-kms';
import { describe, expect, it } from 'vitest';
import { makeFrontHarness, makeLambdaContext, makeProxyEvent } from '../support/pipeline.js';
import { ACCESS_KEY_ID, SECRET_ACCESS_KEY, SIGNING_DATE } from '../support/sigv4.js';

/** What the client's HTTP handler is given (smithy's HttpRequest, the members read here). */
interface HttpRequest {
  readonly method: string;
  readonly hostname: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body?: unknown;
}

/** The request the stock client would send to `endpoint`, captured instead of sent. */
async function signedByTheSdk(endpoint: string): Promise<HttpRequest> {
  let captured: HttpRequest | undefined;
  const client = new KMSClient({
    endpoint, region: 'us-east-1', maxAttempts: 1,
    credentials: { accessKeyId: ACCESS_KEY_ID, secretAccessKey: SECRET_ACCESS_KEY },
    // The harness's clock stands at SIGNING_DATE; the client signs as if it did too.
    systemClockOffset: SIGNING_DATE.getTime() - Date.now(),
    requestHandler: {
      handle: async (request: HttpRequest) => {
        captured = request;
        return { response: { statusCode: 200, headers: {}, body: Readable.from([Buffer.from('{}')]) } };
      },
    },
  });
  try {
    await client.send(new GenerateRandomCommand({ NumberOfBytes: 16 }));
  } finally {
    client.destroy();
  }
  if (captured === undefined) throw new Error('the client sent nothing');
  return captured;
}

/** Each endpoint form: the client's endpoint, and the path API Gateway reports as the resource path. */
const ENDPOINTS: readonly [string, string][] = [
  ['a private custom domain (base path mapping of the empty path)', 'https://kms.internal.example.com'],
  ['the private API through its VPC endpoint DNS name, stage in the path', 'https://a1b2c3d4e5-vpce-0295a3caf8414c94a.execute-api.us-east-1.vpce.amazonaws.com/prod'],
  ['the private API through private DNS, stage in the path', 'https://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com/prod'],
  ['a regional endpoint, stage in the path', 'https://f6g7h8i9j0.execute-api.eu-west-1.amazonaws.com/prod'],
];

describe('requests the stock SDK signs for the deployment\'s endpoints', () => {
  it.each(ENDPOINTS)('verifies and answers one sent to %s', async (_form, endpoint) => {
    // Prepare
    const sent = await signedByTheSdk(endpoint);
    const body = typeof sent.body === 'string' ? new TextEncoder().encode(sent.body) : (sent.body as Uint8Array);
    const headers = Object.fromEntries(Object.entries(sent.headers).map(([name, value]) => [name.toLowerCase(), value]));
    const event = makeProxyEvent({ method: sent.method, path: sent.path, query: {}, headers, body });
    // API Gateway's resource path is `/` whatever the stage or base path; `requestContext.path` is what the client asked for.
    const proxied = { ...event, path: '/', requestContext: { ...event.requestContext, path: sent.path, domainName: sent.hostname } };
    const harness = makeFrontHarness();

    // Act
    const response = await harness.handler(proxied, makeLambdaContext());

    // Assess
    expect(sent.headers['host'] ?? sent.hostname).toBe(new URL(endpoint).host);
    expect(event.headers['Content-Length']).toBeUndefined();
    expect(response.statusCode).toBe(200);
    // GenerateRandom runs in the front itself: 16 random bytes, base64.
    expect(Buffer.from((JSON.parse(response.body) as { Plaintext: string }).Plaintext, 'base64')).toHaveLength(16);
  });

  it('refuses the same request when API Gateway reports another path than the one signed', async () => {
    // Prepare
    const sent = await signedByTheSdk('https://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com/prod');
    const body = typeof sent.body === 'string' ? new TextEncoder().encode(sent.body) : (sent.body as Uint8Array);
    const headers = Object.fromEntries(Object.entries(sent.headers).map(([name, value]) => [name.toLowerCase(), value]));
    const event = makeProxyEvent({ method: sent.method, path: sent.path, query: {}, headers, body });
    const proxied = { ...event, path: '/', requestContext: { ...event.requestContext, path: '/stage/' } };

    // Act
    const response = await makeFrontHarness().handler(proxied, makeLambdaContext());

    // Assess
    expect(response.statusCode).toBe(400);
    expect(JSON.parse(response.body)).toMatchObject({ __type: 'InvalidSignatureException' });
  });
});
