/** Before: reads the API Gateway event into the request state (body bytes, headers, target). */
import type middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import type { IdSource, Clock } from '../../core/ports/index.js';
import { TouchedResources } from '../../core/kms/service.js';
import { toSignedRequest } from '../http-request.js';
import type { KmsLambdaContext } from '../request-state.js';

export function parseKmsRequest(options: { ids: IdSource; clock: Clock }): middy.MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult, Error, KmsLambdaContext> {
  return {
    before: (request) => {
      const { event } = request;
      const http = toSignedRequest(event);
      const identity = event.requestContext.identity;
      const vpcEndpointId = identity?.vpceId ?? http.headers['x-amzn-vpce-id'];
      request.context.kms = {
        requestId: options.ids.uuid(),
        receivedAt: options.clock.now(),
        http,
        sourceIp: identity?.sourceIp ?? '',
        userAgent: http.headers['user-agent'] ?? identity?.userAgent ?? '',
        ...(vpcEndpointId === undefined || vpcEndpointId === null ? {} : { vpcEndpointId }),
        target: http.headers['x-amz-target'],
        touched: new TouchedResources(),
      };
    },
  };
}
