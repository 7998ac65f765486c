/**
 * Key rotation end to end, through the stock JS SDK and the AWS CLI against the local service:
 * on-demand rotation (done by the lifecycle scheduler moments after the request), automatic
 * rotation when the service starts again with --clock-offset past the next rotation date, old
 * ciphertext that still decrypts, KeyMaterialId before and after, and the RotateKey audit events.
 */
import {
  CreateKeyCommand, DecryptCommand, DescribeKeyCommand, EnableKeyRotationCommand, EncryptCommand, GetKeyRotationStatusCommand,
  ListKeyRotationsCommand, ReEncryptCommand, RotateKeyOnDemandCommand, type GetKeyRotationStatusCommandOutput,
} from '@aws-sdk/client-kms';
import { describe, expect, it } from 'vitest';
import { expectKmsError, required } from './support/assertions.js';
import { readAuditLines } from './support/audit-log.js';
import { ACCOUNT_ID, useLocalService } from './support/local-service.js';

const e2e = useLocalService();
const DAY = 86_400_000;

async function createKey(input: ConstructorParameters<typeof CreateKeyCommand>[0] = {}): Promise<{ keyId: string; arn: string }> {
  const metadata = required((await e2e.kms.send(new CreateKeyCommand(input))).KeyMetadata, 'KeyMetadata');
  return { keyId: required(metadata.KeyId, 'KeyId'), arn: required(metadata.Arn, 'Arn') };
}

async function currentMaterial(keyId: string): Promise<string | undefined> {
  return (await e2e.kms.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata?.CurrentKeyMaterialId;
}

/** Polls GetKeyRotationStatus until no on-demand rotation is in progress, as AWS's own tests do. */
async function rotationDone(keyId: string): Promise<GetKeyRotationStatusCommandOutput> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const status = await e2e.kms.send(new GetKeyRotationStatusCommand({ KeyId: keyId }));
    if (status.OnDemandRotationStartDate === undefined || Date.now() > deadline) return status;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('RotateKeyOnDemand through the JS SDK', () => {
  it('rotates the key moments later: new material is current, old ciphertext still decrypts with its own, ReEncrypt moves it, and RotateKey is audited', async () => {
    // Prepare
    const key = await createKey();
    const first = await currentMaterial(key.keyId);
    const old = await e2e.kms.send(new EncryptCommand({ KeyId: key.keyId, Plaintext: new TextEncoder().encode('before rotation') }));

    // Act
    const output = await e2e.kms.send(new RotateKeyOnDemandCommand({ KeyId: key.keyId }));
    const status = await rotationDone(key.keyId);
    const second = await currentMaterial(key.keyId);
    const decrypted = await e2e.kms.send(new DecryptCommand({ CiphertextBlob: old.CiphertextBlob }));
    const moved = await e2e.kms.send(new ReEncryptCommand({ CiphertextBlob: old.CiphertextBlob, DestinationKeyId: key.keyId }));
    const rotations = await e2e.kms.send(new ListKeyRotationsCommand({ KeyId: key.keyId }));

    // Assess
    expect(output.KeyId).toBe(key.arn);
    expect(status).toMatchObject({ KeyId: key.arn, KeyRotationEnabled: false });
    expect(status.OnDemandRotationStartDate).toBeUndefined();
    expect(second).toMatch(/^[0-9a-f]{64}$/);
    expect(second).not.toBe(first);
    expect(new TextDecoder().decode(decrypted.Plaintext)).toBe('before rotation');
    expect(decrypted.KeyMaterialId).toBe(first);
    expect([moved.SourceKeyMaterialId, moved.DestinationKeyMaterialId]).toEqual([first, second]);
    expect(rotations.Rotations).toEqual([expect.objectContaining({ KeyId: key.arn, KeyMaterialId: second, KeyMaterialState: 'CURRENT', RotationType: 'ON_DEMAND' })]);
    const events = (await readAuditLines(e2e.dataDir)).filter((line) => line.eventName === 'RotateKey');
    expect(events).toEqual([expect.objectContaining({
      eventType: 'AwsServiceEvent',
      userIdentity: { accountId: ACCOUNT_ID, invokedBy: 'AWS Internal' },
      resources: [{ accountId: ACCOUNT_ID, type: 'AWS::KMS::Key', ARN: key.arn }],
      serviceEventDetails: { rotationType: 'ON_DEMAND', keyId: key.keyId },
    })]);
  });

  it('answers AWS\'s errors: no rotation of an RSA key, and a rotation period below 90 days', async () => {
    // Prepare
    const rsa = await createKey({ KeySpec: 'RSA_2048', KeyUsage: 'ENCRYPT_DECRYPT' });
    const key = await createKey();

    // Act / Assess (one call at a time)
    const unsupported = await expectKmsError(e2e.kms.send(new RotateKeyOnDemandCommand({ KeyId: rsa.keyId })), 'UnsupportedOperationException');
    expect(unsupported.message).toBe('UnknownError');
    await expectKmsError(e2e.kms.send(new EnableKeyRotationCommand({ KeyId: key.keyId, RotationPeriodInDays: 10 })), 'ValidationException',
      "1 validation error detected: Value '10' at 'rotationPeriodInDays' failed to satisfy constraint: Member must have value greater than or equal to 90");
  });
});

describe('automatic rotation on a moved clock', () => {
  it('rotates a key whose rotation date passed while the service was down, as it starts, and keeps a 90-day schedule', async () => {
    // Prepare
    const key = await createKey();
    await e2e.kms.send(new EnableKeyRotationCommand({ KeyId: key.keyId, RotationPeriodInDays: 90 }));
    const before = await e2e.kms.send(new GetKeyRotationStatusCommand({ KeyId: key.keyId }));
    const first = await currentMaterial(key.keyId);
    const old = await e2e.kms.send(new EncryptCommand({ KeyId: key.keyId, Plaintext: new Uint8Array([1, 2, 3]) }));

    // Act
    await e2e.restart({ clockOffsetMs: 91 * DAY });
    const after = await e2e.kms.send(new GetKeyRotationStatusCommand({ KeyId: key.keyId }));
    const second = await currentMaterial(key.keyId);
    const decrypted = await e2e.kms.send(new DecryptCommand({ CiphertextBlob: old.CiphertextBlob }));
    const rotations = await e2e.kms.send(new ListKeyRotationsCommand({ KeyId: key.keyId, IncludeKeyMaterial: 'ALL_KEY_MATERIAL' }));
    await e2e.restart({});

    // Assess
    expect(before).toMatchObject({ KeyRotationEnabled: true, RotationPeriodInDays: 90 });
    expect(after.NextRotationDate?.getTime()).toBe((before.NextRotationDate?.getTime() ?? 0) + 90 * DAY);
    expect(second).not.toBe(first);
    expect(decrypted.KeyMaterialId).toBe(first);
    expect(rotations.Rotations?.map((r) => [r.KeyMaterialId, r.KeyMaterialState, r.RotationType])).toEqual([
      [first, 'NON_CURRENT', undefined], [second, 'CURRENT', 'AUTOMATIC'],
    ]);
    const events = (await readAuditLines(e2e.dataDir)).filter((line) => line.eventName === 'RotateKey' && line.resources?.[0]?.ARN === key.arn);
    expect(events.map((line) => line['serviceEventDetails'])).toEqual([{ rotationType: 'AUTOMATIC', keyId: key.keyId }]);
  });
});

describe('rotation through the AWS CLI', () => {
  it('enables rotation with a period, reads the status, rotates on demand and lists the rotation', async () => {
    // Prepare
    const key = await createKey();
    const aws = (...args: string[]) => e2e.awsKms(...args);

    // Act
    await aws('enable-key-rotation', '--key-id', key.keyId, '--rotation-period-in-days', '180');
    const status = await aws('get-key-rotation-status', '--key-id', key.keyId);
    const rotated = await aws('rotate-key-on-demand', '--key-id', key.keyId);
    await rotationDone(key.keyId);
    const listed = await aws('list-key-rotations', '--key-id', key.keyId);

    // Assess
    expect(status).toMatchObject({ KeyId: key.arn, KeyRotationEnabled: true, RotationPeriodInDays: 180 });
    expect(status['NextRotationDate']).toEqual(expect.any(Number));
    expect(rotated).toEqual({ KeyId: key.arn });
    expect(listed).toMatchObject({ Rotations: [{ KeyId: key.arn, RotationType: 'ON_DEMAND', KeyMaterialState: 'CURRENT' }] });
  });
});
