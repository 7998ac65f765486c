/**
 * The policy engine's public interface: parse and compile policies once, build a request's
 * condition keys, then authorize. See docs/policy-engine.md for how the pipeline calls it.
 */
export { accessDenied, accessDeniedMessage, type DeniedPolicyType, type DenialWording } from './access-denied.js';
export { authorize, type AuthorizationRequest, type AuthzResource, type Decision, type DecisionSource, type PolicySource } from './authorize.js';
export { compilePolicy, type CompiledPolicy, type CompiledStatement, type PolicyOutcome, type PolicyRequest } from './compile-policy.js';
export { ConditionKeysBuilder, addGlobalKeys, principalArnOf, type ConditionKeys, type RequestEnvironment } from './condition-keys.js';
export { CONDITION_OPERATORS, parseOperatorName } from './condition-operators.js';
export {
  findAllowingGrant, grantAllows, isWithinParentGrant, matchGrantee, retirementRight, satisfiesConstraints,
  type EncryptionContext, type GrantConstraintsRecord, type GranteeMatch, type GrantRecord, type GrantRequest, type RequestedGrant,
} from './grants.js';
export { CROSS_ACCOUNT_ACTIONS, ENCRYPTION_CONTEXT_OPERATIONS, GRANT_OPERATIONS, grantOperationFor, isCrossAccountAction, kmsAction } from './kms-action-rules.js';
export { encryptionContextOf, kmsConditionKeys, requestAliasOf, type KmsRequestFacts } from './kms-condition-keys.js';
export { assertLockoutSafe, keepsPutKeyPolicy, type LockoutCheck } from './lockout.js';
export { KEY_POLICY_MAX_BYTES, checkPrincipalsExist, parsePolicy, type ParseOptions } from './parse-policy.js';
export type { ParsedPolicy, ParsedStatement, PolicyKind } from './policy-document.js';
export { identityChain, type AuthzPrincipal, type PrincipalType } from './principals.js';
export { compileKeyPolicy, compileIdentityPolicy, noResourceArn } from './policies.js';
