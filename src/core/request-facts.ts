/**
 * A request as the policy engine sees it: its caller and the facts behind the global condition
 * keys, taken from the request context once for KMS, IAM and STS alike.
 */
import type { AuthzPrincipal, RequestEnvironment } from './authz/index.js';
import type { Principal, RequestContext } from './request-context.js';

/** The caller as the policy engine sees it (a role session also names its role). */
export function authzPrincipalOf(principal: Principal): AuthzPrincipal {
  return {
    type: principal.type,
    accountId: principal.accountId,
    arn: principal.arn,
    ...(principal.session === undefined ? {} : { roleArn: principal.session.roleArn }),
  };
}

/** The global condition keys' facts of a request. */
export function requestEnvironmentOf(ctx: RequestContext, now: Date): RequestEnvironment {
  const { principal } = ctx;
  return {
    principal: authzPrincipalOf(principal),
    principalId: principal.principalId,
    ...(principal.userName === undefined ? {} : { username: principal.userName }),
    ...(principal.tags === undefined ? {} : { principalTags: principal.tags }),
    region: ctx.region,
    sourceIp: ctx.sourceIp,
    ...(ctx.vpcEndpointId === undefined ? {} : { vpcEndpointId: ctx.vpcEndpointId }),
    ...(ctx.vpcId === undefined ? {} : { vpcId: ctx.vpcId }),
    secureTransport: ctx.secureTransport ?? false,
    now,
  };
}
