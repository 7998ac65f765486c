/**
 * Keeps authorization's identity lookups off the table once a caller is warm. The IAM policies of
 * a user or role, and whether a principal a key policy names exists, are cached for `ttlMs`: the
 * bounded staleness IAM has too (AWS documents changes to IAM policies as eventually consistent).
 * `forgetAll()` drops everything at once; local mode calls it after every IAM write, so there, where
 * one process serves the IAM API and KMS, a policy change applies to the next request.
 */
import type { Clock, IdentityDirectory, IdentityPolicy } from '../../core/ports/index.js';
import type { Principal } from '../../core/request-context.js';
import { TtlCache } from '../../util/ttl-cache.js';

export interface CachingIdentitiesOptions {
  readonly directory: IdentityDirectory;
  readonly clock: Clock;
  /** How long a lookup may be served from memory. */
  readonly ttlMs: number;
  readonly maxEntries?: number;
}

export class CachingIdentityDirectory implements IdentityDirectory {
  readonly #directory: IdentityDirectory;
  readonly #policies: TtlCache<string, readonly IdentityPolicy[]>;
  readonly #principals: TtlCache<string, boolean>;
  /** Counts invalidations, so a lookup that raced one does not cache what it read. */
  #generation = 0;

  constructor(options: CachingIdentitiesOptions) {
    this.#directory = options.directory;
    const limits = { ttlMs: options.ttlMs, maxEntries: options.maxEntries ?? 10_000, clock: options.clock };
    this.#policies = new TtlCache(limits);
    this.#principals = new TtlCache(limits);
  }

  async policiesFor(principal: Principal): Promise<readonly IdentityPolicy[]> {
    const generation = this.#generation;
    const policies = await this.#policies.getOrLoad(policyOwnerKey(principal), () => this.#directory.policiesFor(principal), () => this.#generation === generation);
    return policies ?? [];
  }

  async principalExists(arn: string): Promise<boolean> {
    const generation = this.#generation;
    // Only a principal that exists is cached: one created a moment ago must be found at once.
    const exists = await this.#principals.getOrLoad(arn, async () => ((await this.#directory.principalExists(arn)) ? true : undefined), () => this.#generation === generation);
    return exists === true;
  }

  /** Drops every cached lookup (after a write to users, roles, policies or attachments). */
  forgetAll(): void {
    this.#generation += 1;
    this.#policies.clear();
    this.#principals.clear();
  }
}

/** Whose policies apply: the user, the role behind a session, or the principal itself (a root has none). */
function policyOwnerKey(principal: Principal): string {
  const owner = principal.userName ?? principal.session?.roleArn ?? principal.arn;
  return `${principal.type}\n${principal.accountId}\n${owner}`;
}
