/**
 * What every core operation receives: the adapters behind the ports, the request context and a
 * record of the KMS keys the request touched (for the audit event's `resources`).
 */
import type { AliasStore, AsymmetricKeyMaterial, Clock, IdSource, KeyMaterial, KeyRemoval, KeyStore, Scheduler } from '../ports/index.js';
import type { RequestContext } from '../request-context.js';
import type { OperationIO, OperationName } from '../../models/kms/generated/operations.js';

export interface CoreDeps {
  readonly keys: KeyStore;
  readonly aliases: AliasStore;
  readonly material: KeyMaterial;
  readonly asymmetric: AsymmetricKeyMaterial;
  readonly clock: Clock;
  readonly ids: IdSource;
  /** The key lifecycle's scheduler and key removal; without them ScheduleKeyDeletion is not offered. */
  readonly lifecycle?: LifecycleDeps;
}

export interface LifecycleDeps {
  readonly scheduler: Scheduler;
  readonly removal: KeyRemoval;
}

/** Collects the ARNs of the KMS keys a request used; it ends up in the audit event. */
export class TouchedResources {
  readonly #arns = new Set<string>();
  add(arn: string): void {
    this.#arns.add(arn);
  }
  list(): readonly string[] {
    return [...this.#arns];
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
