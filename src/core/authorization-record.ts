/** One authorization decision of a request, as its audit event records it. */
import type { DecisionSource } from './authz/index.js';

/** What `additionalEventData.authorization` holds for one action on one resource. */
export interface AuthorizationRecord {
  readonly action: string;
  /** The key or alias ARN, or `*` for an operation on no resource. */
  readonly resource: string;
  readonly decision: 'Allow' | 'Deny';
  /** What allowed (all that took part) or denied (the Deny statement, for an explicit deny). */
  readonly sources: readonly DecisionSource[];
}
