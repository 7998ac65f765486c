/** After and on error: writes one CloudTrail-shaped audit event for the request. */
import type middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import type { AuditSink, Clock, IdSource } from '../../core/ports/index.js';
import { ServiceError } from '../../core/errors/service-error.js';
import { buildAuditEvent } from '../audit-record.js';
import type { KmsLambdaContext } from '../request-state.js';
import type { Logger } from '../logger.js';
import { loggableError } from '../redaction.js';

export function auditTrail(options: { sink: AuditSink; clock: Clock; ids: IdSource; logger: Logger }): middy.MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult, Error, KmsLambdaContext> {
  const record = async (context: KmsLambdaContext, error: unknown): Promise<void> => {
    const state = context.kms;
    if (state === undefined) return;
    try {
      await options.sink.record(buildAuditEvent(state, error instanceof ServiceError ? error : undefined, options.ids.uuid()));
    } catch (failure) {
      // An audit sink must not fail the request it describes; the failure is logged instead.
      options.logger.error('audit sink failed', { requestId: state.requestId, error: loggableError(failure) });
    }
  };
  return {
    after: async (request) => record(request.context, undefined),
    onError: async (request) => record(request.context, request.error),
  };
}
