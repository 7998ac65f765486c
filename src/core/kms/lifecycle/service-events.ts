/**
 * The service's own lifecycle actions as CloudTrail records them (Developer Guide, "DeleteKey",
 * "RotateKey", "DeleteExpiredKeyMaterial"): no caller, `AWS Internal` in the identity, address and
 * user agent, no parameters, the key in `resources`, event type AwsServiceEvent.
 */
import type { AuditEvent } from '../../audit-event.js';

export type ServiceAction = 'DeleteKey' | 'RotateKey' | 'DeleteExpiredKeyMaterial';

const INTERNAL = 'AWS Internal';

export function serviceEvent(
  action: ServiceAction, key: { readonly accountId: string; readonly region: string; readonly arn: string }, at: Date, eventId: string,
  details?: { readonly rotationType?: 'AUTOMATIC' | 'ON_DEMAND'; readonly keyId: string },
): AuditEvent {
  return {
    eventVersion: '1.08',
    userIdentity: { accountId: key.accountId, invokedBy: INTERNAL },
    eventTime: at.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    eventSource: 'kms.amazonaws.com',
    eventName: action,
    awsRegion: key.region,
    sourceIPAddress: INTERNAL,
    userAgent: INTERNAL,
    requestParameters: null,
    responseElements: null,
    eventID: eventId,
    readOnly: false,
    resources: [{ accountId: key.accountId, type: 'AWS::KMS::Key', ARN: key.arn }],
    eventType: 'AwsServiceEvent',
    managementEvent: true,
    recipientAccountId: key.accountId,
    ...(details === undefined ? {} : { serviceEventDetails: details }),
    eventCategory: 'Management',
  };
}

/** A stored record that failed its integrity check, as the table adapter reports it. */
export interface IntegrityFailureReport {
  readonly pk: string;
  readonly sk: string;
  readonly type: string;
  readonly reason: string;
  /** The account and Region the record claims (it may have been forged); the service's own when it names none. */
  readonly accountId?: string;
  readonly region?: string;
}

/**
 * The audit event of a record that failed its integrity check (ours: CloudTrail has no such
 * event): a service event naming the record by its table key, never its contents.
 */
export function integrityFailureEvent(failure: IntegrityFailureReport, at: Date, eventId: string, fallback: { readonly accountId: string; readonly region: string }): AuditEvent {
  const accountId = failure.accountId ?? fallback.accountId;
  return {
    eventVersion: '1.08',
    userIdentity: { accountId, invokedBy: INTERNAL },
    eventTime: at.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    eventSource: 'kms.amazonaws.com',
    eventName: 'IntegrityCheckFailed',
    awsRegion: failure.region ?? fallback.region,
    sourceIPAddress: INTERNAL,
    userAgent: INTERNAL,
    requestParameters: null,
    responseElements: null,
    eventID: eventId,
    readOnly: true,
    eventType: 'AwsServiceEvent',
    managementEvent: true,
    recipientAccountId: accountId,
    serviceEventDetails: { record: { pk: failure.pk, sk: failure.sk, type: failure.type }, reason: failure.reason },
    eventCategory: 'Management',
  };
}
