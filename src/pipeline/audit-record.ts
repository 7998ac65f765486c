/**
 * Builds the CloudTrail-shaped record of one request. Request parameters keep every member
 * except binary and sensitive ones (plaintext, ciphertext, data keys), as CloudTrail does.
 */
import type { AuditEvent } from '../core/audit-event.js';
import type { ServiceError } from '../core/errors/service-error.js';
import type { KmsRequestState } from './request-state.js';

const READ_ONLY = /^(Describe|List|Get)/;

export function buildAuditEvent(state: KmsRequestState, error: ServiceError | undefined, eventId: string): AuditEvent {
  const caller = state.caller;
  const eventName = state.operation ?? state.target?.split('.').pop() ?? '';
  const accountId = caller?.principal.accountId ?? '';
  return {
    eventVersion: '1.08',
    userIdentity: caller === undefined
      ? { type: 'Unknown' }
      : {
          type: caller.principal.type,
          principalId: caller.principal.principalId,
          arn: caller.principal.arn,
          accountId,
          accessKeyId: caller.principal.accessKeyId,
        },
    eventTime: state.receivedAt.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    eventSource: 'kms.amazonaws.com',
    eventName,
    awsRegion: caller?.region ?? '',
    sourceIPAddress: state.sourceIp,
    userAgent: state.userAgent,
    ...(error === undefined ? {} : { errorCode: error.name, errorMessage: error.message }),
    requestParameters: state.input === undefined ? null : auditParameters(state.input),
    responseElements: null,
    requestID: state.requestId,
    eventID: eventId,
    readOnly: READ_ONLY.test(eventName),
    resources: state.touched.list().map((arn) => ({ accountId: arn.split(':')[4] ?? accountId, type: 'AWS::KMS::Key', ARN: arn })),
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: accountId,
    eventCategory: 'Management',
    ...(state.vpcEndpointId === undefined ? {} : { vpcEndpointId: state.vpcEndpointId }),
  };
}

/** Members that are secret or binary never enter the audit log. */
const EXCLUDED_MEMBERS = new Set(['Plaintext', 'CiphertextBlob', 'Recipient', 'Signature', 'Message', 'Mac', 'PublicKey', 'ImportToken', 'EncryptedKeyMaterial', 'KeyStorePassword', 'XksProxyAuthenticationCredential']);

function auditParameters(input: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(input as Record<string, unknown>)) {
    if (EXCLUDED_MEMBERS.has(name) || value === undefined || value instanceof Uint8Array) continue;
    out[lowerFirst(name)] = auditValue(value, name === 'EncryptionContext' || name.endsWith('EncryptionContext'));
  }
  return out;
}

function auditValue(value: unknown, keepKeys: boolean): unknown {
  if (Array.isArray(value)) return value.map((item) => auditValue(item, false));
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object' && value !== null) {
    // Encryption context keys are the caller's own names and are kept verbatim.
    return keepKeys ? { ...value } : auditParameters(value);
  }
  return value;
}

function lowerFirst(name: string): string {
  return name.charAt(0).toLowerCase() + name.slice(1);
}
