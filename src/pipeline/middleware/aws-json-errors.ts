/**
 * On error: answers with the AWS JSON 1.1 error shape. Known KMS errors go out as they are;
 * anything else is logged and becomes a KMSInternalException that never echoes internals.
 */
import type middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { ServiceError } from '../../core/errors/service-error.js';
import { KMSInternalException } from '../../models/kms/generated/errors.js';
import { errorResponse } from '../responses.js';
import type { KmsLambdaContext } from '../request-state.js';
import type { Logger } from '../logger.js';

export function awsJsonErrors(logger: Logger): middy.MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult, Error, KmsLambdaContext> {
  return {
    onError: (request) => {
      const requestId = request.context.kms?.requestId ?? request.context.awsRequestId ?? '';
      request.error = asKmsError(request.error, logger, requestId);
      request.response = errorResponse(request.error as ServiceError, requestId);
    },
  };
}

export function asKmsError(error: unknown, logger: Logger, requestId: string): ServiceError {
  if (error instanceof ServiceError) return error;
  logger.error('unhandled error', { requestId, error: error instanceof Error ? { name: error.name, message: error.message, stack: error.stack } : String(error) });
  return new KMSInternalException('An internal error occurred.');
}
