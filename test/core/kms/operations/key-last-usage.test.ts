/** GetKeyLastUsage through the core handler, over the coalescing usage log and the in-memory store. */
import { describe, expect, it } from 'vitest';
import { UnsupportedOperationException } from '../../../../src/models/kms/generated/errors.js';
import { getKeyLastUsage } from '../../../../src/core/kms/operations/key-last-usage.js';
import { TouchedResources } from '../../../../src/core/kms/service.js';
import { caught, makeContext, makeCore, runHandler, seedKey } from '../../../support/core.js';

describe('getKeyLastUsage', () => {
  it('answers an empty KeyLastUsage for a key never used, tracking from its creation when it is newer than tracking', async () => {
    // Prepare
    const core = makeCore();
    const trackingStart = await core.usage.trackingStartDate();
    core.clock.advance(60_000);
    const key = await seedKey(core, { creationDate: core.clock.now().getTime() });

    // Act
    const output = await runHandler(core, getKeyLastUsage, { KeyId: key.keyId });

    // Assess
    expect(output).toEqual({ KeyId: key.arn, KeyLastUsage: {}, TrackingStartDate: new Date(key.creationDate), KeyCreationDate: new Date(key.creationDate) });
    expect(key.creationDate).toBeGreaterThan(trackingStart);
  });

  it('answers the last use noted, with its operation, time, audit event ID and request ID, and tracking from its start for an older key', async () => {
    // Prepare
    const core = makeCore();
    const key = await seedKey(core, { creationDate: 0 });
    const trackingStart = await core.usage.trackingStartDate();
    core.usage.note(key, { operation: 'Encrypt', cloudTrailEventId: 'e-1', kmsRequestId: 'r-1' });
    core.clock.advance(1_000);
    core.usage.note(key, { operation: 'Decrypt', cloudTrailEventId: 'e-2', kmsRequestId: 'r-2' });

    // Act
    const output = await runHandler(core, getKeyLastUsage, { KeyId: key.arn });

    // Assess
    expect(output).toEqual({
      KeyId: key.arn,
      KeyLastUsage: { Operation: 'Decrypt', Timestamp: core.clock.now(), CloudTrailEventId: 'e-2', KmsRequestId: 'r-2' },
      TrackingStartDate: new Date(trackingStart),
      KeyCreationDate: new Date(0),
    });
  });

  it('throws UnsupportedOperationException naming the operation where no usage log is wired (this deployment records key usage)', async () => {
    // Prepare
    const core = makeCore();
    const key = await seedKey(core);
    const { usage: _none, ...deps } = core.deps;

    // Act
    const error = await caught(getKeyLastUsage({ deps, ctx: makeContext(), input: { KeyId: key.keyId }, touched: new TouchedResources() }));

    // Assess
    expect(error).toBeInstanceOf(UnsupportedOperationException);
    expect(error.message).toBe('GetKeyLastUsage is not supported by this service yet.');
  });
});
