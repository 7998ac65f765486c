import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { KeyMetadata } from '../../../src/models/kms/generated/shapes.js';
import { decodeInput } from '../../../src/protocol/aws-json/decode-input.js';
import { encodeOutput } from '../../../src/protocol/aws-json/encode-output.js';

const metadata: KeyMetadata = {
  KeyId: '1234abcd-12ab-34cd-56ef-1234567890ab',
  CreationDate: new Date(1_700_000_000_123),
  Enabled: true,
  KeyUsage: 'ENCRYPT_DECRYPT',
  EncryptionAlgorithms: ['SYMMETRIC_DEFAULT'],
};

describe('encodeOutput', () => {
  it.each([
    [
      'a blob member is set',
      'GenerateRandom',
      { Plaintext: new Uint8Array([0, 1, 254, 255]) },
      '{"Plaintext":"AAH+/w=="}',
    ],
    [
      'a timestamp has milliseconds',
      'DescribeKey',
      { KeyMetadata: metadata },
      '{"KeyMetadata":{"KeyId":"1234abcd-12ab-34cd-56ef-1234567890ab","CreationDate":1700000000.123,' +
        '"Enabled":true,"KeyUsage":"ENCRYPT_DECRYPT","EncryptionAlgorithms":["SYMMETRIC_DEFAULT"]}}',
    ],
    [
      'a timestamp is on a whole second',
      'DescribeKey',
      { KeyMetadata: { KeyId: 'k', CreationDate: new Date(1_700_000_000_000) } },
      '{"KeyMetadata":{"KeyId":"k","CreationDate":1700000000}}',
    ],
    [
      'members are undefined',
      'Encrypt',
      { KeyId: 'k', CiphertextBlob: new Uint8Array([1]), EncryptionAlgorithm: undefined },
      '{"CiphertextBlob":"AQ==","KeyId":"k"}',
    ],
    [
      'a list holds structures',
      'ListResourceTags',
      { Tags: [{ TagKey: 'a', TagValue: 'b' }], Truncated: false },
      '{"Tags":[{"TagKey":"a","TagValue":"b"}],"Truncated":false}',
    ],
    [
      'the operation answers an empty structure',
      'ConnectCustomKeyStore',
      {},
      '{}',
    ],
    [
      'the operation has no output',
      'DisableKey',
      {},
      '{}',
    ],
  ] as const)('returns the AWS JSON body when %s', (_case, operation, output, expected) => {
    // Prepare
    const encode = encodeOutput as (operation: string, output: unknown) => string;

    // Act
    const body = encode(operation, output);

    // Assess
    expect(body).toBe(expected);
  });

  it('returns members in model order without properties the model lacks', () => {
    // Prepare
    const output = { KeyId: 'k', Extra: 'secret', CiphertextBlob: new Uint8Array([2]) };

    // Act
    const body = encodeOutput('Encrypt', output as Parameters<typeof encodeOutput<'Encrypt'>>[1]);

    // Assess
    expect(body).toBe('{"CiphertextBlob":"Ag==","KeyId":"k"}');
  });

  it('returns base64 that decodes to the same bytes when given any blob', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 4096 }), (bytes) => {
        // Prepare
        const encoded = JSON.parse(encodeOutput('GenerateRandom', { Plaintext: bytes })) as { Plaintext: string };

        // Act
        const decoded = decodeInput('Encrypt', JSON.stringify({ KeyId: 'k', Plaintext: encoded.Plaintext }));

        // Assess
        expect(decoded.Plaintext).toEqual(bytes);
      }),
    );
  });

  it('returns the bytes of a view when the blob is a slice of a larger buffer', () => {
    // Prepare
    const backing = new Uint8Array([9, 9, 1, 2, 3, 9]);
    const slice = backing.subarray(2, 5);

    // Act
    const body = encodeOutput('GenerateRandom', { Plaintext: slice });

    // Assess
    expect(body).toBe('{"Plaintext":"AQID"}');
  });
});
