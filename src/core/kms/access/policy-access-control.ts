/**
 * Access control over the policy engine (docs/policy-engine.md): for each action the key policy,
 * the caller's IAM policies, the grants on the key and the VPC endpoint's policy, evaluated as
 * AWS KMS evaluates them. Policies come compiled from a cache; grants are looked up only when the
 * policies alone do not allow (an explicit Deny wins over any grant, so nothing is lost).
 */
import { AccessDeniedException } from '../../../models/kms/generated/errors.js';
import {
  accessDeniedMessage, assertLockoutSafe, authorize, checkPrincipalsExist, compilePolicy, encryptionContextOf, grantOperationFor,
  kmsConditionKeys, noResourceArn, parsePolicy,
  type AuthorizationRequest, type AuthzResource, type Decision, type GranteeMatch, type GrantRecord, type PolicySource,
  type RequestEnvironment,
} from '../../authz/index.js';
import type { GrantLookup, IdentityDirectory } from '../../ports/index.js';
import type { Principal, RequestContext } from '../../request-context.js';
import type { KeyRecord } from '../records.js';
import { scopeOf, type AccessControl, type KeyAccessFacts, type OperationCall } from '../service.js';
import { CompiledPolicies } from './compiled-policies.js';
import { requestEnvironmentOf } from '../../request-facts.js';

type Input = Readonly<Record<string, unknown>>;

export interface PolicyAccessControlOptions {
  /** The callers' IAM policies, and whether a principal named in a key policy exists. */
  readonly identities: IdentityDirectory;
  /** Grants on keys; without it no grant allows anything. */
  readonly grants?: GrantLookup;
  /**
   * VPC endpoint policies (JSON text) by endpoint ID. A request through an endpoint without one is
   * not restricted by it (an endpoint's default policy allows full access).
   */
  readonly endpointPolicies?: ReadonlyMap<string, string>;
}

export { authzPrincipalOf, requestEnvironmentOf } from '../../request-facts.js';

interface CallerPolicies {
  readonly sources: readonly PolicySource[];
  readonly usesResourceAliases: boolean;
}

export class PolicyAccessControl implements AccessControl {
  readonly #identities: IdentityDirectory;
  readonly #grants: GrantLookup | undefined;
  readonly #endpoints = new Map<string, PolicySource>();
  readonly #compiled = new CompiledPolicies();
  /** Per request: its environment and its caller's policies, worked out once. */
  readonly #perRequest = new WeakMap<RequestContext, { env: RequestEnvironment; policies: Promise<CallerPolicies> }>();

  constructor(options: PolicyAccessControlOptions) {
    this.#identities = options.identities;
    this.#grants = options.grants;
    for (const [id, text] of options.endpointPolicies ?? []) {
      this.#endpoints.set(id, { policy: compilePolicy(parsePolicy(text, { kind: 'vpc-endpoint' })), name: id });
    }
  }

  async onKey(call: OperationCall<unknown>, key: KeyRecord, action: string, facts: KeyAccessFacts = {}): Promise<void> {
    if (call.touched.decisionFor(action, key.arn)?.decision === 'Allow') return;
    const { env, policies } = this.#request(call);
    const caller = await policies;
    const keyAliases = caller.usesResourceAliases ? await aliasNamesOf(call, key) : undefined;
    const input = call.input as Input;
    const encryptionContext = encryptionContextOf(action, input);
    const request: AuthorizationRequest = {
      ...this.#common(call, env, caller, action, { type: 'key', arn: key.arn, accountId: key.accountId }),
      conditionKeys: kmsConditionKeys(env, action, input, {
        key, ...(keyAliases === undefined ? {} : { keyAliases }),
        ...(facts.reEncryptOnSameKey === undefined ? {} : { reEncryptOnSameKey: facts.reEncryptOnSameKey }),
      }),
      keyPolicy: this.#compiled.keyPolicy(key),
      ...(encryptionContext === undefined ? {} : { encryptionContext }),
      ...(facts.requestedGrant === undefined ? {} : { requestedGrant: facts.requestedGrant }),
    };
    let decision = authorize(request);
    if (!decision.allowed && !decision.explicit && this.#grants !== undefined && grantOperationFor(action) !== undefined) {
      const grants = await this.#grantsFor(call, key, this.#grants);
      if (grants.length > 0) decision = authorize({ ...request, grants });
    }
    settle(call, action, key.arn, decision);
  }

  async onRetireGrant(call: OperationCall<unknown>, keyArn: string, right: GranteeMatch, grantId: string): Promise<void> {
    const action = 'kms:RetireGrant';
    if (call.touched.decisionFor(action, keyArn)?.decision === 'Allow') return;
    if (right === 'none') {
      call.touched.authorized({ action, resource: keyArn, decision: 'Deny', sources: [] });
      throw new AccessDeniedException(accessDeniedMessage({
        principalArn: call.ctx.principal.arn, action, resource: keyArn, explicit: false, policyType: 'identity-based',
      }));
    }
    const { env, policies } = this.#request(call);
    const caller = await policies;
    // The caller's own account delegates through its IAM policies (the account that created the
    // grant or a retiring account); a key policy has no say in RetireGrant.
    const decision = authorize({
      ...this.#common(call, env, caller, action, { type: 'key', arn: keyArn, accountId: call.ctx.principal.accountId }),
      conditionKeys: kmsConditionKeys(env, action, call.input as Input),
    });
    if (right === 'direct' && !decision.allowed && !decision.explicit) {
      call.touched.authorized({ action, resource: keyArn, decision: 'Allow', sources: [{ type: 'grant', grantId }] });
      return;
    }
    settle(call, action, keyArn, decision);
  }

  async onAlias(call: OperationCall<unknown>, aliasArn: string, action: string): Promise<void> {
    await this.#withoutKey(call, action, { type: 'alias', arn: aliasArn, accountId: call.ctx.principal.accountId });
  }

  async onNewKey(call: OperationCall<unknown>, key: KeyRecord, action: string): Promise<void> {
    if (call.touched.decisionFor(action, key.arn)?.decision === 'Allow') return;
    const { env, policies } = this.#request(call);
    const caller = await policies;
    const decision = authorize({
      ...this.#common(call, env, caller, action, { type: 'new-key', arn: key.arn, accountId: key.accountId }),
      conditionKeys: kmsConditionKeys(env, action, call.input as Input, { key }),
    });
    settle(call, action, key.arn, decision);
  }

  async principalExists(arn: string): Promise<boolean> {
    return this.#identities.principalExists(arn);
  }

  async onNoResource(call: OperationCall<unknown>, action: string): Promise<void> {
    const { accountId, region } = scopeOf(call.ctx);
    await this.#withoutKey(call, action, { type: 'none', arn: noResourceArn(region, accountId), accountId });
  }

  async checkNewKeyPolicy(call: OperationCall<unknown>, policy: { readonly text: string; readonly keyArn: string; readonly bypassLockoutCheck: boolean }): Promise<void> {
    const parsed = parsePolicy(policy.text, { kind: 'key' });
    await checkPrincipalsExist(parsed, (arn) => this.#identities.principalExists(arn));
    if (policy.bypassLockoutCheck) return;
    const { env } = this.#request(call);
    assertLockoutSafe({
      policy: compilePolicy(parsed),
      principal: env.principal,
      keyArn: policy.keyArn,
      conditionKeys: kmsConditionKeys(env, 'kms:PutKeyPolicy', call.input as Input),
    });
  }

  async #withoutKey(call: OperationCall<unknown>, action: string, resource: AuthzResource): Promise<void> {
    const recorded = resource.type === 'none' ? '*' : resource.arn;
    if (call.touched.decisionFor(action, recorded)?.decision === 'Allow') return;
    const { env, policies } = this.#request(call);
    const caller = await policies;
    const decision = authorize({
      ...this.#common(call, env, caller, action, resource),
      conditionKeys: kmsConditionKeys(env, action, call.input as Input),
    });
    settle(call, action, recorded, decision);
  }

  #common(call: OperationCall<unknown>, env: RequestEnvironment, caller: CallerPolicies, action: string, resource: AuthzResource) {
    const endpointId = call.ctx.vpcEndpointId;
    const vpcEndpointPolicy = endpointId === undefined ? undefined : this.#endpoints.get(endpointId);
    return {
      principal: env.principal,
      action,
      resource,
      identityPolicies: caller.sources,
      ...(vpcEndpointPolicy === undefined ? {} : { vpcEndpointPolicy }),
    };
  }

  #request(call: OperationCall<unknown>): { env: RequestEnvironment; policies: Promise<CallerPolicies> } {
    let known = this.#perRequest.get(call.ctx);
    if (known === undefined) {
      known = { env: requestEnvironmentOf(call.ctx, call.deps.clock.now()), policies: this.#callerPolicies(call.ctx.principal) };
      this.#perRequest.set(call.ctx, known);
    }
    return known;
  }

  async #callerPolicies(principal: Principal): Promise<CallerPolicies> {
    // The root user has no IAM policies (the engine ignores them for root anyway).
    if (principal.type === 'Root') return { sources: [], usesResourceAliases: false };
    const sources: PolicySource[] = [];
    let usesResourceAliases = false;
    for (const policy of await this.#identities.policiesFor(principal)) {
      const compiled = this.#compiled.identityPolicy(policy);
      usesResourceAliases ||= compiled.usesResourceAliases;
      sources.push({ policy: compiled.policy, name: policy.name, ...(policy.arn === undefined ? {} : { arn: policy.arn }) });
    }
    return { sources, usesResourceAliases };
  }

  async #grantsFor(call: OperationCall<unknown>, key: KeyRecord, lookup: GrantLookup): Promise<readonly GrantRecord[]> {
    const locator = { accountId: key.accountId, region: key.region, keyId: key.keyId };
    const tokens = (call.input as Input)['GrantTokens'];
    const [onKey, fromTokens] = await Promise.all([
      lookup.grantsForKey(locator),
      Array.isArray(tokens) && tokens.length > 0 ? lookup.grantsForTokens(tokens as string[], locator) : Promise.resolve([]),
    ]);
    return fromTokens.length === 0 ? onKey : [...onKey, ...fromTokens];
  }
}

/** kms:ResourceAliases: the alias names of the key (an alias ARN is never a value). */
async function aliasNamesOf(call: OperationCall<unknown>, key: KeyRecord): Promise<readonly string[]> {
  const page = await call.deps.aliases.listAliases(key.accountId, key.region, { keyId: key.keyId, limit: 100 });
  return page.items.map((alias) => alias.aliasName);
}

/** Records the decision and throws AWS's AccessDeniedException for a denial. */
function settle(call: OperationCall<unknown>, action: string, resource: string, decision: Decision): void {
  if (decision.allowed) {
    call.touched.authorized({ action, resource, decision: 'Allow', sources: decision.sources });
    return;
  }
  call.touched.authorized({ action, resource, decision: 'Deny', sources: decision.source === undefined ? [] : [decision.source] });
  throw new AccessDeniedException(decision.message);
}
