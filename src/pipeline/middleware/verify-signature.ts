/** Before: verifies SigV4; nothing reaches an operation unauthenticated. */
import type middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import type { SigV4Verifier } from '../../authn/sigv4-verifier.js';
import { stateOf, type KmsLambdaContext } from '../request-state.js';

export function verifySignature(verifier: SigV4Verifier): middy.MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult, Error, KmsLambdaContext> {
  return {
    before: async (request) => {
      const state = stateOf(request.context);
      state.caller = await verifier.verify(state.http);
    },
  };
}
