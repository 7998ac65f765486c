/** The audit trail of KMS requests, and the key usage it feeds. */
import type middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import type { AuditSink, Clock, IdSource, KeyUsageLog } from '../../core/ports/index.js';
import { KeyLastUsageTrackingOperationValues, type KeyLastUsageTrackingOperation } from '../../models/kms/generated/shapes.js';
import { ServiceError } from '../../core/errors/service-error.js';
import { buildAuditEvent } from '../audit-record.js';
import type { KmsLambdaContext } from '../request-state.js';
import type { Logger } from '../logger.js';
import { loggableError } from '../redaction.js';

const TRACKED: ReadonlySet<string> = new Set(KeyLastUsageTrackingOperationValues);
const KEY_ARN = /^arn:[\w-]+:kms:([\w-]+):(\d{12}):key\/(.+)$/;

/**
 * After and on error: writes one CloudTrail-shaped audit event for the request; after a
 * successful cryptographic operation, notes each key it used with that event's ID (GetKeyLastUsage).
 */
export function auditTrail(options: {
  sink: AuditSink; clock: Clock; ids: IdSource; logger: Logger; usage?: KeyUsageLog;
}): middy.MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult, Error, KmsLambdaContext> {
  const record = async (context: KmsLambdaContext, error: unknown): Promise<void> => {
    const state = context.kms;
    if (state === undefined) return;
    const eventId = options.ids.uuid();
    if (error === undefined && options.usage !== undefined && state.operation !== undefined && TRACKED.has(state.operation)) {
      for (const arn of state.touched.list()) {
        const [, region, accountId, keyId] = KEY_ARN.exec(arn) ?? [];
        if (region === undefined || accountId === undefined || keyId === undefined) continue;
        options.usage.note({ accountId, region, keyId }, {
          operation: state.operation as KeyLastUsageTrackingOperation, cloudTrailEventId: eventId, kmsRequestId: state.requestId,
        });
      }
    }
    try {
      await options.sink.record(buildAuditEvent(state, error instanceof ServiceError ? error : undefined, eventId));
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
