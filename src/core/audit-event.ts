import type { AuthorizationRecord } from './authorization-record.js';

/** CloudTrail's userIdentity: root, IAM user (with `userName`) or role session (with `sessionContext`). */
export interface AuditUserIdentity {
  /** Absent on the service's own actions. */
  readonly type?: string;
  /** Set on the service's own actions (`AWS Internal`), which no caller made. */
  readonly invokedBy?: string;
  readonly principalId?: string;
  readonly arn?: string;
  readonly accountId?: string;
  readonly accessKeyId?: string;
  readonly userName?: string;
  readonly sessionContext?: {
    readonly sessionIssuer: { readonly type: 'Role'; readonly principalId: string; readonly arn: string; readonly accountId: string; readonly userName: string };
    readonly attributes: { readonly creationDate: string; readonly mfaAuthenticated: 'false' };
    readonly sourceIdentity?: string;
  };
}

/** One audit record in the shape of a CloudTrail event for `kms.amazonaws.com` (or `iam.` / `sts.amazonaws.com`). */
export interface AuditEvent {
  readonly eventVersion: '1.08';
  readonly userIdentity: AuditUserIdentity;
  readonly eventTime: string;
  readonly eventSource: 'kms.amazonaws.com' | 'iam.amazonaws.com' | 'sts.amazonaws.com';
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
  readonly resources?: readonly { readonly accountId: string; readonly type: string; readonly ARN: string }[];
  /** `AwsServiceEvent` for the service's own actions (DeleteKey at the end of a waiting period, RotateKey, …). */
  readonly eventType: 'AwsApiCall' | 'AwsServiceEvent';
  readonly managementEvent: boolean;
  readonly recipientAccountId: string;
  readonly eventCategory: 'Management';
  /**
   * `authorization`: what allowed or denied each action of the request (policy and statement Sid, or grant ID);
   * `errorReason`: why the request failed, for operators, when AWS's answer carries no message.
   */
  readonly additionalEventData?: { readonly authorization?: readonly AuthorizationRecord[]; readonly errorReason?: string };
  readonly vpcEndpointId?: string;
  /**
   * On the service's RotateKey event: which rotation it was, and of which key (as CloudTrail writes
   * it); on IntegrityCheckFailed (ours): which stored record failed and why.
   */
  readonly serviceEventDetails?:
    | { readonly rotationType?: 'AUTOMATIC' | 'ON_DEMAND'; readonly keyId: string }
    | { readonly record: { readonly pk: string; readonly sk: string; readonly type: string }; readonly reason: string };
  readonly tlsDetails?: Record<string, string>;
}
