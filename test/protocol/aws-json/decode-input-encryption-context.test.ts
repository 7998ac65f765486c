import { describe, expect, it } from 'vitest';
import { MAX_ENCRYPTION_CONTEXT_BYTES } from '../../../src/core/kms/crypto/encryption-context.js';
import { ValidationException } from '../../../src/models/kms/generated/errors.js';
import type { OperationName } from '../../../src/models/kms/generated/operations.js';
import { decodeInput } from '../../../src/protocol/aws-json/decode-input.js';
import { caughtSync } from '../../support/core.js';

const PLAINTEXT = Buffer.from('secret').toString('base64');

/** A JSON body whose encryption context is written out as raw JSON text (so `\ud83d` stays an escape). */
function encryptBody(contextJson: string): string {
  return `{"KeyId":"k","Plaintext":"${PLAINTEXT}","EncryptionContext":${contextJson}}`;
}

/** A context of `pairs` pairs whose keys and values take `bytes` UTF-8 bytes together. */
function contextOfSize(bytes: number, pairs = 4): Record<string, string> {
  const context: Record<string, string> = {};
  const each = Math.floor(bytes / pairs);
  for (let index = 0; index < pairs; index++) {
    const key = `k${index}`;
    const valueLength = (index === pairs - 1 ? bytes - each * (pairs - 1) : each) - key.length;
    context[key] = 'v'.repeat(valueLength);
  }
  return context;
}

describe('decodeInput and encryption contexts', () => {
  it.each([
    ['a lone high surrogate in a value', '{"tenant":"\\ud83d"}', "the value of 'tenant' contains an unpaired surrogate."],
    ['a lone low surrogate in a value', '{"tenant":"\\udc00"}', "the value of 'tenant' contains an unpaired surrogate."],
    ['reversed surrogates in a value', '{"tenant":"\\ude00\\ud83d"}', "the value of 'tenant' contains an unpaired surrogate."],
    ['a lone surrogate in a key', '{"\\ud83d":"acme"}', 'a key contains an unpaired surrogate.'],
  ])('throws ValidationException because an encryption context is well-formed Unicode (%s)', (_, contextJson, reason) => {
    // Act
    const error = caughtSync(() => decodeInput('Encrypt', encryptBody(contextJson)));

    // Assess
    expect(error).toBeInstanceOf(ValidationException);
    expect(error.message).toBe(`The encryption context in 'encryptionContext' must be well-formed Unicode: ${reason}`);
  });

  it('returns the context when it holds a surrogate pair written as escapes', () => {
    // Act
    const input = decodeInput('Encrypt', encryptBody('{"tenant":"\\ud83d\\ude00"}'));

    // Assess
    expect(input.EncryptionContext).toEqual({ tenant: '\u{1F600}' });
  });

  it.each<[OperationName, string, string]>([
    ['Decrypt', '{"CiphertextBlob":"AQID","EncryptionContext":{"a":"\\ud800"}}', 'encryptionContext'],
    ['ReEncrypt', '{"CiphertextBlob":"AQID","DestinationKeyId":"k","SourceEncryptionContext":{"a":"\\ud800"}}', 'sourceEncryptionContext'],
    ['ReEncrypt', '{"CiphertextBlob":"AQID","DestinationKeyId":"k","DestinationEncryptionContext":{"a":"\\ud800"}}', 'destinationEncryptionContext'],
    ['GenerateDataKey', '{"KeyId":"k","KeySpec":"AES_256","EncryptionContext":{"a":"\\ud800"}}', 'encryptionContext'],
    ['GenerateDataKeyPair', '{"KeyId":"k","KeyPairSpec":"RSA_2048","EncryptionContext":{"a":"\\ud800"}}', 'encryptionContext'],
    ['CreateGrant', '{"KeyId":"k","GranteePrincipal":"p","Operations":["Decrypt"],"Constraints":{"EncryptionContextEquals":{"a":"\\ud800"}}}',
      'constraints.encryptionContextEquals'],
  ])('throws ValidationException naming the member when %s has an encryption context that is not well formed (%s)', (operation, body, member) => {
    // Act
    const error = caughtSync(() => decodeInput(operation, body));

    // Assess
    expect(error).toBeInstanceOf(ValidationException);
    expect(error.message).toBe(`The encryption context in '${member}' must be well-formed Unicode: the value of 'a' contains an unpaired surrogate.`);
  });

  it('returns the context when its keys and values take exactly the limit', () => {
    // Prepare
    const context = contextOfSize(MAX_ENCRYPTION_CONTEXT_BYTES);

    // Act
    const input = decodeInput('Encrypt', encryptBody(JSON.stringify(context)));

    // Assess
    expect(input.EncryptionContext).toEqual(context);
  });

  it.each([
    ['one byte over the limit', MAX_ENCRYPTION_CONTEXT_BYTES + 1, 4],
    ['848 KB in one pair', 848 * 1024, 1],
    ['many small pairs', 20_000, 2_000],
  ])('throws ValidationException because an encryption context is within the size limit (%s)', (_, bytes, pairs) => {
    // Prepare
    const context = contextOfSize(bytes, pairs);

    // Act
    const error = caughtSync(() => decodeInput('Encrypt', encryptBody(JSON.stringify(context))));

    // Assess
    expect(error).toBeInstanceOf(ValidationException);
    expect(error.message).toBe(
      `The encryption context in 'encryptionContext' is ${bytes} bytes long; its keys and values may take at most ${MAX_ENCRYPTION_CONTEXT_BYTES} bytes of UTF-8 together.`,
    );
  });

  it('counts the limit in UTF-8 bytes, not in characters', () => {
    // Prepare: 2,100 four-byte characters are 4,200 UTF-16 code units but 8,400 UTF-8 bytes.
    const context = { emoji: '\u{1F600}'.repeat(2100) };

    // Act
    const error = caughtSync(() => decodeInput('Encrypt', encryptBody(JSON.stringify(context))));

    // Assess
    expect(error.message).toContain(`is ${5 + 4 * 2100} bytes long`);
  });
});
