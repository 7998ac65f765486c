/**
 * AWS's access-denied wording (IAM User Guide, "Troubleshoot access denied error messages"):
 * `User: <arn> is not authorized to perform: <action> on resource: <resource>` followed by
 * `because no <type> policy allows the <action> action` for an implicit deny, or
 * `with an explicit deny in a(n) <type> policy` for an explicit one — for an identity-based policy
 * with an ARN, AWS appends `: <policy ARN>`.
 */
import { AccessDeniedException } from '../../models/kms/generated/errors.js';

/** The policy types KMS names in its messages. */
export type DeniedPolicyType = 'identity-based' | 'resource-based' | 'VPC endpoint';

export interface DenialWording {
  readonly principalArn: string;
  readonly action: string;
  /** The key or alias ARN, or `*` for an operation on no resource. */
  readonly resource: string;
  readonly explicit: boolean;
  readonly policyType: DeniedPolicyType;
  /** For an explicit deny in a managed IAM policy. */
  readonly policyArn?: string;
}

function article(policyType: DeniedPolicyType): string {
  return policyType === 'identity-based' ? 'an' : 'a';
}

export function accessDeniedMessage(denial: DenialWording): string {
  const head = `User: ${denial.principalArn} is not authorized to perform: ${denial.action} on resource: ${denial.resource}`;
  if (!denial.explicit) return `${head} because no ${denial.policyType} policy allows the ${denial.action} action`;
  const arn = denial.policyType === 'identity-based' && denial.policyArn !== undefined ? `: ${denial.policyArn}` : '';
  return `${head} with an explicit deny in ${article(denial.policyType)} ${denial.policyType} policy${arn}`;
}

export function accessDenied(denial: DenialWording): AccessDeniedException {
  return new AccessDeniedException(accessDeniedMessage(denial));
}
