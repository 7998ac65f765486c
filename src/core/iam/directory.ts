/**
 * The IdentityDirectory the authorizer asks, over the identities in an IdentityStore: the inline
 * and attached policies of the caller's user, or of the role behind a role session; and whether a
 * principal ARN in a policy names an existing account root, user or role.
 */
import type { IdentityDirectory, IdentityPolicy } from '../ports/identity-directory.js';
import type { IdentityStore } from '../ports/identity-store.js';
import type { Principal } from '../request-context.js';
import type { PolicyOwner } from './records.js';
import { parseIamArn } from './identifiers.js';

const ROOT = /^arn:aws:iam::(\d{12}):root$/;
const ASSUMED_ROLE = /^arn:aws:sts::(\d{12}):assumed-role\/([\w+=,.@-]+)\/[\w+=,.@-]+$/;

export class StoredIdentityDirectory implements IdentityDirectory {
  constructor(private readonly store: IdentityStore) {}

  /** The policies of the user or role `principal` acts as; none for an account root. */
  async policiesFor(principal: Principal): Promise<readonly IdentityPolicy[]> {
    const owner = ownerOf(principal);
    return owner === undefined ? [] : this.policiesOf(owner);
  }

  /** Inline policies first (by name), then attached managed policies (by ARN). */
  async policiesOf(owner: PolicyOwner): Promise<readonly IdentityPolicy[]> {
    const [inline, attached] = await Promise.all([this.store.listInlinePolicies(owner), this.store.listAttachedPolicies(owner)]);
    const managed = await Promise.all(attached.map((attachment) => this.store.getManagedPolicy(owner.accountId, attachment.policyName)));
    return [
      ...inline.map((policy) => ({ name: policy.policyName, version: policy.revision, document: policy.document })),
      ...managed.flatMap((policy) => policy === undefined
        ? []
        : [{ name: policy.policyName, arn: policy.arn, version: `${policy.policyId}:${policy.defaultVersionId}`, document: policy.document }]),
    ];
  }

  /** Whether `arn` names an existing account root, user or role (a path in the ARN must match too). */
  async principalExists(arn: string): Promise<boolean> {
    const root = ROOT.exec(arn);
    if (root?.[1] !== undefined) return this.store.accountExists(root[1]);
    const assumed = ASSUMED_ROLE.exec(arn);
    if (assumed?.[1] !== undefined && assumed[2] !== undefined) return (await this.store.getRole(assumed[1], assumed[2])) !== undefined;
    const parsed = parseIamArn(arn);
    if (parsed === undefined) return false;
    if (parsed.kind === 'user') return (await this.store.getUser(parsed.accountId, parsed.name))?.arn === arn;
    if (parsed.kind === 'role') return (await this.store.getRole(parsed.accountId, parsed.name))?.arn === arn;
    return false;
  }
}

/** The user or role whose policies apply to `principal`. */
export function ownerOf(principal: Principal): PolicyOwner | undefined {
  if (principal.type === 'IAMUser' && principal.userName !== undefined) return { accountId: principal.accountId, kind: 'user', name: principal.userName };
  if (principal.type === 'AssumedRole' && principal.session !== undefined) return { accountId: principal.accountId, kind: 'role', name: principal.session.roleName };
  return undefined;
}
