import { describe, expect, it } from 'vitest';
import {
  DisabledException, DryRunOperationException, UnsupportedOperationException, ValidationException,
} from '../../../../src/models/kms/generated/errors.js';
import type { GenerateDataKeyRequest } from '../../../../src/models/kms/generated/shapes.js';
import { generateDataKey, generateDataKeyWithoutPlaintext, generateRandom } from '../../../../src/core/kms/operations/data-keys.js';
import { decrypt } from '../../../../src/core/kms/operations/encrypt-decrypt.js';
import { caught, makeCore, runHandler, seedKey } from '../../../support/core.js';

const CONTEXT = { file: 'report.csv' };

describe('generateDataKey', () => {
  it.each<[string, Partial<GenerateDataKeyRequest>, number]>([
    ['KeySpec AES_256', { KeySpec: 'AES_256' }, 32],
    ['KeySpec AES_128', { KeySpec: 'AES_128' }, 16],
    ['NumberOfBytes 64', { NumberOfBytes: 64 }, 64],
    ['NumberOfBytes 1', { NumberOfBytes: 1 }, 1],
  ])('returns a plaintext data key of the right length and its ciphertext when given %s', async (_, size, length) => {
    // Prepare
    const core = makeCore();
    const key = await seedKey(core);

    // Act
    const output = await runHandler(core, generateDataKey, { KeyId: key.keyId, EncryptionContext: CONTEXT, ...size });

    // Assess
    expect(output.Plaintext).toHaveLength(length);
    expect(output.KeyId).toBe(key.arn);
    const decrypted = await runHandler(core, decrypt, { CiphertextBlob: output.CiphertextBlob ?? new Uint8Array(), EncryptionContext: CONTEXT });
    expect(decrypted.Plaintext).toEqual(output.Plaintext);
  });

  it.each<[string, Partial<GenerateDataKeyRequest>]>([
    ['neither KeySpec nor NumberOfBytes', {}],
    ['both KeySpec and NumberOfBytes', { KeySpec: 'AES_256', NumberOfBytes: 32 }],
  ])('throws ValidationException because exactly one of KeySpec and NumberOfBytes is given (given %s)', async (_, size) => {
    // Prepare
    const core = makeCore();
    const key = await seedKey(core);

    // Act
    const error = await caught(runHandler(core, generateDataKey, { KeyId: key.keyId, ...size }));

    // Assess
    expect(error).toBeInstanceOf(ValidationException);
    expect(error.message).toBe('Please specify either number of bytes or key spec.');
  });

  it('throws DisabledException when the key is disabled', async () => {
    // Prepare
    const core = makeCore();
    const key = await seedKey(core, { keyState: 'Disabled' });

    // Act
    const error = await caught(runHandler(core, generateDataKey, { KeyId: key.keyId, KeySpec: 'AES_256' }));

    // Assess
    expect(error).toBeInstanceOf(DisabledException);
  });

  it('throws DryRunOperationException when the request is a dry run', async () => {
    // Prepare
    const core = makeCore();
    const key = await seedKey(core);

    // Act
    const error = await caught(runHandler(core, generateDataKey, { KeyId: key.keyId, KeySpec: 'AES_256', DryRun: true }));

    // Assess
    expect(error).toBeInstanceOf(DryRunOperationException);
  });

  it('throws UnsupportedOperationException when the request has a Recipient', async () => {
    // Prepare
    const core = makeCore();
    const key = await seedKey(core);

    // Act
    const error = await caught(runHandler(core, generateDataKey, { KeyId: key.keyId, KeySpec: 'AES_256', Recipient: {} }));

    // Assess
    expect(error).toBeInstanceOf(UnsupportedOperationException);
  });
});

describe('generateDataKeyWithoutPlaintext', () => {
  it('returns only the ciphertext, which decrypts to a data key of the asked length', async () => {
    // Prepare
    const core = makeCore();
    const key = await seedKey(core);

    // Act
    const output = await runHandler(core, generateDataKeyWithoutPlaintext, { KeyId: key.keyId, KeySpec: 'AES_128', EncryptionContext: CONTEXT });

    // Assess
    expect(output).not.toHaveProperty('Plaintext');
    expect(output.KeyId).toBe(key.arn);
    const decrypted = await runHandler(core, decrypt, { CiphertextBlob: output.CiphertextBlob ?? new Uint8Array(), EncryptionContext: CONTEXT });
    expect(decrypted.Plaintext).toHaveLength(16);
  });

  it('throws DryRunOperationException when the request is a dry run', async () => {
    // Prepare
    const core = makeCore();
    const key = await seedKey(core);

    // Act
    const error = await caught(runHandler(core, generateDataKeyWithoutPlaintext, { KeyId: key.keyId, NumberOfBytes: 8, DryRun: true }));

    // Assess
    expect(error).toBeInstanceOf(DryRunOperationException);
  });
});

describe('generateRandom', () => {
  it('returns the number of random bytes asked for', async () => {
    // Prepare
    const core = makeCore();

    // Act
    const output = await runHandler(core, generateRandom, { NumberOfBytes: 24 });

    // Assess
    expect(output.Plaintext).toHaveLength(24);
  });

  it('throws ValidationException because the number of bytes is given', async () => {
    // Prepare
    const core = makeCore();

    // Act
    const error = await caught(runHandler(core, generateRandom, {}));

    // Assess
    expect(error).toBeInstanceOf(ValidationException);
    expect(error.message).toBe('NumberOfBytes is required.');
  });

  it.each([
    ['a custom key store', { NumberOfBytes: 8, CustomKeyStoreId: 'cks-1' }, 'Custom key stores are not supported yet by this service.'],
    ['a Recipient', { NumberOfBytes: 8, Recipient: {} }, 'Recipient (attested enclave requests) is not supported yet by this service.'],
  ])('throws UnsupportedOperationException when the request names %s', async (_, input, message) => {
    // Prepare
    const core = makeCore();

    // Act
    const error = await caught(runHandler(core, generateRandom, input));

    // Assess
    expect(error).toBeInstanceOf(UnsupportedOperationException);
    expect(error.message).toBe(message);
  });
});
