/**
 * Checks of the policy documents IAM stores: the policy language (the policy engine's parser,
 * with IAM's MalformedPolicyDocument error) and IAM's size quotas, which count characters without
 * white space (IAM User Guide, "IAM and AWS STS quotas").
 */
import { checkPrincipalsExist, compilePolicy, parsePolicy, type CompiledPolicy, type ParsedPolicy } from '../authz/index.js';
import { needs } from '../errors/service-error.js';
import { LimitExceededException, MalformedPolicyDocumentException } from '../../models/iam/generated/errors.js';
import { sayIam } from './messages.js';

/** Characters of a policy that count towards IAM's size quotas. */
export function policySize(document: string): number {
  return document.replace(/\s/g, '').length;
}

export const POLICY_QUOTAS = {
  /** Every inline policy of one user together. */
  userInline: 2_048,
  /** Every inline policy of one role together. */
  roleInline: 10_240,
  managed: 6_144,
  /** A role's trust policy. */
  trust: 2_048,
} as const;

/** Validates an identity (permissions) policy document. */
export function checkIdentityPolicy(document: string): void {
  parsePolicy(document, { kind: 'identity', errorClass: MalformedPolicyDocumentException });
}

/** Validates a trust policy, and that the principals it names exist; returns it compiled. */
export async function checkTrustPolicy(document: string, principalExists: (arn: string) => Promise<boolean>): Promise<CompiledPolicy> {
  /* Precondition: a role's trust policy is at most 2,048 characters without white space. */
  needs(policySize(document) <= POLICY_QUOTAS.trust, () => sayIam('trustPolicyQuota', { quota: POLICY_QUOTAS.trust }), LimitExceededException);
  const parsed = parsePolicy(document, { kind: 'trust', errorClass: MalformedPolicyDocumentException });
  /* Precondition: a trust policy names no resource (the role is its resource). */
  needs(parsed.statements.every((statement) => statement.resource === undefined && statement.notResource === undefined), sayIam('trustPolicyResource'), MalformedPolicyDocumentException);
  await checkPrincipalsExist(parsed, principalExists, MalformedPolicyDocumentException);
  return compileTrust(parsed);
}

/** A trust policy's statements apply to the role they are attached to: its resource is implicit. */
function compileTrust(parsed: ParsedPolicy): CompiledPolicy {
  return compilePolicy({ ...parsed, statements: parsed.statements.map((statement) => ({ ...statement, resource: ['*'] })) });
}

/** A stored trust policy, compiled (cached by its text). */
const trustCache = new Map<string, CompiledPolicy>();
export function compiledTrustPolicy(document: string): CompiledPolicy {
  let policy = trustCache.get(document);
  if (policy === undefined) {
    policy = compileTrust(parsePolicy(document, { kind: 'trust', errorClass: MalformedPolicyDocumentException }));
    if (trustCache.size >= 1000) trustCache.clear();
    trustCache.set(document, policy);
  }
  return policy;
}
