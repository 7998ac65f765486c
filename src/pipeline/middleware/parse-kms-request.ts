/**
 * Before: reads the API Gateway event into the request state (body bytes, headers, target).
 * The VPC endpoint a request came through is taken only from the event's
 * `requestContext.identity.vpceId`, which API Gateway (or, locally, the listener) sets; never
 * from a client header, since policies will trust it (`aws:SourceVpce`).
 */
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
      const vpcEndpointId = identity?.vpceId;
      request.context.kms = {
        requestId: options.ids.uuid(),
        receivedAt: options.clock.now(),
        http,
        sourceIp: identity?.sourceIp ?? '',
        userAgent: http.headers['user-agent'] ?? identity?.userAgent ?? '',
        ...(vpcEndpointId === undefined || vpcEndpointId === null || vpcEndpointId === '' ? {} : { vpcEndpointId }),
        target: http.headers['x-amz-target'],
        touched: new TouchedResources(),
      };
    },
  };
}
