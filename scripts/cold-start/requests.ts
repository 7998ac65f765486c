/**
 * The first request each measured function answers, made as in the deployment: for the front a
 * KMS request signed by the stock `@aws-sdk/client-kms` and wrapped the way API Gateway's REST
 * proxy integration hands it over (base64 body, no Content-Length, the stage in
 * `requestContext.path`, the VPC endpoint it came through); for a group function the payload the
 * front invokes it with, signed under the deployment's group-request key.
 */
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { KMSClient } from '@aws-sdk/client-kms';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import type { RequestContext } from '../../src/core/request-context.js';
import type { FunctionGroup, GroupRequest, SignedGroupRequest } from '../../src/pipeline/group-protocol.js';
import { GroupRequestSigner } from '../../src/pipeline/group-request-auth.js';
import { systemClock } from '../../src/adapters/system/system-clock.js';
import { ACCOUNT_ID, API_ENDPOINT, REGION } from './local-parts.js';

/** The private API's DNS name and stage, as a client inside the VPC calls it. */
const API_URL = `https://a1b2c3d4e5.execute-api.${REGION}.amazonaws.com/prod`;
const CLIENT_IP = '10.0.1.25';

export interface Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

/** What the client's HTTP handler is given (smithy's HttpRequest, the members read here). */
interface SentRequest {
  readonly method: string;
  readonly hostname: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body?: unknown;
}

/** Header names as the SDK's HTTP handler writes them on the wire (API Gateway passes them on as sent). */
const WIRE_NAMES: Readonly<Record<string, string>> = {
  host: 'Host', 'content-type': 'Content-Type', 'x-amz-target': 'X-Amz-Target', 'x-amz-date': 'X-Amz-Date', authorization: 'Authorization',
};

/** A call of the stock client, such as `(kms) => kms.send(new EncryptCommand(input))`. */
export type KmsCall = (client: KMSClient) => Promise<unknown>;

/** The request the stock client signs for `call`, captured instead of sent. */
async function signedBySdk(credentials: Credentials, call: KmsCall): Promise<SentRequest> {
  let captured: SentRequest | undefined;
  const client = new KMSClient({
    endpoint: API_URL, region: REGION, maxAttempts: 1, credentials,
    requestHandler: {
      handle: async (request: SentRequest) => {
        captured = request;
        return { response: { statusCode: 200, headers: {}, body: Readable.from([Buffer.from('{}')]) } };
      },
    },
  });
  try {
    await call(client);
  } finally {
    client.destroy();
  }
  if (captured === undefined) throw new Error('the client sent nothing');
  return captured;
}

/** The REST proxy event of `call` signed with `credentials`, as the front function receives it. */
export async function apiGatewayEvent(credentials: Credentials, call: KmsCall): Promise<APIGatewayProxyEvent> {
  const sent = await signedBySdk(credentials, call);
  const raw = sent.body;
  if (typeof raw !== 'string' && !(raw instanceof Uint8Array)) throw new Error('the client signed a request without a body');
  // The bytes as they are: the SDK's body type answers string methods (and warns) on valueOf.
  const body = typeof raw === 'string' ? Buffer.from(raw, 'utf8') : Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(sent.headers)) {
    // API Gateway drops Content-Length before the integration.
    if (name.toLowerCase() === 'content-length') continue;
    headers[WIRE_NAMES[name.toLowerCase()] ?? name] = value;
  }
  return {
    resource: '/',
    path: '/',
    httpMethod: sent.method,
    headers,
    multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, [value]])),
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: null,
    stageVariables: null,
    body: body.toString('base64'),
    isBase64Encoded: true,
    requestContext: {
      accountId: ACCOUNT_ID,
      apiId: 'a1b2c3d4e5',
      authorizer: null,
      protocol: 'HTTP/1.1',
      httpMethod: sent.method,
      path: sent.path,
      stage: 'prod',
      requestId: randomUUID(),
      requestTimeEpoch: Date.now(),
      resourceId: 'root',
      resourcePath: '/',
      domainName: sent.hostname,
      identity: {
        accessKey: null, accountId: null, apiKey: null, apiKeyId: null, caller: null, clientCert: null,
        cognitoAuthenticationProvider: null, cognitoAuthenticationType: null, cognitoIdentityId: null,
        cognitoIdentityPoolId: null, principalOrgId: null, sourceIp: CLIENT_IP,
        user: null, userAgent: headers['User-Agent'] ?? null, userArn: null, vpceId: API_ENDPOINT.vpcEndpointId,
      },
    },
  };
}

/** The request context the front would give a group for a request of the account's root. */
export function rootContext(accessKeyId: string): RequestContext {
  return {
    requestId: randomUUID(),
    principal: { type: 'Root', accountId: ACCOUNT_ID, arn: `arn:aws:iam::${ACCOUNT_ID}:root`, principalId: ACCOUNT_ID, accessKeyId },
    region: REGION,
    sourceIp: CLIENT_IP,
    userAgent: 'cold-start',
    vpcEndpointId: API_ENDPOINT.vpcEndpointId,
    vpcId: API_ENDPOINT.vpcId,
    secureTransport: true,
  };
}

/** The invoke payload the front sends `group` for `request`, signed now. */
export function groupPayload(key: Uint8Array, group: FunctionGroup, request: GroupRequest): SignedGroupRequest {
  return new GroupRequestSigner({ key, clock: systemClock }).sign(group, request);
}
