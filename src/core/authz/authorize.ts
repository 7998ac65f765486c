/**
 * The KMS authorization decision for one action on one resource (Developer Guide, "Troubleshooting
 * key access", "Key policies", "Using IAM policies with AWS KMS", "Allowing users in other
 * accounts", "Controlling access to a VPC endpoint", "Grants"):
 * 1. an explicit Deny in the key policy, the caller's IAM policies or the VPC endpoint policy wins;
 * 2. on a KMS key, the key policy must allow: a statement naming the caller (or everyone) allows by
 *    itself for the key's own account; one naming the caller's account lets its IAM policies allow;
 *    a caller from another account always needs its IAM policies too, and only for operations that
 *    work across accounts; a grant for the caller allows its operations without any policy;
 * 3. on an alias or on no resource (CreateKey, ListKeys, …) IAM policies alone decide;
 * 4. the account root user has no IAM policies and is allowed whatever its account may do;
 * 5. a request through a VPC endpoint must also be allowed by the endpoint's policy.
 * An operation on several resources (CreateAlias: alias and key; ReEncrypt: two keys) asks once
 * per resource.
 */
import { accessDeniedMessage, type DeniedPolicyType } from './access-denied.js';
import { NOTHING_APPLIES, type CompiledPolicy, type CompiledStatement, type PolicyOutcome, type PolicyRequest } from './compile-policy.js';
import { findAllowingGrant, type EncryptionContext, type GrantRecord, type RequestedGrant } from './grants.js';
import { isCrossAccountAction, keyPolicyCanAllow } from './kms-action-rules.js';
import { identityChain, type AuthzPrincipal } from './principals.js';
import type { ConditionKeys } from './condition-keys.js';

/** A compiled policy and the names the decision reports it by. */
export interface PolicySource {
  readonly policy: CompiledPolicy;
  /** For an IAM policy: its name (inline) or ARN (managed); for a key policy, `default`. */
  readonly name?: string;
  readonly arn?: string;
}

export type AuthzResource =
  | { readonly type: 'key'; readonly arn: string; readonly accountId: string }
  | { readonly type: 'alias'; readonly arn: string; readonly accountId: string }
  /**
   * A key CreateKey is making (kms:TagResource for its Tags): the caller's IAM policies alone
   * decide, because the new key's policy is not in force yet (Developer Guide, "Permissions for
   * creating KMS keys": "Including this permission in the key policy of the new KMS key isn't
   * sufficient").
   */
  | { readonly type: 'new-key'; readonly arn: string; readonly accountId: string }
  /** An operation on no resource; `arn` is `arn:<partition>:kms:<region>:<account>:*`. */
  | { readonly type: 'none'; readonly arn: string; readonly accountId: string };

export interface AuthorizationRequest {
  readonly principal: AuthzPrincipal;
  /** `kms:Encrypt`, as AWS spells it (it appears in the message). */
  readonly action: string;
  readonly resource: AuthzResource;
  readonly conditionKeys: ConditionKeys;
  /** The key's policy; required when the resource is a key. */
  readonly keyPolicy?: PolicySource;
  /** The caller's IAM policies (ignored for the account root user). */
  readonly identityPolicies?: readonly PolicySource[];
  /** The endpoint's policy when the request came through a VPC endpoint. */
  readonly vpcEndpointPolicy?: PolicySource;
  /** Grants on the key, including those named by the request's grant tokens. */
  readonly grants?: readonly GrantRecord[];
  /** The request's encryption context, for grant constraints. */
  readonly encryptionContext?: EncryptionContext;
  /** For CreateGrant: the grant being created, for grants that allow CreateGrant. */
  readonly requestedGrant?: RequestedGrant;
}

/** What allowed or denied a request, for the audit event. */
export interface DecisionSource {
  readonly type: 'key-policy' | 'identity-policy' | 'vpc-endpoint-policy' | 'grant' | 'root-user';
  readonly policyName?: string;
  readonly policyArn?: string;
  readonly sid?: string;
  readonly statementIndex?: number;
  readonly grantId?: string;
}

export type Decision =
  | { readonly allowed: true; readonly sources: readonly DecisionSource[] }
  | {
    readonly allowed: false;
    readonly explicit: boolean;
    readonly policyType: DeniedPolicyType;
    /** The Deny statement, for an explicit deny. */
    readonly source?: DecisionSource;
    /** AWS's AccessDeniedException message. */
    readonly message: string;
  };

function statementSource(type: DecisionSource['type'], from: PolicySource, statement: CompiledStatement): DecisionSource {
  return {
    type,
    ...(from.name === undefined ? {} : { policyName: from.name }),
    ...(from.arn === undefined ? {} : { policyArn: from.arn }),
    ...(statement.sid === undefined ? {} : { sid: statement.sid }),
    statementIndex: statement.index,
  };
}

function deny(request: AuthorizationRequest, policyType: DeniedPolicyType, explicit?: { source: DecisionSource }): Decision {
  const resource = request.resource.type === 'none' ? '*' : request.resource.arn;
  const message = accessDeniedMessage({
    principalArn: request.principal.arn, action: request.action, resource, explicit: explicit !== undefined, policyType,
    ...(explicit?.source.policyArn === undefined ? {} : { policyArn: explicit.source.policyArn }),
  });
  return explicit === undefined ? { allowed: false, explicit: false, policyType, message } : { allowed: false, explicit: true, policyType, source: explicit.source, message };
}

const ROOT_USER: DecisionSource = { type: 'root-user' };

export function authorize(request: AuthorizationRequest): Decision {
  const { principal, resource } = request;
  const policyRequest: PolicyRequest = {
    action: request.action,
    resource: resource.arn,
    chain: identityChain(principal),
    lookup: (name) => request.conditionKeys.get(name),
  };
  const isRoot = principal.type === 'Root';

  const keyOutcome: PolicyOutcome = resource.type === 'key' && request.keyPolicy !== undefined ? request.keyPolicy.policy.evaluate(policyRequest) : NOTHING_APPLIES;
  if (keyOutcome.deny !== undefined && request.keyPolicy !== undefined) {
    return deny(request, 'resource-based', { source: statementSource('key-policy', request.keyPolicy, keyOutcome.deny) });
  }
  let identityAllow: DecisionSource | undefined = isRoot ? ROOT_USER : undefined;
  for (const source of isRoot ? [] : (request.identityPolicies ?? [])) {
    const outcome = source.policy.evaluate(policyRequest);
    if (outcome.deny !== undefined) return deny(request, 'identity-based', { source: statementSource('identity-policy', source, outcome.deny) });
    const allow = outcome.allowDirect ?? outcome.allowAccount;
    if (allow !== undefined) identityAllow ??= statementSource('identity-policy', source, allow);
  }
  const endpoint = request.vpcEndpointPolicy;
  const endpointOutcome = endpoint?.policy.evaluate(policyRequest);
  if (endpoint !== undefined && endpointOutcome?.deny !== undefined) {
    return deny(request, 'VPC endpoint', { source: statementSource('vpc-endpoint-policy', endpoint, endpointOutcome.deny) });
  }

  const decision = resource.type === 'key' ? allowOnKey(request, keyOutcome, identityAllow) : identityAllow === undefined || resource.accountId !== principal.accountId ? deny(request, 'identity-based') : { allowed: true as const, sources: [identityAllow] };
  if (!decision.allowed || endpoint === undefined) return decision;
  const endpointAllow = endpointOutcome?.allowDirect ?? endpointOutcome?.allowAccount;
  if (endpointAllow === undefined) return deny(request, 'VPC endpoint');
  return { allowed: true, sources: [...decision.sources, statementSource('vpc-endpoint-policy', endpoint, endpointAllow)] };
}

function allowOnKey(request: AuthorizationRequest, keyOutcome: PolicyOutcome, identityAllow: DecisionSource | undefined): Decision {
  const { principal, resource } = request;
  const sameAccount = resource.accountId === principal.accountId;
  /* Precondition: other accounts may call only the operations that work across accounts. */
  if (!sameAccount && !isCrossAccountAction(request.action)) return deny(request, 'resource-based');
  const keyPolicy = request.keyPolicy;
  const effective = keyPolicy !== undefined && keyPolicyCanAllow(request.action);
  const direct = effective ? keyOutcome.allowDirect : undefined;
  const account = effective ? keyOutcome.allowAccount : undefined;
  if (keyPolicy !== undefined && direct !== undefined && sameAccount) {
    return { allowed: true, sources: [statementSource('key-policy', keyPolicy, direct)] };
  }
  const delegating = direct ?? account;
  if (keyPolicy !== undefined && delegating !== undefined && identityAllow !== undefined) {
    return { allowed: true, sources: [statementSource('key-policy', keyPolicy, delegating), identityAllow] };
  }
  if (!keyPolicyCanAllow(request.action) && sameAccount && identityAllow !== undefined) {
    return { allowed: true, sources: [identityAllow] };
  }
  const grant = findAllowingGrant(request.grants ?? [], {
    principal, action: request.action, keyArn: resource.arn,
    ...(request.encryptionContext === undefined ? {} : { encryptionContext: request.encryptionContext }),
    ...(request.requestedGrant === undefined ? {} : { requestedGrant: request.requestedGrant }),
  });
  if (grant !== undefined && (grant.match === 'direct' || identityAllow !== undefined)) {
    const grantSource: DecisionSource = { type: 'grant', grantId: grant.grant.grantId };
    return { allowed: true, sources: grant.match === 'direct' || identityAllow === undefined ? [grantSource] : [grantSource, identityAllow] };
  }
  return deny(request, delegating === undefined && grant === undefined ? 'resource-based' : 'identity-based');
}
