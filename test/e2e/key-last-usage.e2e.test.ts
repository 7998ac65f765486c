/**
 * GetKeyLastUsage end to end through the stock JS SDK: each successful cryptographic operation
 * is the key's last use, with its request ID and the audit event's ID; failed ones are not; and
 * uses survive a restart.
 */
import {
  CreateKeyCommand, DisableKeyCommand, EncryptCommand, GetKeyLastUsageCommand, ReEncryptCommand,
} from '@aws-sdk/client-kms';
import { describe, expect, it } from 'vitest';
import { expectKmsError, required } from './support/assertions.js';
import { waitForAuditLines } from './support/audit-log.js';
import { useLocalService } from './support/local-service.js';

const e2e = useLocalService();

async function createKey(): Promise<{ keyId: string; arn: string; created: Date }> {
  const metadata = required((await e2e.kms.send(new CreateKeyCommand({}))).KeyMetadata, 'KeyMetadata');
  return { keyId: required(metadata.KeyId, 'KeyId'), arn: required(metadata.Arn, 'Arn'), created: required(metadata.CreationDate, 'CreationDate') };
}

describe('GetKeyLastUsage', () => {
  it('answers an empty KeyLastUsage for a new key, with its creation date and tracking since then (the service started tracking before)', async () => {
    // Prepare
    const key = await createKey();

    // Act
    const output = await e2e.kms.send(new GetKeyLastUsageCommand({ KeyId: key.keyId }));

    // Assess
    expect(output).toMatchObject({ KeyId: key.arn, KeyCreationDate: key.created, TrackingStartDate: key.created });
    expect(output.KeyLastUsage ?? {}).toEqual({});
  });

  it('answers the last successful operation with its request ID and audit event ID, for both keys of a ReEncrypt, and not a refused one; and keeps it across a restart', async () => {
    // Prepare
    const source = await createKey();
    const destination = await createKey();
    const encrypted = await e2e.kms.send(new EncryptCommand({ KeyId: source.keyId, Plaintext: new Uint8Array([1]) }));
    const afterEncrypt = await e2e.kms.send(new GetKeyLastUsageCommand({ KeyId: source.keyId }));

    // Act
    const moved = await e2e.kms.send(new ReEncryptCommand({ CiphertextBlob: encrypted.CiphertextBlob, DestinationKeyId: destination.keyId }));
    await e2e.kms.send(new DisableKeyCommand({ KeyId: destination.keyId }));
    await expectKmsError(e2e.kms.send(new EncryptCommand({ KeyId: destination.keyId, Plaintext: new Uint8Array([1]) })), 'DisabledException');
    const [sourceUse, destinationUse] = await Promise.all([source, destination].map(async (key) =>
      (await e2e.kms.send(new GetKeyLastUsageCommand({ KeyId: key.arn }))).KeyLastUsage));
    await e2e.restart();
    const afterRestart = (await e2e.kms.send(new GetKeyLastUsageCommand({ KeyId: destination.keyId }))).KeyLastUsage;

    // Assess
    const [encryptEvents, reEncryptEvents] = await waitForAuditLines(e2e.dataDir, [encrypted.$metadata.requestId ?? '', moved.$metadata.requestId ?? '']);
    const encryptEvent = encryptEvents?.[0];
    const reEncryptEvent = reEncryptEvents?.[0];
    expect(afterEncrypt.KeyLastUsage).toMatchObject({ Operation: 'Encrypt', KmsRequestId: encrypted.$metadata.requestId, CloudTrailEventId: encryptEvent?.['eventID'] });
    for (const use of [sourceUse, destinationUse, afterRestart]) {
      expect(use).toMatchObject({ Operation: 'ReEncrypt', KmsRequestId: moved.$metadata.requestId, CloudTrailEventId: reEncryptEvent?.['eventID'] });
      expect(use?.Timestamp).toBeInstanceOf(Date);
    }
  });
});
