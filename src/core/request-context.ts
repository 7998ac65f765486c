/** The authenticated caller of one request, as CloudTrail's userIdentity describes it. */
export interface Principal {
  /** CloudTrail identity type: `Root`, `IAMUser`, `AssumedRole`, … */
  readonly type: 'Root' | 'IAMUser' | 'AssumedRole';
  readonly accountId: string;
  readonly arn: string;
  readonly principalId: string;
  readonly accessKeyId: string;
}

/** Everything the core knows about a request besides its input. */
export interface RequestContext {
  readonly requestId: string;
  readonly principal: Principal;
  /** The Region from the request's SigV4 credential scope. */
  readonly region: string;
  readonly sourceIp: string;
  readonly userAgent: string;
  readonly vpcEndpointId?: string;
}
