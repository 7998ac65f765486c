/**
 * On error: answers with the AWS JSON 1.1 error shape. Known KMS errors go out as they are;
 * anything else is logged (quoted values and the request's secrets redacted) and becomes a
 * KMSInternalException that never echoes internals.
 */
import type middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { ServiceError } from '../../core/errors/service-error.js';
import { KMSInternalException } from '../../models/kms/generated/errors.js';
import { say } from '../../core/kms/messages.js';
import { secretStringsIn } from '../../protocol/aws-json/secret-members.js';
import { loggableError } from '../redaction.js';
import { errorResponse } from '../responses.js';
import type { KmsLambdaContext } from '../request-state.js';
import type { Logger } from '../logger.js';

export function awsJsonErrors(logger: Logger): middy.MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult, Error, KmsLambdaContext> {
  return {
    onError: (request) => {
      const state = request.context.kms;
      const requestId = state?.requestId ?? request.context.awsRequestId ?? '';
      const secrets = request.error instanceof ServiceError || state === undefined ? [] : secretStringsIn(state.operation, state.http.body);
      const error = asKmsError(request.error, logger, requestId, secrets);
      request.error = error;
      logReason(logger, error, requestId);
      request.response = errorResponse(request.error as ServiceError, requestId);
    },
  };
}

/** `error` as the KMS error to answer; an unexpected one is logged first, without the request's `secrets`. */
export function asKmsError(error: unknown, logger: Logger, requestId: string, secrets: readonly string[] = []): ServiceError {
  if (error instanceof ServiceError) return error;
  logger.error('unhandled error', { requestId, error: loggableError(error, secrets) });
  return new KMSInternalException(say('internalError'));
}

/** An error's operator-only reason goes to the debug log (never on the wire). */
export function logReason(logger: Logger, error: ServiceError, requestId: string): void {
  if (error.reason !== undefined) logger.debug?.('error reason', { requestId, errorCode: error.name, reason: error.reason });
}
