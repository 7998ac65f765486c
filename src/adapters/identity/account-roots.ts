/**
 * An identity directory that knows only account roots: the accounts a deployment serves, each
 * with its root user and no IAM users or roles. It is what local mode is until IAM identities
 * exist, and it is exact for roots: a root has no IAM policies (AWS KMS allows it whatever the key
 * policy lets its account do), and a key policy may name the root of a served account.
 */
import type { IdentityDirectory, IdentityPolicy } from '../../core/ports/index.js';
import type { Principal } from '../../core/request-context.js';

const ROOT_ARN = /^arn:aws[a-z-]*:iam::(\d{12}):root$/;

export class AccountRootsDirectory implements IdentityDirectory {
  readonly #accounts: (accountId: string) => boolean | Promise<boolean>;

  /** `accounts` says whether an account ID is one this deployment serves. */
  constructor(accounts: readonly string[] | ((accountId: string) => boolean | Promise<boolean>)) {
    if (typeof accounts === 'function') {
      this.#accounts = accounts;
    } else {
      const known = new Set(accounts);
      this.#accounts = (id) => known.has(id);
    }
  }

  async policiesFor(_principal: Principal): Promise<readonly IdentityPolicy[]> {
    return [];
  }

  async principalExists(arn: string): Promise<boolean> {
    const account = ROOT_ARN.exec(arn)?.[1];
    return account !== undefined && (await this.#accounts(account));
  }
}
