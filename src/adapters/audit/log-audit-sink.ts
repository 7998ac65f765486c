/** In Lambda: each audit event is one JSON line in the function's log (CloudWatch Logs). */
import type { AuditEvent } from '../../core/audit-event.js';
import type { AuditSink } from '../../core/ports/index.js';

export const logAuditSink: AuditSink = {
  async record(event: AuditEvent): Promise<void> {
    process.stdout.write(`${JSON.stringify({ auditEvent: event })}\n`);
  },
};
