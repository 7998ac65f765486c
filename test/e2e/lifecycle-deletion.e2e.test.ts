/**
 * Key deletion end to end through the stock SDK: the waiting period, cancellation, and deletion
 * when the service starts again with --clock-offset past the deletion date (a restart catches up
 * exactly as after an outage); a later start with a smaller offset resurrects nothing.
 */
import {
  CancelKeyDeletionCommand, CreateAliasCommand, CreateKeyCommand, DescribeKeyCommand, EncryptCommand, ListAliasesCommand,
  ListKeysCommand, ScheduleKeyDeletionCommand,
} from '@aws-sdk/client-kms';
import { describe, expect, it } from 'vitest';
import { errorOf, type ServiceError } from './support/assertions.js';
import { readAuditLines } from './support/audit-log.js';
import { ACCOUNT_ID, REGION, useLocalService } from './support/local-service.js';

const e2e = useLocalService();
const DAY = 86_400_000;

async function nameAndMessage(error: Promise<ServiceError>): Promise<{ name: string; message: string }> {
  const { name, message } = await error;
  return { name, message };
}

async function createKey(): Promise<{ keyId: string; arn: string }> {
  const { KeyMetadata } = await e2e.kms.send(new CreateKeyCommand({}));
  if (KeyMetadata?.KeyId === undefined || KeyMetadata.Arn === undefined) throw new Error('CreateKey returned no key');
  return { keyId: KeyMetadata.KeyId, arn: KeyMetadata.Arn };
}

describe('ScheduleKeyDeletion and CancelKeyDeletion', () => {
  it('schedules the deletion 7 days ahead, shows it in DescribeKey, refuses Encrypt, and cancels back to Disabled', async () => {
    // Prepare
    const key = await createKey();
    const before = Date.now();

    // Act
    const scheduled = await e2e.kms.send(new ScheduleKeyDeletionCommand({ KeyId: key.keyId, PendingWindowInDays: 7 }));
    const pending = (await e2e.kms.send(new DescribeKeyCommand({ KeyId: key.keyId }))).KeyMetadata;
    const refused = await errorOf(e2e.kms.send(new EncryptCommand({ KeyId: key.keyId, Plaintext: new Uint8Array([1]) })));
    const cancelled = await e2e.kms.send(new CancelKeyDeletionCommand({ KeyId: key.arn }));
    const after = (await e2e.kms.send(new DescribeKeyCommand({ KeyId: key.keyId }))).KeyMetadata;

    // Assess
    expect(scheduled).toMatchObject({ KeyId: key.arn, KeyState: 'PendingDeletion', PendingWindowInDays: 7 });
    expect(scheduled.DeletionDate?.getTime()).toBeGreaterThanOrEqual(before + 7 * DAY - 1000);
    expect(scheduled.DeletionDate?.getTime()).toBeLessThanOrEqual(Date.now() + 7 * DAY + 1000);
    expect(pending).toMatchObject({ KeyState: 'PendingDeletion', Enabled: false, DeletionDate: scheduled.DeletionDate });
    expect({ name: refused.name, message: refused.message }).toEqual({ name: 'KMSInvalidStateException', message: `${key.arn} is pending deletion.` });
    expect(cancelled).toMatchObject({ KeyId: key.arn });
    expect(after).toMatchObject({ KeyState: 'Disabled', Enabled: false });
    expect(after?.DeletionDate).toBeUndefined();
  });

  it('refuses a waiting period outside 7 to 30 days and a cancellation of a key not pending deletion', async () => {
    // Prepare
    const key = await createKey();

    // Act
    const tooShort = errorOf(e2e.kms.send(new ScheduleKeyDeletionCommand({ KeyId: key.keyId, PendingWindowInDays: 6 })));
    const notPending = errorOf(e2e.kms.send(new CancelKeyDeletionCommand({ KeyId: key.keyId })));

    // Assess
    expect(await nameAndMessage(tooShort)).toEqual({ name: 'ValidationException', message: 'PendingWindowInDays must be between 7 and 30' });
    expect(await nameAndMessage(notPending)).toEqual({ name: 'KMSInvalidStateException', message: `${key.arn} is not pending deletion.` });
  });
});

describe('deletion at the end of the waiting period, on a moved clock', () => {
  it('deletes the key and its alias when the service starts 8 days ahead, writes a DeleteKey service event, and never resurrects it', async () => {
    // Prepare
    const doomed = await createKey();
    const kept = await createKey();
    await e2e.kms.send(new CreateAliasCommand({ AliasName: 'alias/doomed', TargetKeyId: doomed.keyId }));
    await e2e.kms.send(new ScheduleKeyDeletionCommand({ KeyId: doomed.keyId, PendingWindowInDays: 7 }));
    await e2e.kms.send(new ScheduleKeyDeletionCommand({ KeyId: kept.keyId, PendingWindowInDays: 30 }));

    // Act
    await e2e.restart({ clockOffsetMs: 8 * DAY });
    const gone = await nameAndMessage(errorOf(e2e.kms.send(new DescribeKeyCommand({ KeyId: doomed.keyId }))));
    const stillPending = (await e2e.kms.send(new DescribeKeyCommand({ KeyId: kept.keyId }))).KeyMetadata;
    const keys = (await e2e.kms.send(new ListKeysCommand({}))).Keys?.map((k) => k.KeyId);
    const aliases = (await e2e.kms.send(new ListAliasesCommand({}))).Aliases?.map((a) => a.AliasName);
    await e2e.restart({});
    const stillGone = await nameAndMessage(errorOf(e2e.kms.send(new DescribeKeyCommand({ KeyId: doomed.keyId }))));

    // Assess
    expect(gone).toEqual({ name: 'NotFoundException', message: `Key '${doomed.arn}' does not exist` });
    expect(stillPending?.KeyState).toBe('PendingDeletion');
    expect(keys).not.toContain(doomed.keyId);
    expect(keys).toContain(kept.keyId);
    expect(aliases ?? []).not.toContain('alias/doomed');
    expect(stillGone).toEqual({ name: 'NotFoundException', message: `Key '${doomed.arn}' does not exist` });
    const events = (await readAuditLines(e2e.dataDir)).filter((line) => line.eventName === 'DeleteKey');
    expect(events).toEqual([expect.objectContaining({
      eventType: 'AwsServiceEvent',
      userIdentity: { accountId: ACCOUNT_ID, invokedBy: 'AWS Internal' },
      sourceIPAddress: 'AWS Internal',
      requestParameters: null,
      awsRegion: REGION,
      resources: [{ accountId: ACCOUNT_ID, type: 'AWS::KMS::Key', ARN: doomed.arn }],
    })]);
  });

  it('stamps creation dates with the moved clock while SigV4 keeps the real one', async () => {
    // Prepare
    await e2e.restart({ clockOffsetMs: 90 * DAY });

    // Act
    const { KeyMetadata } = await e2e.kms.send(new CreateKeyCommand({}));

    // Assess
    expect(KeyMetadata?.CreationDate?.getTime()).toBeGreaterThan(Date.now() + 89 * DAY);
  });
});
