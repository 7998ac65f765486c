/** GetKeyLastUsage: the last successful cryptographic use of a key, and since when uses are recorded. */
import { UnsupportedOperationException } from '../../../models/kms/generated/errors.js';
import { needs } from '../../errors/service-error.js';
import { resolveKey } from '../keys/resolve-key.js';
import { say } from '../messages.js';
import type { OperationHandler } from '../service.js';

export const getKeyLastUsage: OperationHandler<'GetKeyLastUsage'> = async (call) => {
  const { usage } = call.deps;
  /* Precondition: this deployment records key usage. */
  needs(usage !== undefined, () => say('operationNotSupported', { operation: 'GetKeyLastUsage' }), UnsupportedOperationException);
  const key = await resolveKey(call, call.input.KeyId, { allowAliases: false, rule: 'GetKeyLastUsage', action: 'kms:GetKeyLastUsage' });
  const [last, trackingStart] = await Promise.all([usage.lastUsage(key), usage.trackingStartDate()]);
  return {
    KeyId: key.arn,
    // "If the key has not been used since tracking began, this response element is empty."
    KeyLastUsage: last === undefined ? {} : {
      Operation: last.operation, Timestamp: new Date(last.timestamp), CloudTrailEventId: last.cloudTrailEventId, KmsRequestId: last.kmsRequestId,
    },
    TrackingStartDate: new Date(Math.max(trackingStart, key.creationDate)),
    KeyCreationDate: new Date(key.creationDate),
  };
};
