/**
 * The policy lockout safety check of CreateKey and PutKeyPolicy: unless the request sets
 * BypassPolicyLockoutSafetyCheck, the new key policy must let the caller call PutKeyPolicy on the
 * key later, either by naming the caller (or everyone) or by naming the caller's account, whose IAM
 * policies may then allow it. The caller's current IAM policies are not consulted, so that a key
 * policy with the account statement passes for a caller that IAM does not yet allow.
 */
import { MalformedPolicyDocumentException } from '../../models/kms/generated/errors.js';
import { needs } from '../errors/service-error.js';
import type { CompiledPolicy } from './compile-policy.js';
import type { ConditionKeys } from './condition-keys.js';
import { identityChain, type AuthzPrincipal } from './principals.js';
import { say } from '../kms/messages.js';


export interface LockoutCheck {
  readonly policy: CompiledPolicy;
  readonly principal: AuthzPrincipal;
  readonly keyArn: string;
  /** The condition keys of a later PutKeyPolicy request from the same caller (typically this request's). */
  readonly conditionKeys: ConditionKeys;
}

/** Whether the caller could still call PutKeyPolicy on the key under the new policy. */
export function keepsPutKeyPolicy(check: LockoutCheck): boolean {
  const outcome = check.policy.evaluate({
    action: 'kms:PutKeyPolicy',
    resource: check.keyArn,
    chain: identityChain(check.principal),
    lookup: (name) => check.conditionKeys.get(name),
  });
  return outcome.deny === undefined && (outcome.allowDirect !== undefined || outcome.allowAccount !== undefined);
}

/** Throws AWS's MalformedPolicyDocumentException when the new policy would lock the caller out. */
export function assertLockoutSafe(check: LockoutCheck): void {
  /* Precondition: the new key policy lets the caller update the key policy in the future. */
  needs(keepsPutKeyPolicy(check), say('policyLockout'), MalformedPolicyDocumentException);
}
