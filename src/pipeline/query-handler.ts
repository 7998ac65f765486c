/**
 * The front of the Query-protocol services (IAM, STS) at the same endpoint as KMS: parse the
 * form-encoded request → authenticate (SigV4 for the service's signing name) → decode and
 * validate the input against the service's model → run → answer XML, with XML errors and one
 * CloudTrail-shaped audit event (`iam.amazonaws.com` / `sts.amazonaws.com`) per request.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import type { SigV4Verifier, VerifiedCaller } from '../authn/sigv4-verifier.js';
import type { AuditEvent } from '../core/audit-event.js';
import { ServiceError, needs } from '../core/errors/service-error.js';
import type { AuditSink, Clock, IdSource } from '../core/ports/index.js';
import type { RequestContext } from '../core/request-context.js';
import { InvalidActionError } from '../models/iam/generated/errors.js';
import { decodeQueryInput, parseQueryParams, type QueryParams } from '../protocol/query/decode-input.js';
import { encodeQueryError, encodeQueryOutput } from '../protocol/query/encode-output.js';
import { queryErrorOf } from '../protocol/query/query-errors.js';
import { userIdentityOf } from './audit-identity.js';
import { toSignedRequest } from './http-request.js';
import type { Logger } from './logger.js';
import { QUERY_SERVICES, queryServiceOf, type QueryServiceName } from './query-services.js';
import { loggableError, recordedMessage } from './redaction.js';
import { sayIam } from '../core/iam/messages.js';

/** Runs one operation of a Query service (in this process, or in the identity group's function). */
export type QueryOperationRunner = (
  service: QueryServiceName, operation: string, input: Record<string, unknown>, ctx: RequestContext,
) => Promise<Record<string, unknown> | undefined>;

export interface QueryFrontDeps {
  readonly verifier: SigV4Verifier;
  readonly run: QueryOperationRunner;
  readonly audit: AuditSink;
  readonly clock: Clock;
  readonly ids: IdSource;
  readonly logger: Logger;
}

const CONTENT_TYPE = 'text/xml';
const READ_ONLY = /^(Get|List)/;

interface QueryRequestState {
  readonly requestId: string;
  readonly receivedAt: Date;
  readonly sourceIp: string;
  readonly userAgent: string;
  readonly vpcEndpointId?: string;
  service: QueryServiceName;
  action: string;
  caller?: VerifiedCaller;
  input?: Record<string, unknown>;
}

export function createQueryHandler(deps: QueryFrontDeps) {
  return async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => {
    const http = toSignedRequest(event);
    const identity = event.requestContext.identity;
    const vpcEndpointId = identity?.vpceId;
    const params = requestParams(http.body, http.query, http.method);
    const state: QueryRequestState = {
      requestId: deps.ids.uuid(),
      receivedAt: deps.clock.now(),
      sourceIp: identity?.sourceIp ?? '',
      userAgent: http.headers['user-agent'] ?? identity?.userAgent ?? '',
      ...(vpcEndpointId === undefined || vpcEndpointId === null || vpcEndpointId === '' ? {} : { vpcEndpointId }),
      service: queryServiceOf(http.headers['authorization'], params.get('Version')),
      action: params.get('Action') ?? '',
    };
    let response: APIGatewayProxyResult;
    try {
      const entry = QUERY_SERVICES[state.service];
      state.caller = await deps.verifier.verify(http, entry.schema.signingName);
      /* Precondition: the Action is an operation of the service, in the Version of its model. */
      needs(
        entry.operations.has(state.action) && params.get('Version') === entry.schema.apiVersion,
        () => sayIam('unknownQueryAction', { action: state.action, version: params.get('Version') ?? 'NO_VERSION_SPECIFIED' }),
        InvalidActionError,
      );
      const input = decodeQueryInput(entry.schema, state.action, params);
      state.input = input;
      const output = await deps.run(state.service, state.action, input, contextOf(state, state.caller));
      response = success(encodeQueryOutput(entry.schema, state.action, output, state.requestId), state.requestId);
    } catch (error) {
      if (!(error instanceof ServiceError)) deps.logger.error('unhandled error', { requestId: state.requestId, error: loggableError(error) });
      const answer = queryErrorOf(error);
      response = {
        statusCode: answer.status,
        headers: { 'Content-Type': CONTENT_TYPE, 'x-amzn-RequestId': state.requestId },
        body: encodeQueryError(QUERY_SERVICES[state.service].schema.xmlNamespace, answer, state.requestId),
      };
      await record(deps, state, { code: answer.code, message: answer.message });
      return response;
    }
    await record(deps, state, undefined);
    return response;
  };
}

/** The form-encoded body of a POST, or the query string of a GET (both are Query requests). */
function requestParams(body: Uint8Array, query: Readonly<Record<string, string>>, method: string): QueryParams {
  if (method === 'GET') return new Map(Object.entries(query));
  return parseQueryParams(new TextDecoder().decode(body));
}

/** The request's context; aws:SecureTransport stays unset (false) until the listener vouches for TLS, never from a client header. */
function contextOf(state: QueryRequestState, caller: VerifiedCaller): RequestContext {
  return {
    requestId: state.requestId,
    principal: caller.principal,
    region: caller.region,
    sourceIp: state.sourceIp,
    userAgent: state.userAgent,
    ...(state.vpcEndpointId === undefined ? {} : { vpcEndpointId: state.vpcEndpointId }),
  };
}

function success(body: string, requestId: string): APIGatewayProxyResult {
  return { statusCode: 200, headers: { 'Content-Type': CONTENT_TYPE, 'x-amzn-RequestId': requestId }, body };
}

/** Members never written to the audit log: policy documents are kept (CloudTrail records them), secrets are not in any input. */
function auditParameters(input: Record<string, unknown> | undefined): Record<string, unknown> | null {
  if (input === undefined) return null;
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(input)) out[name.charAt(0).toLowerCase() + name.slice(1)] = value;
  return out;
}

async function record(deps: QueryFrontDeps, state: QueryRequestState, error: { code: string; message: string } | undefined): Promise<void> {
  const accountId = state.caller?.principal.accountId ?? '';
  const event: AuditEvent = {
    eventVersion: '1.08',
    userIdentity: state.caller === undefined ? { type: 'Unknown' } : userIdentityOf(state.caller.principal),
    eventTime: `${state.receivedAt.toISOString().slice(0, 19)}Z`,
    eventSource: `${state.service}.amazonaws.com`,
    eventName: state.action,
    awsRegion: state.caller?.region ?? '',
    sourceIPAddress: state.sourceIp,
    userAgent: state.userAgent,
    ...(error === undefined ? {} : { errorCode: error.code, errorMessage: recordedMessage(error.message, []) }),
    requestParameters: auditParameters(state.input),
    responseElements: null,
    requestID: state.requestId,
    eventID: deps.ids.uuid(),
    readOnly: READ_ONLY.test(state.action),
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: accountId,
    eventCategory: 'Management',
    ...(state.vpcEndpointId === undefined ? {} : { vpcEndpointId: state.vpcEndpointId }),
  };
  try {
    await deps.audit.record(event);
  } catch (failure) {
    deps.logger.error('audit sink failed', { requestId: state.requestId, error: loggableError(failure) });
  }
}
