/** The authenticated caller of one request, as CloudTrail's userIdentity describes it. */
export interface Principal {
  /** CloudTrail identity type: `Root`, `IAMUser`, `AssumedRole`. */
  readonly type: 'Root' | 'IAMUser' | 'AssumedRole';
  readonly accountId: string;
  /** The caller's ARN: `…:root`, `…:user/path/name`, or the session ARN `arn:aws:sts::…:assumed-role/Role/session`. */
  readonly arn: string;
  /** aws:userid: the account ID for root, `AIDA…` for a user, `AROA…:session` for a role session. */
  readonly principalId: string;
  readonly accessKeyId: string;
  /** aws:username: set for IAM users only. */
  readonly userName?: string;
  /** Set for role sessions (AssumeRole): the role and the session's temporary credentials. */
  readonly session?: RoleSession;
  /** aws:PrincipalTag/*: the user's or role's tags, with session tags taking precedence. */
  readonly tags?: Readonly<Record<string, string>>;
}

/** A role session, as CloudTrail's `sessionContext` and the policy engine need it. */
export interface RoleSession {
  /** The role's IAM ARN with its path, e.g. `arn:aws:iam::111122223333:role/path/Name`. */
  readonly roleArn: string;
  readonly roleName: string;
  /** The role's unique ID (`AROA…`). */
  readonly roleId: string;
  readonly sessionName: string;
  /** Epoch milliseconds. */
  readonly issuedAt: number;
  /** Epoch milliseconds; the credentials are refused from then on (ExpiredTokenException). */
  readonly expiresAt: number;
  readonly sourceIdentity?: string;
}

/** Everything the core knows about a request besides its input. */
export interface RequestContext {
  readonly requestId: string;
  readonly principal: Principal;
  /** The Region from the request's SigV4 credential scope. */
  readonly region: string;
  /** The caller's address: aws:SourceIp, or aws:VpcSourceIp when the request came through a VPC endpoint. */
  readonly sourceIp: string;
  readonly userAgent: string;
  /** The interface VPC endpoint the request came through (aws:SourceVpce); never taken from a client header. */
  readonly vpcEndpointId?: string;
  /** The VPC of that endpoint (aws:SourceVpc). */
  readonly vpcId?: string;
  /** Whether the request arrived over TLS (aws:SecureTransport); absent counts as false. */
  readonly secureTransport?: boolean;
}
