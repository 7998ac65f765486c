/**
 * The table's record integrity (`adapters/dynamodb/item-integrity.ts`) as every mode assembles it:
 * MACs in the token, and each failure logged at error level and written as an audit event, so an
 * operator learns of a forged record at once. The caller only ever sees KMSInternalException.
 */
import { ItemIntegrity, type IntegrityFailure } from '../adapters/dynamodb/item-integrity.js';
import { integrityFailureEvent } from '../core/kms/lifecycle/service-events.js';
import type { AuditSink, Clock, IdSource, RecordAuthenticator } from '../core/ports/index.js';
import type { Logger } from '../pipeline/logger.js';

export interface IntegrityReporting {
  readonly logger: Logger;
  /** Where the audit events go. */
  readonly audit: AuditSink;
  readonly clock: Clock;
  readonly ids: IdSource;
  /** The account and Region an event names when the record names none (the deployment's own). */
  readonly fallback: { readonly accountId: string; readonly region: string };
}

/** Logs a failed record and writes its audit event; never throws. */
export function integrityReporter(reporting: IntegrityReporting): (failure: IntegrityFailure) => void {
  return (failure) => {
    reporting.logger.error('record integrity check failed', { pk: failure.pk, sk: failure.sk, type: failure.type, reason: failure.reason });
    const event = integrityFailureEvent(failure, reporting.clock.now(), reporting.ids.uuid(), reporting.fallback);
    reporting.audit.record(event).catch((error: unknown) => reporting.logger.error('integrity audit event not written', { error: String(error) }));
  };
}

export function recordIntegrity(authenticator: RecordAuthenticator, reporting: IntegrityReporting): Promise<ItemIntegrity> {
  return ItemIntegrity.create({ authenticator, onFailure: integrityReporter(reporting) });
}
