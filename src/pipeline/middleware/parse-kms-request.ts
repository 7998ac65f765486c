/**
 * Before: reads the API Gateway event into the request state (body bytes, headers, target).
 * The VPC endpoint a request came through is taken only from the event's
 * `requestContext.identity.vpceId`, which API Gateway (or, locally, the listener) sets; never
 * from a client header, since policies will trust it (`aws:SourceVpce`). Its VPC (`aws:SourceVpc`)
 * comes from the deployment's endpoint-to-VPC map, since the event does not carry it.
 */
import type middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import type { IdSource, Clock } from '../../core/ports/index.js';
import { TouchedResources } from '../../core/kms/service.js';
import { toSignedRequest } from '../http-request.js';
import type { KmsLambdaContext } from '../request-state.js';

export interface TransportFacts {
  /** Whether requests arrive over TLS: true behind API Gateway, false on local mode's plain HTTP listener. */
  readonly secure: boolean;
  /** The VPC of each interface VPC endpoint requests may come through, by endpoint ID. */
  readonly endpointVpcs?: ReadonlyMap<string, string>;
}

export function parseKmsRequest(options: { ids: IdSource; clock: Clock; transport: TransportFacts }): middy.MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult, Error, KmsLambdaContext> {
  return {
    before: (request) => {
      const { event } = request;
      const http = toSignedRequest(event);
      const identity = event.requestContext.identity;
      const vpceId = identity?.vpceId;
      const vpcEndpointId = vpceId === undefined || vpceId === null || vpceId === '' ? undefined : vpceId;
      const vpcId = vpcEndpointId === undefined ? undefined : options.transport.endpointVpcs?.get(vpcEndpointId);
      request.context.kms = {
        requestId: options.ids.uuid(),
        receivedAt: options.clock.now(),
        http,
        sourceIp: identity?.sourceIp ?? '',
        userAgent: http.headers['user-agent'] ?? identity?.userAgent ?? '',
        ...(vpcEndpointId === undefined ? {} : { vpcEndpointId }),
        ...(vpcId === undefined ? {} : { vpcId }),
        secureTransport: options.transport.secure,
        target: http.headers['x-amz-target'],
        touched: new TouchedResources(),
      };
    },
  };
}
