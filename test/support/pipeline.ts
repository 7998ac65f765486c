import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import type { SignedHttpRequest } from '../../src/authn/sigv4-verifier.js';
import { SigV4Verifier } from '../../src/authn/sigv4-verifier.js';
import type { ApiGroup } from '../../src/core/kms/api-groups.js';
import type { AuditEvent } from '../../src/core/audit-event.js';
import type { AuditSink } from '../../src/core/ports/index.js';
import { createFrontHandler } from '../../src/pipeline/front-handler.js';
import type { TransportFacts } from '../../src/pipeline/middleware/parse-kms-request.js';
import type { GroupInvoker, GroupRequest, GroupResponse } from '../../src/pipeline/group-protocol.js';
import type { Logger } from '../../src/pipeline/logger.js';
import { makeCore, type CoreHarness } from './core.js';
import { MapCredentialResolver, SIGNING_DATE } from './sigv4.js';

export class RecordingAuditSink implements AuditSink {
  readonly events: AuditEvent[] = [];
  failWith: Error | undefined;

  async record(event: AuditEvent): Promise<void> {
    if (this.failWith !== undefined) throw this.failWith;
    this.events.push(event);
  }
}

export class RecordingLogger implements Logger {
  readonly entries: { level: 'info' | 'error'; message: string; fields?: Record<string, unknown> }[] = [];

  info(message: string, fields?: Record<string, unknown>): void {
    this.entries.push({ level: 'info', message, ...(fields === undefined ? {} : { fields }) });
  }

  error(message: string, fields?: Record<string, unknown>): void {
    this.entries.push({ level: 'error', message, ...(fields === undefined ? {} : { fields }) });
  }
}

type FunctionGroup = Exclude<ApiGroup, 'crypto'>;

/** Records every invocation and answers with `respond` (by default a successful empty body). */
export class FakeGroupInvoker implements GroupInvoker {
  readonly calls: { group: FunctionGroup; request: GroupRequest }[] = [];
  respond: (group: FunctionGroup, request: GroupRequest) => Promise<GroupResponse> = async () => ({ ok: true, body: '{}', touched: [] });

  invoke(group: FunctionGroup, request: GroupRequest): Promise<GroupResponse> {
    this.calls.push({ group, request });
    return this.respond(group, request);
  }
}

export interface FrontHarness {
  readonly core: CoreHarness;
  readonly groups: FakeGroupInvoker;
  readonly audit: RecordingAuditSink;
  readonly logger: RecordingLogger;
  readonly handler: ReturnType<typeof createFrontHandler>;
}

/** `groups` replaces the fake invoker, e.g. with real group handlers over the same core. */
export function makeFrontHarness(options: { groups?: (core: CoreHarness) => GroupInvoker; transport?: TransportFacts } = {}): FrontHarness {
  const core = makeCore();
  core.clock.set(SIGNING_DATE);
  const groups = new FakeGroupInvoker();
  const audit = new RecordingAuditSink();
  const logger = new RecordingLogger();
  const verifier = new SigV4Verifier({ credentials: new MapCredentialResolver(), clock: core.clock });
  const handler = createFrontHandler({
    core: core.deps, verifier, groups: options.groups?.(core) ?? groups, audit, clock: core.clock, ids: core.ids, logger,
    ...(options.transport === undefined ? {} : { transport: options.transport }),
  });
  return { core, groups, audit, logger, handler };
}

const CANONICAL_NAMES: Readonly<Record<string, string>> = {
  host: 'Host',
  'content-type': 'Content-Type',
  'content-length': 'Content-Length',
  'x-amz-target': 'X-Amz-Target',
  'x-amz-date': 'X-Amz-Date',
  authorization: 'Authorization',
};

/**
 * The API Gateway REST proxy event for a signed request: header names as clients send them,
 * Content-Length dropped (as API Gateway drops it) and the body base64-encoded unless asked.
 */
export function makeProxyEvent(
  request: SignedHttpRequest,
  options: { base64?: boolean; keepContentLength?: boolean; sourceIp?: string; userAgent?: string } = {},
): APIGatewayProxyEvent {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (name === 'content-length' && options.keepContentLength !== true) continue;
    headers[CANONICAL_NAMES[name] ?? name] = value;
  }
  if (options.userAgent !== undefined) headers['User-Agent'] = options.userAgent;
  const base64 = options.base64 ?? true;
  const body = base64 ? Buffer.from(request.body).toString('base64') : new TextDecoder().decode(request.body);
  return {
    resource: '/',
    path: request.path,
    httpMethod: request.method,
    headers,
    multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, [value]])),
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: null,
    stageVariables: null,
    body,
    isBase64Encoded: base64,
    requestContext: {
      accountId: '000000000000',
      apiId: 'api',
      authorizer: null,
      protocol: 'HTTP/1.1',
      httpMethod: request.method,
      path: request.path,
      stage: 'prod',
      requestId: 'apigw-request',
      requestTimeEpoch: SIGNING_DATE.getTime(),
      resourceId: 'root',
      resourcePath: '/',
      identity: {
        accessKey: null, accountId: null, apiKey: null, apiKeyId: null, caller: null, clientCert: null,
        cognitoAuthenticationProvider: null, cognitoAuthenticationType: null, cognitoIdentityId: null,
        cognitoIdentityPoolId: null, principalOrgId: null, sourceIp: options.sourceIp ?? '198.51.100.9',
        user: null, userAgent: 'identity-agent', userArn: null,
      },
    },
  };
}

export function makeLambdaContext(requestId = 'lambda-request'): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'front',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:front',
    memoryLimitInMB: '256',
    awsRequestId: requestId,
    logGroupName: 'front',
    logStreamName: 'front',
    getRemainingTimeInMillis: () => 30_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
