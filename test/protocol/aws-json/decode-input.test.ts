import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ValidationException } from '../../../src/models/kms/generated/errors.js';
import type { OperationName } from '../../../src/models/kms/generated/operations.js';
import { decodeInput } from '../../../src/protocol/aws-json/decode-input.js';

const KEY = '{"KeyId":"k"';

function thrownBy(operation: OperationName, body: string | Uint8Array): unknown {
  try {
    decodeInput(operation, body);
  } catch (error) {
    return error;
  }
  throw new Error('decodeInput did not throw');
}

describe('decodeInput', () => {
  it('returns typed members when the body is valid', () => {
    // Prepare
    const body = `${KEY},"Plaintext":"aGVsbG8=","EncryptionContext":{"a":"b"},"GrantTokens":["t"],"DryRun":false}`;

    // Act
    const input = decodeInput('Encrypt', body);

    // Assess
    expect(input).toEqual({
      KeyId: 'k',
      Plaintext: new Uint8Array(Buffer.from('hello')),
      EncryptionContext: { a: 'b' },
      GrantTokens: ['t'],
      DryRun: false,
    });
  });

  it('returns the input without unknown members when the body has members the model lacks', () => {
    // Prepare
    const body = `${KEY},"Unknown":{"deep":[1]},"keyId":"lower"}`;

    // Act
    const input = decodeInput('DescribeKey', body);

    // Assess
    expect(input).toEqual({ KeyId: 'k' });
  });

  it('returns members set to null as absent when the body holds JSON null', () => {
    // Prepare
    const body = `${KEY},"GrantTokens":null}`;

    // Act
    const input = decodeInput('DescribeKey', body);

    // Assess
    expect(input).toEqual({ KeyId: 'k' });
  });

  it('returns a Date from epoch seconds when the member is a timestamp', () => {
    // Prepare
    const body = `${KEY},"ImportToken":"AAAA","EncryptedKeyMaterial":"AA==","ValidTo":1700000000.5}`;

    // Act
    const input = decodeInput('ImportKeyMaterial', body);

    // Assess
    expect(input.ValidTo).toEqual(new Date(1_700_000_000_500));
  });

  it('returns the same input when the body arrives as UTF-8 bytes', () => {
    // Prepare
    const body = new TextEncoder().encode(`{"KeyId":"clé"}`);

    // Act
    const input = decodeInput('DescribeKey', body);

    // Assess
    expect(input).toEqual({ KeyId: 'clé' });
  });

  it('returns the bytes that were base64 encoded when given any blob', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 4096 }), (bytes) => {
        // Prepare
        const body = JSON.stringify({ KeyId: 'k', Plaintext: Buffer.from(bytes).toString('base64') });

        // Act
        const input = decodeInput('Encrypt', body);

        // Assess
        expect(input.Plaintext).toEqual(bytes);
      }),
    );
  });

  describe('throws ValidationException', () => {
    const tooLong = (n: number): string => 'a'.repeat(n);
    const bytes = (n: number): string => Buffer.alloc(n).toString('base64');

    it.each([
      [
        'a required member is missing',
        'DescribeKey',
        '{}',
        "Value null at 'keyId' failed to satisfy constraint: Member must not be null",
      ],
      [
        'a required sensitive member is missing',
        'Encrypt',
        '{"KeyId":"k"}',
        "Value at 'plaintext' failed to satisfy constraint: Member must not be null",
      ],
      [
        'a required blob is missing',
        'Verify',
        `${KEY},"Message":"AA==","SigningAlgorithm":"ECDSA_SHA_256"}`,
        "Value null at 'signature' failed to satisfy constraint: Member must not be null",
      ],
      [
        'a string is shorter than its minimum',
        'DescribeKey',
        '{"KeyId":""}',
        "Value '' at 'keyId' failed to satisfy constraint: Member must have length greater than or equal to 1",
      ],
      [
        'a string is longer than its maximum',
        'DescribeKey',
        `{"KeyId":"${tooLong(2049)}"}`,
        `Value '${tooLong(2049)}' at 'keyId' failed to satisfy constraint: Member must have length less than or equal to 2048`,
      ],
      [
        'a sensitive blob is too long',
        'Encrypt',
        `${KEY},"Plaintext":"${bytes(4097)}"}`,
        "Value at 'plaintext' failed to satisfy constraint: Member must have length less than or equal to 4096",
      ],
      [
        'a blob is empty',
        'Decrypt',
        '{"CiphertextBlob":""}',
        "Value at 'ciphertextBlob' failed to satisfy constraint: Member must have length greater than or equal to 1",
      ],
      [
        'a number is below its minimum',
        'GenerateRandom',
        '{"NumberOfBytes":0}',
        "Value '0' at 'numberOfBytes' failed to satisfy constraint: Member must have value greater than or equal to 1",
      ],
      [
        'a number is above its maximum',
        'GenerateRandom',
        '{"NumberOfBytes":1025}',
        "Value '1025' at 'numberOfBytes' failed to satisfy constraint: Member must have value less than or equal to 1024",
      ],
      [
        'a value is outside its enum',
        'GenerateDataKey',
        `${KEY},"KeySpec":"FOO"}`,
        "Value 'FOO' at 'keySpec' failed to satisfy constraint: Member must satisfy enum value set: [AES_256, AES_128]",
      ],
      [
        'a string does not match its pattern',
        'CreateAlias',
        '{"AliasName":"alias/a b","TargetKeyId":"k"}',
        "Value 'alias/a b' at 'aliasName' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9:/_-]+$",
      ],
      [
        'a pattern matches only part of the string',
        'ListResourceTags',
        '{"KeyId":"k","Marker":"ok\\u0100"}',
        "Value 'okĀ' at 'marker' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\u0020-\\u00FF]*",
      ],
      [
        'a list is longer than its maximum',
        'Encrypt',
        `${KEY},"Plaintext":"AA==","GrantTokens":["a","b","c","d","e","f","g","h","i","j","k"]}`,
        "Value '[a, b, c, d, e, f, g, h, i, j, k]' at 'grantTokens' failed to satisfy constraint: Member must have length less than or equal to 10",
      ],
      [
        'a list element breaks a constraint',
        'Encrypt',
        `${KEY},"Plaintext":"AA==","GrantTokens":["a",""]}`,
        "Value '' at 'grantTokens.2.member' failed to satisfy constraint: Member must have length greater than or equal to 1",
      ],
      [
        'a member of a structure in a list breaks a constraint',
        'TagResource',
        `${KEY},"Tags":[{"TagKey":"a","TagValue":""},{"TagKey":"${tooLong(129)}","TagValue":""}]}`,
        `Value '${tooLong(129)}' at 'tags.2.member.tagKey' failed to satisfy constraint: Member must have length less than or equal to 128`,
      ],
      [
        'a member of a structure in a list is missing',
        'TagResource',
        `${KEY},"Tags":[{"TagValue":"v"}]}`,
        "Value null at 'tags.1.member.tagKey' failed to satisfy constraint: Member must not be null",
      ],
    ] as const)('with the AWS wording when %s', (_case, operation, body, violation) => {
      // Prepare
      const expected = { name: 'ValidationException', message: `1 validation error detected: ${violation}` };

      // Act
      const error = thrownBy(operation, body);

      // Assess
      expect(error).toBeInstanceOf(ValidationException);
      expect(error).toMatchObject(expected);
    });

    it('lists every violation in member order when several constraints fail', () => {
      // Prepare
      const body = '{"KeySpec":"FOO","NumberOfBytes":2000}';

      // Act
      const error = thrownBy('GenerateDataKey', body);

      // Assess
      expect(error).toMatchObject({
        message:
          '3 validation errors detected: ' +
          "Value null at 'keyId' failed to satisfy constraint: Member must not be null; " +
          "Value '2000' at 'numberOfBytes' failed to satisfy constraint: Member must have value less than or equal to 1024; " +
          "Value 'FOO' at 'keySpec' failed to satisfy constraint: Member must satisfy enum value set: [AES_256, AES_128]",
      });
    });

    it('lists both violations of one member when it breaks its length and its pattern', () => {
      // Prepare
      const body = '{"AliasName":"","TargetKeyId":"k"}';

      // Act
      const error = thrownBy('CreateAlias', body);

      // Assess
      expect(error).toMatchObject({
        message:
          '2 validation errors detected: ' +
          "Value '' at 'aliasName' failed to satisfy constraint: Member must have length greater than or equal to 1; " +
          "Value '' at 'aliasName' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9:/_-]+$",
      });
    });

    it('lists at most ten violations when more constraints fail', () => {
      // Prepare
      const tags = Array.from({ length: 12 }, () => ({ TagValue: 'v' }));
      const body = JSON.stringify({ KeyId: 'k', Tags: tags });

      // Act
      const error = thrownBy('TagResource', body);

      // Assess
      expect((error as Error).message).toMatch(/^10 validation errors detected: /);
      expect((error as Error).message.split('; ')).toHaveLength(10);
    });
  });
});
