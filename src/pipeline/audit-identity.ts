/** The `userIdentity` of a CloudTrail event, as CloudTrail shapes it for a root, an IAM user and a role session. */
import type { AuditUserIdentity } from '../core/audit-event.js';
import type { Principal } from '../core/request-context.js';

const isoSeconds = (epochMs: number): string => `${new Date(epochMs).toISOString().slice(0, 19)}Z`;

export function userIdentityOf(principal: Principal): AuditUserIdentity {
  const base = {
    type: principal.type,
    principalId: principal.principalId,
    arn: principal.arn,
    accountId: principal.accountId,
    accessKeyId: principal.accessKeyId,
  };
  if (principal.type === 'IAMUser' && principal.userName !== undefined) return { ...base, userName: principal.userName };
  const { session } = principal;
  if (principal.type === 'AssumedRole' && session !== undefined) {
    return {
      ...base,
      sessionContext: {
        sessionIssuer: { type: 'Role', principalId: session.roleId, arn: session.roleArn, accountId: principal.accountId, userName: session.roleName },
        attributes: { creationDate: isoSeconds(session.issuedAt), mfaAuthenticated: 'false' },
        ...(session.sourceIdentity === undefined ? {} : { sourceIdentity: session.sourceIdentity }),
      },
    };
  }
  return base;
}
