/**
 * What the front function sends to a group function and gets back. The front has already
 * authenticated the caller and validated the input; the group runs the operation.
 *
 * On the wire the request travels as a {@link SignedGroupRequest}: the group acts on the
 * principal and Region it names, so it runs only requests whose MAC proves that the front made
 * them (see group-request-auth.ts).
 */
import type { ApiGroup } from '../core/kms/api-groups.js';
import type { OperationName } from '../models/kms/generated/operations.js';
import type { RequestContext } from '../core/request-context.js';
import type { AuthorizationRecord } from '../core/kms/service.js';

/** An IAM or STS operation as the identities group receives it: `iam:CreateUser`, `sts:AssumeRole`. */
export type IdentityOperationId = `iam:${string}` | `sts:${string}`;

export interface GroupRequest {
  readonly operation: OperationName | IdentityOperationId;
  /** The request body exactly as the client sent it (JSON text); for IAM and STS, the decoded input as JSON. */
  readonly body: string;
  readonly context: RequestContext;
}

/** The invoke payload of a group function. */
export interface SignedGroupRequest {
  /** Version of this envelope. */
  readonly v: 1;
  /** JSON text of the {@link SignedClaims}; the MAC covers exactly these characters. */
  readonly payload: string;
  /** base64 HMAC-SHA256 of `payload` under the deployment's group-request key. */
  readonly mac: string;
}

/** What the MAC vouches for: the whole request, the group it is meant for, and when it was made. */
export interface SignedClaims extends GroupRequest {
  readonly group: FunctionGroup;
  /** When the front signed the request, epoch milliseconds. */
  readonly issuedAt: number;
}

/** What the group did besides its answer: the keys it touched and its authorization decisions, for the audit event. */
interface GroupTrail {
  readonly touched: readonly string[];
  readonly authorizations?: readonly AuthorizationRecord[];
}

export type GroupResponse =
  | ({ readonly ok: true; readonly body: string } & GroupTrail)
  | ({ readonly ok: false; readonly errorName: string; readonly message: string } & GroupTrail);

/** The groups that run in a function of their own: every group but the front's. */
export type FunctionGroup = Exclude<ApiGroup, 'crypto'>;

/** Runs a request in the function of another API group. */
export interface GroupInvoker {
  invoke(group: FunctionGroup, request: GroupRequest): Promise<GroupResponse>;
}
