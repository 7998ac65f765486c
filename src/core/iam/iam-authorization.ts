/**
 * Whether the caller's IAM policies allow an IAM or STS action on a resource: an explicit Deny
 * wins, then an Allow is needed; an account's root user may do everything in its own account.
 * Compiled policies are cached by the policy's version.
 */
import { addGlobalKeys, ConditionKeysBuilder, compileIdentityPolicy, identityChain, type CompiledPolicy, type ConditionKeys } from '../authz/index.js';
import type { IdentityDirectory } from '../ports/identity-directory.js';
import { authzPrincipalOf, requestEnvironmentOf } from '../request-facts.js';
import type { Principal, RequestContext } from '../request-context.js';
import { AccessDeniedError } from '../../models/iam/generated/errors.js';

const MAX_COMPILED = 1000;
const compiled = new Map<string, CompiledPolicy>();

function compiledPolicy(version: string, document: string): CompiledPolicy {
  let policy = compiled.get(version);
  if (policy === undefined) {
    policy = compileIdentityPolicy(document);
    if (compiled.size >= MAX_COMPILED) compiled.clear();
    compiled.set(version, policy);
  }
  return policy;
}

export { authzPrincipalOf } from '../request-facts.js';

/** The global condition keys of the request, plus `extra` (sts:ExternalId, aws:RequestTag/…). */
export function requestConditionKeys(ctx: RequestContext, now: Date, extra: (builder: ConditionKeysBuilder) => void = () => undefined): ConditionKeys {
  const builder = addGlobalKeys(new ConditionKeysBuilder(), requestEnvironmentOf(ctx, now));
  extra(builder);
  return builder.build();
}

export type IdentityOutcome = 'allow' | 'deny' | 'none';

/** What the caller's own IAM policies say about `action` on `resource` (root: always `allow`). */
export async function identityPolicyOutcome(
  directory: IdentityDirectory, ctx: RequestContext, action: string, resource: string, keys: ConditionKeys,
): Promise<IdentityOutcome> {
  if (ctx.principal.type === 'Root') return 'allow';
  const chain = identityChain(authzPrincipalOf(ctx.principal));
  let allowed = false;
  for (const policy of await directory.policiesFor(ctx.principal)) {
    const outcome = compiledPolicy(policy.version, policy.document).evaluate({ action, resource, chain, lookup: (name) => keys.get(name) });
    if (outcome.deny !== undefined) return 'deny';
    if (outcome.allowDirect !== undefined) allowed = true;
  }
  return allowed ? 'allow' : 'none';
}

/** AWS's AccessDenied text for an IAM or STS action. */
export function accessDeniedMessage(principal: Principal, action: string, resource: string, outcome: IdentityOutcome): string {
  const reason = outcome === 'deny'
    ? ` with an explicit deny in an identity-based policy`
    : ` because no identity-based policy allows the ${action} action`;
  return `User: ${principal.arn} is not authorized to perform: ${action} on resource: ${resource}${reason}`;
}

/** Throws AccessDenied unless the caller's IAM policies allow `action` on `resource`. */
export async function assertIamAllowed(directory: IdentityDirectory, ctx: RequestContext, now: Date, action: string, resource: string): Promise<void> {
  const outcome = await identityPolicyOutcome(directory, ctx, action, resource, requestConditionKeys(ctx, now));
  /* Precondition: the caller's identity-based policies allow the IAM action on the resource. */
  if (outcome !== 'allow') throw new AccessDeniedError(accessDeniedMessage(ctx.principal, action, resource, outcome));
}
