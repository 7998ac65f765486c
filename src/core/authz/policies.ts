/** Shortcuts for the common cases: parse, check and compile a policy of a kind in one call. */
import { compilePolicy, type CompiledPolicy } from './compile-policy.js';
import { checkPrincipalsExist, parsePolicy } from './parse-policy.js';
import { partitionOf } from '../kms/keys/identifiers.js';

/**
 * Parses, validates and compiles a key policy (CreateKey, PutKeyPolicy, or a stored one when its
 * key is read). Pass `principalExists` when the policy is being set, to refuse unknown principals.
 *
 * @example
 * const policy = await compileKeyPolicy(input.Policy, { principalExists: (arn) => identities.exists(arn) });
 */
export async function compileKeyPolicy(text: string, options: { readonly principalExists?: (arn: string) => boolean | Promise<boolean> } = {}): Promise<CompiledPolicy> {
  const parsed = parsePolicy(text, { kind: 'key' });
  if (options.principalExists !== undefined) await checkPrincipalsExist(parsed, options.principalExists);
  return compilePolicy(parsed);
}

/** Compiles a stored IAM (identity) policy. The IAM API validates with IAM's own error class. */
export function compileIdentityPolicy(text: string): CompiledPolicy {
  return compilePolicy(parsePolicy(text, { kind: 'identity' }));
}

/** The resource an operation on no resource is authorized on: `arn:aws:kms:<region>:<account>:*`. */
export function noResourceArn(region: string, accountId: string): string {
  return `arn:${partitionOf(region)}:kms:${region}:${accountId}:*`;
}
