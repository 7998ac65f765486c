/** One audit record in the shape of a CloudTrail event for `kms.amazonaws.com`. */
import type { AuthorizationRecord } from './authorization-record.js';

export interface AuditEvent {
  readonly eventVersion: '1.08';
  readonly userIdentity: {
    /** Absent on the service's own actions. */
    readonly type?: string;
    readonly principalId?: string;
    readonly arn?: string;
    readonly accountId?: string;
    readonly accessKeyId?: string;
    /** Set on the service's own actions (`AWS Internal`), which no caller made. */
    readonly invokedBy?: string;
  };
  readonly eventTime: string;
  readonly eventSource: 'kms.amazonaws.com';
  readonly eventName: string;
  readonly awsRegion: string;
  readonly sourceIPAddress: string;
  readonly userAgent: string;
  readonly errorCode?: string;
  readonly errorMessage?: string;
  readonly requestParameters: Record<string, unknown> | null;
  readonly responseElements: Record<string, unknown> | null;
  /** Absent on the service's own actions, which answer no request. */
  readonly requestID?: string;
  readonly eventID: string;
  readonly readOnly: boolean;
  readonly resources?: readonly { readonly accountId: string; readonly type: 'AWS::KMS::Key'; readonly ARN: string }[];
  /** `AwsServiceEvent` for the service's own actions (DeleteKey at the end of a waiting period, RotateKey, …). */
  readonly eventType: 'AwsApiCall' | 'AwsServiceEvent';
  readonly managementEvent: boolean;
  readonly recipientAccountId: string;
  readonly eventCategory: 'Management';
  /** `authorization`: what allowed or denied each action of the request (policy and statement Sid, or grant ID). */
  readonly additionalEventData?: { readonly authorization: readonly AuthorizationRecord[] };
  readonly vpcEndpointId?: string;
  readonly tlsDetails?: Record<string, string>;
}
