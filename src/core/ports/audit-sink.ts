import type { AuditEvent } from '../audit-event.js';

/** Receives one CloudTrail-shaped event per request. Must never throw into the request path. */
export interface AuditSink {
  record(event: AuditEvent): Promise<void>;
}
