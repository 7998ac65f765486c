/** AWS JSON 1.1 responses in API Gateway's proxy result shape. */
import type { APIGatewayProxyResult } from 'aws-lambda';
import type { ServiceError } from '../core/errors/service-error.js';

const CONTENT_TYPE = 'application/x-amz-json-1.1';

export function successResponse(body: string, requestId: string): APIGatewayProxyResult {
  return { statusCode: 200, headers: { 'Content-Type': CONTENT_TYPE, 'x-amzn-RequestId': requestId }, body };
}

export function errorResponse(error: ServiceError, requestId: string): APIGatewayProxyResult {
  return {
    statusCode: error.httpStatus,
    headers: { 'Content-Type': CONTENT_TYPE, 'x-amzn-RequestId': requestId, 'x-amzn-ErrorType': error.name },
    body: JSON.stringify(error.toJSON()),
  };
}
