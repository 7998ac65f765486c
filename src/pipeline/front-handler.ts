/**
 * The front function: parse → authenticate → decode → dispatch → serialize, with audit and
 * error mapping around it. Cryptographic operations run here; other groups are invoked.
 */
import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { groupOf } from '../core/kms/api-groups.js';
import { ServiceError } from '../core/errors/service-error.js';
import { ERROR_CLASSES, UnknownOperationException } from '../models/kms/generated/errors.js';
import { OPERATION_NAMES, type OperationName } from '../models/kms/generated/operations.js';
import type { AuditSink, Clock, IdSource, KeyUsageLog } from '../core/ports/index.js';
import type { CoreDeps } from '../core/kms/service.js';
import type { SigV4Verifier } from '../authn/sigv4-verifier.js';
import { decodeInput } from '../protocol/aws-json/decode-input.js';
import type { GroupInvoker } from './group-protocol.js';
import type { Logger } from './logger.js';
import { auditTrail } from './middleware/audit-trail.js';
import { awsJsonErrors } from './middleware/aws-json-errors.js';
import { parseKmsRequest, type TransportFacts } from './middleware/parse-kms-request.js';
import { verifySignature } from './middleware/verify-signature.js';
import { requestContextOf, stateOf, type KmsLambdaContext } from './request-state.js';
import { successResponse } from './responses.js';
import { handlerFor, runOperation } from './run-operation.js';

export interface FrontDeps {
  readonly core: CoreDeps;
  readonly verifier: SigV4Verifier;
  readonly groups: GroupInvoker;
  readonly audit: AuditSink;
  readonly clock: Clock;
  readonly ids: IdSource;
  readonly logger: Logger;
  /** TLS and the VPC endpoints requests may come through; without it, plain HTTP and no endpoint VPCs. */
  readonly transport?: TransportFacts;
  /** Where successful cryptographic operations note the keys they used (GetKeyLastUsage). */
  readonly usage?: KeyUsageLog;
}

const TARGET_PREFIX = 'TrentService.';
const KNOWN_OPERATIONS = new Set<string>(OPERATION_NAMES);

export function createFrontHandler(deps: FrontDeps) {
  return middy<APIGatewayProxyEvent, APIGatewayProxyResult, Error, KmsLambdaContext>()
    .use(auditTrail({ sink: deps.audit, clock: deps.clock, ids: deps.ids, logger: deps.logger, ...(deps.usage === undefined ? {} : { usage: deps.usage }) }))
    .use(awsJsonErrors(deps.logger))
    .use(parseKmsRequest({ ids: deps.ids, clock: deps.clock, transport: deps.transport ?? { secure: false } }))
    .use(verifySignature(deps.verifier))
    .handler(async (_event, context) => {
      const state = stateOf(context);
      const operation = operationOf(state.target);
      state.operation = operation;
      // Fail fast on operations not built yet, before any decoding.
      handlerFor(operation);
      const input = decodeInput(operation, state.http.body);
      state.input = input;
      const ctx = requestContextOf(state);
      const group = groupOf(operation);
      if (group === 'crypto') {
        return successResponse(await runOperation(deps.core, operation, input, ctx, state.touched), state.requestId);
      }
      const response = await deps.groups.invoke(group, {
        operation,
        body: new TextDecoder().decode(state.http.body),
        context: ctx,
      });
      for (const arn of response.touched) state.touched.add(arn);
      for (const record of response.authorizations ?? []) state.touched.authorized(record);
      if (!response.ok) throw rebuildError(response.errorName, response.message, response.reason);
      return successResponse(response.body, state.requestId);
    });
}

function operationOf(target: string | undefined): OperationName {
  const name = target?.startsWith(TARGET_PREFIX) === true ? target.slice(TARGET_PREFIX.length) : undefined;
  if (name === undefined || !KNOWN_OPERATIONS.has(name)) throw new UnknownOperationException('', { reason: 'X-Amz-Target names no AWS KMS operation.' });
  return name as OperationName;
}

function rebuildError(name: string, message: string, reason: string | undefined): ServiceError {
  const ErrorClass = ERROR_CLASSES[name] ?? ERROR_CLASSES['KMSInternalException'];
  if (ErrorClass === undefined) throw new Error(`no error class for ${name}`);
  return new ErrorClass(message, reason === undefined ? {} : { reason });
}
