/**
 * A group function: authenticates the front's signed request, runs it, and writes one line
 * saying what it did.
 */
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { groupOf } from '../core/kms/api-groups.js';
import type { CoreDeps } from '../core/kms/service.js';
import { TouchedResources } from '../core/kms/service.js';
import type { FunctionGroup, GroupRequest, GroupResponse } from './group-protocol.js';
import type { GroupRequestVerifier } from './group-request-auth.js';
import type { Logger } from './logger.js';
import { asKmsError } from './middleware/aws-json-errors.js';
import { runEncodedOperation } from './run-operation.js';
import type { OperationName } from '../models/kms/generated/operations.js';

export interface GroupHandlerDeps {
  readonly group: FunctionGroup;
  readonly core: CoreDeps;
  readonly logger: Logger;
  /** Checks every invoke payload before anything else runs. */
  readonly verifier: GroupRequestVerifier;
}

/** What the front gets for a refused payload; it answers KMSInternalException. */
const REFUSED: GroupResponse = { ok: false, errorName: 'KMSInternalException', message: 'An internal error occurred.', touched: [] };

export function createGroupHandler(deps: GroupHandlerDeps) {
  return middy<unknown, GroupResponse, Error, Context>().handler(async (event, context) => {
    const checked = deps.verifier.verify(deps.group, event);
    if (!checked.ok) {
      // The reason and IDs only: a refused payload is not trusted enough to echo.
      deps.logger.error('group request refused', {
        group: deps.group,
        reason: checked.reason,
        invocationRequestId: context.awsRequestId,
        ...(checked.requestId === undefined ? {} : { requestID: checked.requestId }),
      });
      return REFUSED;
    }
    const response = await run(deps, checked.request);
    deps.logger.info('group event', groupEvent(deps.group, checked.request, response, context));
    return response;
  });
}

async function run(deps: GroupHandlerDeps, request: GroupRequest): Promise<GroupResponse> {
  const touched = new TouchedResources();
  try {
    /* Precondition: a group function runs only its own group's operations (least privilege). */
    const { operation } = request;
    if (operation.includes(':') || groupOf(operation as OperationName) !== deps.group) throw new Error(`${operation} is not in group ${deps.group}`);
    const body = await runEncodedOperation(deps.core, operation as OperationName, request.body, request.context, touched);
    return { ok: true, body, ...trailOf(touched) };
  } catch (error) {
    const kmsError = asKmsError(error, deps.logger, request.context.requestId);
    return { ok: false, errorName: kmsError.name, message: kmsError.message, ...trailOf(touched) };
  }
}

/** The keys the request touched and, when any were made, its authorization decisions. */
function trailOf(touched: TouchedResources): { touched: readonly string[]; authorizations?: GroupResponse['authorizations'] } {
  const authorizations = touched.authorizations();
  return { touched: touched.list(), ...(authorizations.length === 0 ? {} : { authorizations }) };
}

/**
 * The CloudTrail fields an operator needs to match this function's work with the front's audit
 * event (same `requestID`) and with Lambda's own records of the invocation. No error message:
 * it may quote request values.
 */
function groupEvent(group: FunctionGroup, request: GroupRequest, response: GroupResponse, context: Context): Record<string, unknown> {
  const { principal } = request.context;
  return {
    eventSource: 'kms.amazonaws.com',
    eventName: request.operation,
    awsRegion: request.context.region,
    requestID: request.context.requestId,
    userIdentity: {
      type: principal.type,
      principalId: principal.principalId,
      arn: principal.arn,
      accountId: principal.accountId,
      accessKeyId: principal.accessKeyId,
    },
    resources: response.touched,
    ...(response.ok ? {} : { errorCode: response.errorName }),
    group,
    invocationRequestId: context.awsRequestId,
  };
}
