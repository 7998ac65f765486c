/**
 * Builds the CloudTrail-shaped record of one request. Request parameters keep every member
 * except binary and sensitive ones (plaintext, ciphertext, data keys), as CloudTrail does; the
 * error message never carries their values and is capped (`redaction.ts`).
 */
import type { AuditEvent } from '../core/audit-event.js';
import type { ServiceError } from '../core/errors/service-error.js';
import { OPERATIONS } from '../models/kms/generated/schema.js';
import { isSecretShape, secretStringsIn } from '../protocol/aws-json/secret-members.js';
import { shapeSchema } from '../protocol/aws-json/validate-input.js';
import { userIdentityOf } from './audit-identity.js';
import { recordedMessage } from './redaction.js';
import type { KmsRequestState } from './request-state.js';

const READ_ONLY = /^(Describe|List|Get)/;

export function buildAuditEvent(state: KmsRequestState, error: ServiceError | undefined, eventId: string): AuditEvent {
  const caller = state.caller;
  const eventName = state.operation ?? state.target?.split('.').pop() ?? '';
  const accountId = caller?.principal.accountId ?? '';
  return {
    eventVersion: '1.08',
    userIdentity: caller === undefined ? { type: 'Unknown' } : userIdentityOf(caller.principal),
    eventTime: state.receivedAt.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    eventSource: 'kms.amazonaws.com',
    eventName,
    awsRegion: caller?.region ?? '',
    sourceIPAddress: state.sourceIp,
    userAgent: state.userAgent,
    ...(error === undefined ? {} : {
      errorCode: auditErrorCode(error.name),
      errorMessage: recordedMessage(error.message, secretStringsIn(state.operation, state.http.body)),
    }),
    requestParameters: state.input === undefined || state.operation === undefined
      ? null
      : auditParameters(OPERATIONS[state.operation].input, state.input),
    responseElements: null,
    requestID: state.requestId,
    eventID: eventId,
    readOnly: READ_ONLY.test(eventName),
    resources: state.touched.list().map((arn) => ({ accountId: arn.split(':')[4] ?? accountId, type: 'AWS::KMS::Key', ARN: arn })),
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: accountId,
    eventCategory: 'Management',
    ...(state.touched.authorizations().length === 0 ? {} : { additionalEventData: { authorization: state.touched.authorizations() } }),
    ...(state.vpcEndpointId === undefined ? {} : { vpcEndpointId: state.vpcEndpointId }),
  };
}

/** CloudTrail records an access denial as `AccessDenied`; every other error by its exception name. */
function auditErrorCode(name: string): string {
  return name === 'AccessDeniedException' ? 'AccessDenied' : name;
}

/** Members that are secret or binary (by the model) never enter the audit log. */
function auditParameters(shapeName: string, input: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const values = input as Record<string, unknown>;
  for (const [name, target] of Object.entries(shapeSchema(shapeName).members ?? {})) {
    const value = values[name];
    if (value === undefined || isSecretShape(target)) continue;
    out[lowerFirst(name)] = auditValue(target, value);
  }
  return out;
}

function auditValue(shapeName: string, value: unknown): unknown {
  const shape = shapeSchema(shapeName);
  if (value instanceof Date) return value.toISOString();
  if (shape.type === 'structure') return auditParameters(shapeName, value);
  if (shape.type === 'list' && Array.isArray(value)) return value.map((item) => auditValue(shape.member ?? '', item));
  // Map keys (encryption context keys) are the caller's own names and are kept verbatim.
  if (shape.type === 'map') return { ...(value as Record<string, unknown>) };
  return value;
}

function lowerFirst(name: string): string {
  return name.charAt(0).toLowerCase() + name.slice(1);
}
