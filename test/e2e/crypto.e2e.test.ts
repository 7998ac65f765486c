import {
  CreateAliasCommand, CreateKeyCommand, DecryptCommand, DescribeKeyCommand, DisableKeyCommand, EnableKeyCommand,
  EncryptCommand, GenerateDataKeyCommand, GenerateDataKeyWithoutPlaintextCommand, GenerateRandomCommand,
  ReEncryptCommand, type DataKeySpec, type KeyMetadata,
} from '@aws-sdk/client-kms';
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectKmsError, flipBit, patternBytes, utf8 } from './support/assertions.js';
import { ACCOUNT_ID, REGION, useLocalService } from './support/local-service.js';

const e2e = useLocalService();

/** The response members besides the SDK's `$metadata`. */
function membersOf<T extends object>(response: T): Omit<T, '$metadata'> {
  const { $metadata: _metadata, ...members } = response as T & { $metadata: unknown };
  return members;
}

async function createKey(): Promise<KeyMetadata> {
  const { KeyMetadata: metadata } = await e2e.kms.send(new CreateKeyCommand({}));
  if (metadata?.KeyId === undefined) throw new Error('CreateKey returned no KeyMetadata');
  return metadata;
}

async function encrypt(keyId: string, plaintext: Uint8Array, context?: Record<string, string>): Promise<Uint8Array> {
  const { CiphertextBlob: blob } = await e2e.kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: plaintext, EncryptionContext: context }));
  if (blob === undefined) throw new Error('Encrypt returned no CiphertextBlob');
  return blob;
}

describe('Encrypt and Decrypt', () => {
  let key: KeyMetadata;
  let other: KeyMetadata;
  const aliasName = `alias/crypto-${randomUUID()}`;
  const aliasArn = `arn:aws:kms:${REGION}:${ACCOUNT_ID}:${aliasName}`;
  const plaintext = utf8('attack at dawn');

  beforeAll(async () => {
    key = await createKey();
    other = await createKey();
    await e2e.kms.send(new CreateAliasCommand({ AliasName: aliasName, TargetKeyId: key.KeyId }));
  });

  const identifiers = [
    ['key ID', () => key.KeyId ?? ''],
    ['key ARN', () => key.Arn ?? ''],
    ['alias name', () => aliasName],
    ['alias ARN', () => aliasArn],
  ] as const;

  it.each(identifiers)('returns the ciphertext, the key ARN and the algorithm when Encrypt names the key by its %s', async (_form, identifier) => {
    // Prepare
    const keyId = identifier();

    // Act
    const response = await e2e.kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: plaintext }));

    // Assess
    expect(membersOf(response)).toEqual({ CiphertextBlob: expect.any(Uint8Array), KeyId: key.Arn, EncryptionAlgorithm: 'SYMMETRIC_DEFAULT' });
    expect(Buffer.from(response.CiphertextBlob ?? []).includes(Buffer.from(plaintext))).toBe(false);
  });

  it('returns the plaintext, the key ARN and the algorithm when Decrypt is given no KeyId', async () => {
    // Prepare
    const blob = await encrypt(key.KeyId ?? '', plaintext);

    // Act
    const response = await e2e.kms.send(new DecryptCommand({ CiphertextBlob: blob }));

    // Assess
    expect(membersOf(response)).toEqual({ Plaintext: plaintext, KeyId: key.Arn, EncryptionAlgorithm: 'SYMMETRIC_DEFAULT', KeyMaterialId: expect.stringMatching(/^[0-9a-f]{64}$/) });
  });

  it.each(identifiers)('returns the plaintext when Decrypt names the key by its %s', async (_form, identifier) => {
    // Prepare
    const blob = await encrypt(key.KeyId ?? '', plaintext);

    // Act
    const response = await e2e.kms.send(new DecryptCommand({ CiphertextBlob: blob, KeyId: identifier() }));

    // Assess
    expect(response.Plaintext).toEqual(plaintext);
    expect(response.KeyId).toBe(key.Arn);
  });

  it('returns different ciphertexts when the same plaintext is encrypted twice', async () => {
    // Prepare
    const keyId = key.KeyId ?? '';

    // Act
    const [first, second] = await Promise.all([encrypt(keyId, plaintext), encrypt(keyId, plaintext)]);

    // Assess
    expect(Buffer.from(first).equals(Buffer.from(second))).toBe(false);
  });

  it('returns IncorrectKeyException when Decrypt names another key than the one that encrypted', async () => {
    // Prepare
    const blob = await encrypt(key.KeyId ?? '', plaintext);

    // Act
    const request = e2e.kms.send(new DecryptCommand({ CiphertextBlob: blob, KeyId: other.KeyId }));

    // Assess
    await expectKmsError(request, 'IncorrectKeyException');
  });

  it.each([1, 2, 4095, 4096])('returns the same %i bytes when they are encrypted and decrypted', async (length) => {
    // Prepare
    const bytes = patternBytes(length);

    // Act
    const blob = await encrypt(key.Arn ?? '', bytes);
    const response = await e2e.kms.send(new DecryptCommand({ CiphertextBlob: blob }));

    // Assess
    expect(response.Plaintext).toEqual(bytes);
  });

  it.each([
    [0, "1 validation error detected: Value at 'plaintext' failed to satisfy constraint: Member must have length greater than or equal to 1"],
    [4097, "1 validation error detected: Value at 'plaintext' failed to satisfy constraint: Member must have length less than or equal to 4096"],
  ])('returns ValidationException when the plaintext is %i bytes', async (length, message) => {
    // Prepare
    const bytes = patternBytes(length);

    // Act
    const request = e2e.kms.send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: bytes }));

    // Assess
    await expectKmsError(request, 'ValidationException', message);
  });

  it('returns DryRunOperationException and no ciphertext when Encrypt is a dry run', async () => {
    // Prepare
    const input = { KeyId: key.KeyId, Plaintext: plaintext, DryRun: true };

    // Act
    const request = e2e.kms.send(new EncryptCommand(input));

    // Assess
    await expectKmsError(request, 'DryRunOperationException', 'The request would have succeeded, but the DryRun option is set.', 400);
  });
});

describe('encryption context', () => {
  let key: KeyMetadata;
  let blob: Uint8Array;
  const plaintext = utf8('bound to its context');
  const context = { purpose: 'invoice', tenant: 'acme' };

  beforeAll(async () => {
    key = await createKey();
    blob = await encrypt(key.KeyId ?? '', plaintext, context);
  });

  it('returns the plaintext when Decrypt is given the same context in another order', async () => {
    // Prepare
    const sameContext = { tenant: 'acme', purpose: 'invoice' };

    // Act
    const response = await e2e.kms.send(new DecryptCommand({ CiphertextBlob: blob, EncryptionContext: sameContext }));

    // Assess
    expect(response.Plaintext).toEqual(plaintext);
  });

  it.each([
    ['a changed value', { purpose: 'invoice', tenant: 'other' }],
    ['a missing pair', { purpose: 'invoice' }],
    ['an extra pair', { ...context, region: 'eu' }],
    ['a key with different case', { Purpose: 'invoice', tenant: 'acme' }],
    ['no context', undefined],
  ])('returns InvalidCiphertextException when Decrypt is given %s', async (_change, changed) => {
    // Prepare
    const input = { CiphertextBlob: blob, EncryptionContext: changed };

    // Act
    const request = e2e.kms.send(new DecryptCommand(input));

    // Assess
    await expectKmsError(request, 'InvalidCiphertextException');
  });

  it('returns InvalidCiphertextException when a ciphertext made without context is decrypted with one', async () => {
    // Prepare
    const plain = await encrypt(key.KeyId ?? '', plaintext);

    // Act
    const request = e2e.kms.send(new DecryptCommand({ CiphertextBlob: plain, EncryptionContext: { purpose: 'invoice' } }));

    // Assess
    await expectKmsError(request, 'InvalidCiphertextException');
  });
});

describe('damaged ciphertext', () => {
  let key: KeyMetadata;
  let blob: Uint8Array;
  const plaintext = patternBytes(16);

  beforeAll(async () => {
    key = await createKey();
    blob = await encrypt(key.KeyId ?? '', plaintext);
  });

  it.each([
    ['the first byte', 0],
    ['the last byte', -1],
    ['the last byte before the 16-byte tag', -17],
    ['the 33rd byte from the end', -33],
  ])('returns InvalidCiphertextException when a bit of %s is flipped', async (_where, index) => {
    // Prepare
    const tampered = flipBit(blob, index);

    // Act
    const request = e2e.kms.send(new DecryptCommand({ CiphertextBlob: tampered }));

    // Assess
    await expectKmsError(request, 'InvalidCiphertextException');
  });

  it.each([
    ['its last byte', (bytes: Uint8Array) => bytes.subarray(0, bytes.length - 1)],
    ['its second half', (bytes: Uint8Array) => bytes.subarray(0, Math.floor(bytes.length / 2))],
    ['all but its first byte', (bytes: Uint8Array) => bytes.subarray(0, 1)],
  ])('returns InvalidCiphertextException when the ciphertext loses %s', async (_part, cut) => {
    // Prepare
    const damaged = Uint8Array.from(cut(blob));

    // Act
    const request = e2e.kms.send(new DecryptCommand({ CiphertextBlob: damaged }));

    // Assess
    await expectKmsError(request, 'InvalidCiphertextException');
  });

  it('returns InvalidCiphertextException when the key ARN inside the ciphertext is swapped for another key\'s', async () => {
    // Prepare
    const other = await createKey();
    const at = Buffer.from(blob).indexOf(key.Arn ?? '', 0, 'latin1');
    const swapped = Buffer.from(blob);
    swapped.write(other.Arn ?? '', at, 'latin1');

    // Act
    const request = e2e.kms.send(new DecryptCommand({ CiphertextBlob: Uint8Array.from(swapped) }));

    // Assess
    expect(at).toBeGreaterThan(0);
    await expectKmsError(request, 'InvalidCiphertextException');
  });

  it('returns InvalidCiphertextException when a byte is appended to the ciphertext', async () => {
    // Prepare
    const extended = Uint8Array.from([...blob, 0]);

    // Act
    const request = e2e.kms.send(new DecryptCommand({ CiphertextBlob: extended }));

    // Assess
    await expectKmsError(request, 'InvalidCiphertextException');
  });

  it('returns InvalidCiphertextException when the ciphertext is random bytes', async () => {
    // Prepare
    const random = patternBytes(120, 3);

    // Act
    const request = e2e.kms.send(new DecryptCommand({ CiphertextBlob: random }));

    // Assess
    await expectKmsError(request, 'InvalidCiphertextException');
  });
});

describe('ReEncrypt', () => {
  let source: KeyMetadata;
  let destination: KeyMetadata;
  const destinationAlias = `alias/reencrypt-${randomUUID()}`;
  const plaintext = utf8('moving between keys');

  beforeAll(async () => {
    source = await createKey();
    destination = await createKey();
    await e2e.kms.send(new CreateAliasCommand({ AliasName: destinationAlias, TargetKeyId: destination.KeyId }));
  });

  it('returns a ciphertext under the destination key that decrypts to the original plaintext', async () => {
    // Prepare
    const blob = await encrypt(source.KeyId ?? '', plaintext, { step: 'one' });

    // Act
    const response = await e2e.kms.send(new ReEncryptCommand({
      CiphertextBlob: blob,
      SourceEncryptionContext: { step: 'one' },
      DestinationKeyId: destinationAlias,
      DestinationEncryptionContext: { step: 'two' },
    }));

    // Assess
    expect(membersOf(response)).toEqual({
      CiphertextBlob: expect.any(Uint8Array),
      SourceKeyId: source.Arn,
      KeyId: destination.Arn,
      SourceEncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
      DestinationEncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
      SourceKeyMaterialId: expect.stringMatching(/^[0-9a-f]{64}$/),
      DestinationKeyMaterialId: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    const decrypted = await e2e.kms.send(new DecryptCommand({ CiphertextBlob: response.CiphertextBlob, EncryptionContext: { step: 'two' } }));
    expect(decrypted.Plaintext).toEqual(plaintext);
    expect(decrypted.KeyId).toBe(destination.Arn);
  });

  it('returns InvalidCiphertextException when the source encryption context is wrong', async () => {
    // Prepare
    const blob = await encrypt(source.KeyId ?? '', plaintext, { step: 'one' });

    // Act
    const request = e2e.kms.send(new ReEncryptCommand({ CiphertextBlob: blob, DestinationKeyId: destination.KeyId }));

    // Assess
    await expectKmsError(request, 'InvalidCiphertextException');
  });

  it('returns IncorrectKeyException when SourceKeyId names another key', async () => {
    // Prepare
    const blob = await encrypt(source.KeyId ?? '', plaintext);

    // Act
    const request = e2e.kms.send(new ReEncryptCommand({ CiphertextBlob: blob, SourceKeyId: destination.KeyId, DestinationKeyId: destination.KeyId }));

    // Assess
    await expectKmsError(request, 'IncorrectKeyException');
  });
});

describe('disabled key', () => {
  let key: KeyMetadata;
  let enabled: KeyMetadata;
  let blob: Uint8Array;
  let otherBlob: Uint8Array;
  const plaintext = utf8('locked away');

  beforeAll(async () => {
    key = await createKey();
    enabled = await createKey();
    blob = await encrypt(key.KeyId ?? '', plaintext);
    otherBlob = await encrypt(enabled.KeyId ?? '', plaintext);
    await e2e.kms.send(new DisableKeyCommand({ KeyId: key.KeyId }));
  });

  it.each([
    ['Encrypt', () => new EncryptCommand({ KeyId: key.KeyId, Plaintext: plaintext })],
    ['Decrypt', () => new DecryptCommand({ CiphertextBlob: blob })],
    ['GenerateDataKey', () => new GenerateDataKeyCommand({ KeyId: key.KeyId, KeySpec: 'AES_256' })],
    ['GenerateDataKeyWithoutPlaintext', () => new GenerateDataKeyWithoutPlaintextCommand({ KeyId: key.KeyId, KeySpec: 'AES_256' })],
    ['ReEncrypt from it', () => new ReEncryptCommand({ CiphertextBlob: blob, DestinationKeyId: enabled.KeyId })],
    ['ReEncrypt to it', () => new ReEncryptCommand({ CiphertextBlob: otherBlob, DestinationKeyId: key.KeyId })],
  ] as const)('returns DisabledException from %s', async (_operation, command) => {
    // Prepare
    const disabledCommand = command();

    // Act
    const request = e2e.kms.send(disabledCommand as never);

    // Assess
    await expectKmsError(request, 'DisabledException', `${key.Arn} is disabled.`);
  });

  it('returns the key metadata from DescribeKey while the key is disabled', async () => {
    // Prepare
    const keyId = key.KeyId;

    // Act
    const response = await e2e.kms.send(new DescribeKeyCommand({ KeyId: keyId }));

    // Assess
    expect(response.KeyMetadata).toEqual({ ...key, Enabled: false, KeyState: 'Disabled' });
  });

  it('decrypts the old ciphertext again when EnableKey restores the key', async () => {
    // Prepare
    const restored = await createKey();
    const restoredBlob = await encrypt(restored.KeyId ?? '', plaintext);
    await e2e.kms.send(new DisableKeyCommand({ KeyId: restored.KeyId }));

    // Act
    await e2e.kms.send(new EnableKeyCommand({ KeyId: restored.KeyId }));

    // Assess
    const response = await e2e.kms.send(new DecryptCommand({ CiphertextBlob: restoredBlob }));
    expect(response.Plaintext).toEqual(plaintext);
    await expect(encrypt(restored.KeyId ?? '', plaintext)).resolves.toBeInstanceOf(Uint8Array);
  });
});

describe('GenerateDataKey', () => {
  let key: KeyMetadata;

  beforeAll(async () => {
    key = await createKey();
  });

  it.each([
    ['KeySpec AES_128', { KeySpec: 'AES_128' as DataKeySpec }, 16],
    ['KeySpec AES_256', { KeySpec: 'AES_256' as DataKeySpec }, 32],
    ['NumberOfBytes 1', { NumberOfBytes: 1 }, 1],
    ['NumberOfBytes 1024', { NumberOfBytes: 1024 }, 1024],
  ])('returns a data key that Decrypt recovers when asked for %s', async (_size, size, length) => {
    // Prepare
    const context = { file: 'report.pdf' };

    // Act
    const response = await e2e.kms.send(new GenerateDataKeyCommand({ KeyId: key.KeyId, EncryptionContext: context, ...size }));

    // Assess
    expect(membersOf(response)).toEqual({ CiphertextBlob: expect.any(Uint8Array), Plaintext: expect.any(Uint8Array), KeyId: key.Arn, KeyMaterialId: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(response.Plaintext).toHaveLength(length);
    const decrypted = await e2e.kms.send(new DecryptCommand({ CiphertextBlob: response.CiphertextBlob, EncryptionContext: context }));
    expect(decrypted.Plaintext).toEqual(response.Plaintext);
  });

  it.each([
    ['both KeySpec and NumberOfBytes', { KeySpec: 'AES_256' as DataKeySpec, NumberOfBytes: 32 }],
    ['neither KeySpec nor NumberOfBytes', {}],
  ])('returns ValidationException when given %s', async (_case, size) => {
    // Prepare
    const input = { KeyId: key.KeyId, ...size };

    // Act
    const request = e2e.kms.send(new GenerateDataKeyCommand(input));

    // Assess
    await expectKmsError(request, 'ValidationException');
  });

  it.each([
    [0, "1 validation error detected: Value '0' at 'numberOfBytes' failed to satisfy constraint: Member must have value greater than or equal to 1"],
    [1025, "1 validation error detected: Value '1025' at 'numberOfBytes' failed to satisfy constraint: Member must have value less than or equal to 1024"],
  ])('returns ValidationException when NumberOfBytes is %i', async (numberOfBytes, message) => {
    // Prepare
    const input = { KeyId: key.KeyId, NumberOfBytes: numberOfBytes };

    // Act
    const request = e2e.kms.send(new GenerateDataKeyCommand(input));

    // Assess
    await expectKmsError(request, 'ValidationException', message);
  });

  it('returns ValidationException when KeySpec is not a data key spec', async () => {
    // Prepare
    const input = { KeyId: key.KeyId, KeySpec: 'AES_512' as DataKeySpec };

    // Act
    const request = e2e.kms.send(new GenerateDataKeyCommand(input));

    // Assess
    await expectKmsError(request, 'ValidationException',
      "1 validation error detected: Value 'AES_512' at 'keySpec' failed to satisfy constraint: Member must satisfy enum value set: [AES_256, AES_128]");
  });

  it('returns a ciphertext without plaintext that decrypts to a 32-byte key from GenerateDataKeyWithoutPlaintext', async () => {
    // Prepare
    const input = { KeyId: key.Arn, KeySpec: 'AES_256' as DataKeySpec };

    // Act
    const response = await e2e.kms.send(new GenerateDataKeyWithoutPlaintextCommand(input));

    // Assess
    expect(membersOf(response)).toEqual({ CiphertextBlob: expect.any(Uint8Array), KeyId: key.Arn, KeyMaterialId: expect.stringMatching(/^[0-9a-f]{64}$/) });
    const decrypted = await e2e.kms.send(new DecryptCommand({ CiphertextBlob: response.CiphertextBlob }));
    expect(decrypted.Plaintext).toHaveLength(32);
  });
});

describe('GenerateRandom', () => {
  it.each([1, 32, 1024])('returns %i random bytes', async (numberOfBytes) => {
    // Prepare
    const input = { NumberOfBytes: numberOfBytes };

    // Act
    const response = await e2e.kms.send(new GenerateRandomCommand(input));

    // Assess
    expect(membersOf(response)).toEqual({ Plaintext: expect.any(Uint8Array) });
    expect(response.Plaintext).toHaveLength(numberOfBytes);
  });

  it('returns different bytes on each call', async () => {
    // Prepare
    const input = { NumberOfBytes: 32 };

    // Act
    const [first, second] = await Promise.all([1, 2].map(() => e2e.kms.send(new GenerateRandomCommand(input))));

    // Assess
    expect(Buffer.from(first?.Plaintext ?? []).equals(Buffer.from(second?.Plaintext ?? []))).toBe(false);
  });

  it.each([
    [0, "1 validation error detected: Value '0' at 'numberOfBytes' failed to satisfy constraint: Member must have value greater than or equal to 1"],
    [1025, "1 validation error detected: Value '1025' at 'numberOfBytes' failed to satisfy constraint: Member must have value less than or equal to 1024"],
  ])('returns ValidationException when NumberOfBytes is %i', async (numberOfBytes, message) => {
    // Prepare
    const input = { NumberOfBytes: numberOfBytes };

    // Act
    const request = e2e.kms.send(new GenerateRandomCommand(input));

    // Assess
    await expectKmsError(request, 'ValidationException', message);
  });
});
