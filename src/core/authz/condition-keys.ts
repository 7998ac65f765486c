/**
 * The request context a policy reads: condition keys by lower-cased name, each with its values as
 * text (Bool as `true`/`false`, numbers in decimal, dates in ISO 8601). Keys compare without regard
 * to case, including the part after `kms:EncryptionContext:` and the tag key after
 * `aws:PrincipalTag/` (Developer Guide, "Case sensitivity of the encryption context condition").
 */
import type { AuthzPrincipal } from './principals.js';

export type ConditionKeys = ReadonlyMap<string, readonly string[]>;

/** Builds a ConditionKeys map; names are lower-cased as they are set. */
export class ConditionKeysBuilder {
  readonly #values = new Map<string, string[]>();

  set(name: string, value: string | boolean | number | readonly string[] | undefined): this {
    if (value === undefined) return this;
    const list = Array.isArray(value) ? [...(value as readonly string[])] : [String(value)];
    this.#values.set(name.toLowerCase(), list);
    return this;
  }

  /** Adds a value to a key that may hold several (two encryption context keys differing only in case). */
  add(name: string, value: string): this {
    const lower = name.toLowerCase();
    const list = this.#values.get(lower);
    if (list === undefined) this.#values.set(lower, [value]);
    else list.push(value);
    return this;
  }

  tags(prefix: string, tags: Readonly<Record<string, string>> | undefined): this {
    for (const [key, value] of Object.entries(tags ?? {})) this.add(`${prefix}${key}`, value);
    return this;
  }

  build(): ConditionKeys {
    return this.#values;
  }
}

/** What the request pipeline knows about the caller and the connection (global condition keys). */
export interface RequestEnvironment {
  readonly principal: AuthzPrincipal;
  /** aws:userid: the principal ID (`AIDA…` for a user, `AROA…:session` for a role session, the account ID for root). */
  readonly principalId: string;
  /** aws:username: only for IAM users. */
  readonly username?: string;
  /** aws:PrincipalTag/*: tags of the user or role, and session tags. */
  readonly principalTags?: Readonly<Record<string, string>>;
  /** The Region of the request's credential scope (aws:RequestedRegion). */
  readonly region: string;
  /** The caller's address: aws:SourceIp, or aws:VpcSourceIp when the request came through a VPC endpoint. */
  readonly sourceIp: string;
  readonly vpcEndpointId?: string;
  /** The VPC of the endpoint (aws:SourceVpc). */
  readonly vpcId?: string;
  /** Whether the request came over TLS (aws:SecureTransport). */
  readonly secureTransport: boolean;
  readonly now: Date;
  /** kms:ViaService / aws:ViaAWSService / aws:CalledVia: set only when an AWS service made the call on the caller's behalf. */
  readonly viaService?: string;
  readonly calledVia?: readonly string[];
}

const PRINCIPAL_TYPES: Readonly<Record<AuthzPrincipal['type'], string>> = {
  Root: 'Account', IAMUser: 'User', AssumedRole: 'AssumedRole', FederatedUser: 'FederatedUser', AWSService: 'AWSService',
};

/** aws:PrincipalArn: the role (not the session) for a role session, the account root for root. */
export function principalArnOf(principal: AuthzPrincipal): string {
  if (principal.type === 'AssumedRole' && principal.roleArn !== undefined) return principal.roleArn;
  return principal.arn;
}

/**
 * The global condition keys of a request (IAM User Guide, "AWS global condition context keys").
 * aws:SourceIp is absent for a request through a VPC endpoint, which has aws:VpcSourceIp,
 * aws:SourceVpce and aws:SourceVpc instead (seed "Use VPC endpoints to control access").
 */
export function addGlobalKeys(builder: ConditionKeysBuilder, env: RequestEnvironment): ConditionKeysBuilder {
  const { principal } = env;
  const viaEndpoint = env.vpcEndpointId !== undefined;
  const calledVia = env.calledVia ?? [];
  return builder
    .set('aws:PrincipalArn', principalArnOf(principal))
    .set('aws:PrincipalAccount', principal.accountId)
    .set('aws:PrincipalType', PRINCIPAL_TYPES[principal.type])
    .set('aws:PrincipalIsAWSService', principal.type === 'AWSService')
    .set('aws:PrincipalServiceName', principal.servicePrincipal)
    .set('aws:userid', env.principalId)
    .set('aws:username', principal.type === 'IAMUser' ? env.username : undefined)
    .tags('aws:PrincipalTag/', env.principalTags)
    .set('aws:RequestedRegion', env.region)
    .set(viaEndpoint ? 'aws:VpcSourceIp' : 'aws:SourceIp', env.sourceIp)
    .set('aws:SourceVpce', env.vpcEndpointId)
    .set('aws:SourceVpc', viaEndpoint ? env.vpcId : undefined)
    .set('aws:SecureTransport', env.secureTransport)
    .set('aws:CurrentTime', `${env.now.toISOString().slice(0, 19)}Z`)
    .set('aws:EpochTime', Math.floor(env.now.getTime() / 1000))
    .set('aws:ViaAWSService', env.viaService !== undefined)
    .set('aws:CalledVia', calledVia.length === 0 ? undefined : calledVia)
    .set('aws:CalledViaFirst', calledVia[0])
    .set('aws:CalledViaLast', calledVia[calledVia.length - 1]);
}
