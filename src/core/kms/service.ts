/**
 * What every core operation receives: the adapters behind the ports, the request context and a
 * record of the KMS keys the request touched (for the audit event's `resources`).
 */
import type {
  AliasStore, AsymmetricKeyMaterial, KeyImport, Clock, GrantStore, IdSource, KeyMaterial, KeyRemoval, KeyStore, KeyUsageLog, Scheduler,
} from '../ports/index.js';
import type { RequestContext } from '../request-context.js';
import type { OperationIO, OperationName } from '../../models/kms/generated/operations.js';
import type { GranteeMatch, RequestedGrant } from '../authz/index.js';
import type { AuthorizationRecord } from '../authorization-record.js';

export type { AuthorizationRecord } from '../authorization-record.js';
import type { KeyRecord } from './records.js';

export interface CoreDeps {
  readonly keys: KeyStore;
  readonly aliases: AliasStore;
  readonly grants: GrantStore;
  readonly material: KeyMaterial;
  readonly asymmetric: AsymmetricKeyMaterial;
  readonly clock: Clock;
  readonly ids: IdSource;
  /** Decides every request (key policies, IAM policies, grants, VPC endpoint policies). */
  readonly access: AccessControl;
  /** The key lifecycle's scheduler and key removal; without them ScheduleKeyDeletion is not offered. */
  readonly lifecycle?: LifecycleDeps;
  /** Each key's last cryptographic use; without it GetKeyLastUsage is not offered. */
  readonly usage?: KeyUsageLog;
  /** The token's side of importing key material; without it GetParametersForImport and ImportKeyMaterial are not offered. */
  readonly keyImport?: KeyImport;
}

export interface LifecycleDeps {
  readonly scheduler: Scheduler;
  readonly removal: KeyRemoval;
}

/** Facts about a request on a key beyond its input, for condition keys and grants. */
export interface KeyAccessFacts {
  /** For ReEncrypt: whether the destination key is the key that encrypted the ciphertext. */
  readonly reEncryptOnSameKey?: boolean;
  /** For CreateGrant: the grant being created. */
  readonly requestedGrant?: RequestedGrant;
}

/**
 * Access control as AWS KMS does it. Each method returns when the request is allowed and throws
 * AWS's AccessDeniedException otherwise; each records its decision on `call.touched`.
 */
export interface AccessControl {
  /** An action on a KMS key (the key resolved, of any account). */
  onKey(call: OperationCall<unknown>, key: KeyRecord, action: string, facts?: KeyAccessFacts): Promise<void>;
  /** An action on an alias of the caller's account (CreateAlias, UpdateAlias, DeleteAlias). */
  onAlias(call: OperationCall<unknown>, aliasArn: string, action: string): Promise<void>;
  /**
   * RetireGrant of a grant on `keyArn`: the grant decides (`right`, from `retirementRight`), not
   * the key policy. `direct` allows unless the caller's IAM policies deny kms:RetireGrant; `account`
   * allows when they allow it; `none` never allows.
   */
  onRetireGrant(call: OperationCall<unknown>, keyArn: string, right: GranteeMatch, grantId: string): Promise<void>;
  /**
   * An action on the key CreateKey is making, before it exists (kms:TagResource when it has
   * Tags): IAM policies alone decide; `key` gives its condition keys (kms:KeySpec, …).
   */
  onNewKey(call: OperationCall<unknown>, key: KeyRecord, action: string): Promise<void>;
  /** An action on no resource (CreateKey, ListKeys, ListAliases, GenerateRandom, …): IAM policies alone decide. */
  onNoResource(call: OperationCall<unknown>, action: string): Promise<void>;
  /**
   * Checks a key policy being set (CreateKey, PutKeyPolicy): its syntax, that its principals exist
   * and, unless bypassed, that the caller could still call PutKeyPolicy under it.
   */
  checkNewKeyPolicy(call: OperationCall<unknown>, policy: { readonly text: string; readonly keyArn: string; readonly bypassLockoutCheck: boolean }): Promise<void>;
  /** Whether `arn` names an existing account root, user or role, or a role's session (grant principals). */
  principalExists(arn: string): Promise<boolean>;
}

/**
 * Collects the ARNs of the KMS keys a request used and the authorization decisions made about it;
 * both end up in the audit event.
 */
export class TouchedResources {
  readonly #arns = new Set<string>();
  readonly #decisions = new Map<string, AuthorizationRecord>();
  add(arn: string): void {
    this.#arns.add(arn);
  }
  list(): readonly string[] {
    return [...this.#arns];
  }
  /** Records a decision; the same action on the same resource is recorded once. */
  authorized(record: AuthorizationRecord): void {
    const key = `${record.action} ${record.resource}`;
    if (!this.#decisions.has(key)) this.#decisions.set(key, record);
  }
  /** The decision already made for an action on a resource in this request, if any. */
  decisionFor(action: string, resource: string): AuthorizationRecord | undefined {
    return this.#decisions.get(`${action} ${resource}`);
  }
  authorizations(): readonly AuthorizationRecord[] {
    return [...this.#decisions.values()];
  }
}

export interface OperationCall<I> {
  readonly deps: CoreDeps;
  readonly ctx: RequestContext;
  readonly input: I;
  readonly touched: TouchedResources;
}

export type OperationHandler<Op extends OperationName> = (
  call: OperationCall<OperationIO[Op]['input']>,
) => Promise<OperationIO[Op]['output']>;

/** The account and Region a request acts in. */
export function scopeOf(ctx: RequestContext): { accountId: string; region: string } {
  return { accountId: ctx.principal.accountId, region: ctx.region };
}
