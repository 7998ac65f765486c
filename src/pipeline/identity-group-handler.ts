/**
 * The identities group function (IAM and STS): it authenticates the front's signed request like
 * every group, runs the operation, and answers its output as JSON (the front writes the XML). The
 * front-side runner that invokes it is {@link groupRunner}.
 */
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { ServiceError } from '../core/errors/service-error.js';
import { ERROR_CLASSES as KMS_ERRORS } from '../models/kms/generated/errors.js';
import { ERROR_CLASSES as IAM_ERRORS, ServiceFailureException } from '../models/iam/generated/errors.js';
import { ERROR_CLASSES as STS_ERRORS } from '../models/sts/generated/errors.js';
import type { GroupInvoker, GroupResponse, IdentityOperationId } from './group-protocol.js';
import type { GroupRequestVerifier } from './group-request-auth.js';
import type { Logger } from './logger.js';
import type { QueryOperationRunner } from './query-handler.js';
import type { QueryServiceName } from './query-services.js';
import { loggableError } from './redaction.js';

export interface IdentityGroupDeps {
  readonly run: QueryOperationRunner;
  readonly verifier: GroupRequestVerifier;
  readonly logger: Logger;
}

const REFUSED: GroupResponse = { ok: false, errorName: 'ServiceFailure', message: 'An internal error occurred.', touched: [] };

export function createIdentityGroupHandler(deps: IdentityGroupDeps) {
  return middy<unknown, GroupResponse, Error, Context>().handler(async (event, context) => {
    const checked = deps.verifier.verify('identities', event);
    if (!checked.ok) {
      deps.logger.error('group request refused', {
        group: 'identities', reason: checked.reason, invocationRequestId: context.awsRequestId,
        ...(checked.requestId === undefined ? {} : { requestID: checked.requestId }),
      });
      return REFUSED;
    }
    const { operation, body, context: ctx } = checked.request;
    const [service, action] = operation.split(':') as [QueryServiceName, string];
    try {
      /* Precondition: the identities function runs only IAM and STS operations. */
      if (action === undefined || (service !== 'iam' && service !== 'sts')) throw new Error(`${operation} is not in group identities`);
      const output = await deps.run(service, action, JSON.parse(body) as Record<string, unknown>, ctx);
      return { ok: true, body: JSON.stringify(output ?? null), touched: [] };
    } catch (error) {
      if (error instanceof ServiceError) return { ok: false, errorName: error.name, message: error.message, touched: [] };
      deps.logger.error('unhandled error', { requestId: ctx.requestId, error: loggableError(error) });
      return REFUSED;
    }
  });
}

/** The front's runner: each IAM or STS operation runs in the identities group's function. */
export function groupRunner(groups: GroupInvoker): QueryOperationRunner {
  return async (service, operation, input, ctx) => {
    const id: IdentityOperationId = `${service}:${operation}`;
    const response = await groups.invoke('identities', { operation: id, body: JSON.stringify(input), context: ctx });
    if (!response.ok) {
      const ErrorClass = IAM_ERRORS[response.errorName] ?? STS_ERRORS[response.errorName] ?? KMS_ERRORS[response.errorName] ?? ServiceFailureException;
      throw new ErrorClass(response.message);
    }
    // Timestamps arrive as ISO strings; the XML encoder reads them as it reads dates.
    return (JSON.parse(response.body) ?? undefined) as Record<string, unknown> | undefined;
  };
}
