/**
 * What the front function sends to a group function and gets back. The front has already
 * authenticated the caller and validated the input; the group runs the operation.
 */
import type { ApiGroup } from '../core/kms/api-groups.js';
import type { OperationName } from '../models/kms/generated/operations.js';
import type { RequestContext } from '../core/request-context.js';

export interface GroupRequest {
  readonly operation: OperationName;
  /** The request body exactly as the client sent it (JSON text). */
  readonly body: string;
  readonly context: RequestContext;
}

export type GroupResponse =
  | { readonly ok: true; readonly body: string; readonly touched: readonly string[] }
  | { readonly ok: false; readonly errorName: string; readonly message: string; readonly touched: readonly string[] };

/** Runs a request in the function of another API group. */
export interface GroupInvoker {
  invoke(group: Exclude<ApiGroup, 'crypto'>, request: GroupRequest): Promise<GroupResponse>;
}
