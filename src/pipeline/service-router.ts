/** Protocol detection at the one endpoint: Query requests (IAM, STS) to their front, everything else to KMS's. */
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { isQueryRequest } from './query-services.js';

export function routeByProtocol(fronts: {
  readonly kms: (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;
  readonly query: (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>;
}) {
  return (event: APIGatewayProxyEvent, context: Context): Promise<APIGatewayProxyResult> =>
    (isQueryRequest(event) ? fronts.query(event) : fronts.kms(event, context));
}
