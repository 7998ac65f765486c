/**
 * An in-memory IdentityDirectory: account roots of the given accounts, plus IAM users and roles
 * with their policies, as a test sets them up. Role sessions take their role's policies.
 */
import type { IdentityDirectory, IdentityPolicy } from '../../src/core/ports/index.js';
import type { Principal } from '../../src/core/request-context.js';
import { PolicyAccessControl, type PolicyAccessControlOptions } from '../../src/core/kms/access/policy-access-control.js';
import { ACCOUNT_ID, OTHER_ACCOUNT_ID } from './core.js';

export class InMemoryIdentityDirectory implements IdentityDirectory {
  readonly #accounts: Set<string>;
  /** Policies by user or role ARN. */
  readonly #policies = new Map<string, IdentityPolicy[]>();
  /** How often policiesFor was asked (for tests of what is looked up when). */
  lookups = 0;

  constructor(accounts: readonly string[] = [ACCOUNT_ID, OTHER_ACCOUNT_ID]) {
    this.#accounts = new Set(accounts);
  }

  /** Adds an identity (user or role ARN) with its policies; `document` may be an object. */
  attach(identityArn: string, ...policies: readonly { name: string; arn?: string; document: string | object }[]): this {
    const list = this.#policies.get(identityArn) ?? [];
    for (const p of policies) {
      const document = typeof p.document === 'string' ? p.document : JSON.stringify(p.document);
      list.push({ name: p.name, ...(p.arn === undefined ? {} : { arn: p.arn }), version: String(list.length + 1), document });
    }
    this.#policies.set(identityArn, list);
    return this;
  }

  /** Adds identities (user or role ARNs) with no policies, so that grants and policies may name them. */
  exist(...identityArns: readonly string[]): this {
    for (const arn of identityArns) if (!this.#policies.has(arn)) this.#policies.set(arn, []);
    return this;
  }

  async policiesFor(principal: Principal): Promise<readonly IdentityPolicy[]> {
    this.lookups += 1;
    if (principal.type === 'Root') return [];
    const identity = principal.session?.roleArn ?? principal.arn;
    return this.#policies.get(identity) ?? [];
  }

  async principalExists(arn: string): Promise<boolean> {
    const root = /^arn:aws[a-z-]*:iam::(\d{12}):root$/.exec(arn);
    if (root?.[1] !== undefined) return this.#accounts.has(root[1]);
    const session = /^arn:(aws[a-z-]*):sts::(\d{12}):assumed-role\/([^/]+)\/[^/]+$/.exec(arn);
    if (session !== null) return this.#policies.has(`arn:${session[1] ?? 'aws'}:iam::${session[2] ?? ''}:role/${session[3] ?? ''}`);
    return this.#policies.has(arn);
  }
}

/** Access control over an in-memory directory (by default: the roots of ACCOUNT_ID and OTHER_ACCOUNT_ID). */
export function makeAccess(options: Partial<PolicyAccessControlOptions> = {}): PolicyAccessControl {
  return new PolicyAccessControl({ identities: new InMemoryIdentityDirectory(), ...options });
}
