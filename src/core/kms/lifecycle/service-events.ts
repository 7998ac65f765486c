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
  details?: AuditEvent['serviceEventDetails'],
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
