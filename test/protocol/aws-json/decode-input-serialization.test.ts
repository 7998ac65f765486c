import { describe, expect, it } from 'vitest';
import { SerializationException } from '../../../src/models/kms/generated/errors.js';
import type { OperationName } from '../../../src/models/kms/generated/operations.js';
import { decodeInput } from '../../../src/protocol/aws-json/decode-input.js';

function thrownBy(operation: OperationName, body: string | Uint8Array): unknown {
  try {
    decodeInput(operation, body);
  } catch (error) {
    return error;
  }
  throw new Error('decodeInput did not throw');
}

describe('decodeInput', () => {
  describe('throws SerializationException', () => {
    it.each([
      ['the body is empty', 'DescribeKey', '', ''],
      ['the body is blank', 'DescribeKey', ' \n', ''],
      ['the body is not JSON', 'DescribeKey', '{"KeyId":', ''],
      ['the body is JSON null', 'DescribeKey', 'null', ''],
      ['the body is an array', 'DescribeKey', '[]', 'Start of list found where not expected'],
      ['the body is a string', 'DescribeKey', '"k"', 'Expected null'],
      ['a string member is a number', 'DescribeKey', '{"KeyId":5}', 'NUMBER_VALUE can not be converted to a String'],
      ['a string member is true', 'DescribeKey', '{"KeyId":true}', 'TRUE_VALUE can not be converted to a String'],
      ['a string member is an array', 'DescribeKey', '{"KeyId":[]}', 'Start of list found where not expected'],
      [
        'a string member is an object',
        'DescribeKey',
        '{"KeyId":{}}',
        'Start of structure or map found where not expected.',
      ],
      [
        'an integer member is a string',
        'GenerateRandom',
        '{"NumberOfBytes":"7"}',
        'STRING_VALUE can not be converted to an Integer',
      ],
      [
        'an integer member is false',
        'GenerateRandom',
        '{"NumberOfBytes":false}',
        'FALSE_VALUE can not be converted to an Integer',
      ],
      [
        'a boolean member is a number',
        'CreateKey',
        '{"MultiRegion":1}',
        'NUMBER_VALUE can not be converted to a Boolean',
      ],
      [
        'a boolean member is another word',
        'CreateKey',
        '{"MultiRegion":"maybe"}',
        'STRING_VALUE can not be converted to an Boolean',
      ],
      ['a blob member is a number', 'Decrypt', '{"CiphertextBlob":1}', 'NUMBER_VALUE can not be converted to a Blob'],
      [
        'a blob is not a multiple of 4 long',
        'Decrypt',
        '{"CiphertextBlob":"abc"}',
        "'abc' can not be converted to a Blob: Base64 encoded length is expected a multiple of 4 bytes but found: 3",
      ],
      [
        'a blob has a character outside base64',
        'Decrypt',
        '{"CiphertextBlob":"ab*d"}',
        "'ab*d' can not be converted to a Blob: Invalid Base64 character: '*'",
      ],
      [
        'a blob has padding in the middle',
        'Decrypt',
        '{"CiphertextBlob":"=+/="}',
        "'=+/=' can not be converted to a Blob: Invalid Base64 character: '='",
      ],
      [
        'a blob has stray bits in its last character',
        'Decrypt',
        '{"CiphertextBlob":"+/+="}',
        "'+/+=' can not be converted to a Blob: Invalid last non-pad Base64 character dectected",
      ],
      [
        'a timestamp member is a string',
        'ImportKeyMaterial',
        '{"ValidTo":"2030-01-01"}',
        'STRING_VALUE can not be converted to a Timestamp',
      ],
      ['a list member is a string', 'Encrypt', '{"GrantTokens":"t"}', 'Expected list or null'],
      [
        'a list member is an object',
        'Encrypt',
        '{"GrantTokens":{}}',
        'Start of structure or map found where not expected.',
      ],
      ['a map member is a string', 'Encrypt', '{"EncryptionContext":"a"}', 'Expected map or null'],
      ['a map member is an array', 'Encrypt', '{"EncryptionContext":[]}', 'Start of list found where not expected'],
      ['a map value is a number', 'Encrypt', '{"EncryptionContext":{"a":1}}', 'NUMBER_VALUE can not be converted to a String'],
      ['a list element structure is a string', 'CreateKey', '{"Tags":["x"]}', 'Expected null'],
    ] as const)('with the AWS wording when %s', (_case, operation, body, message) => {
      // Prepare
      const expected = { name: 'SerializationException', message };

      // Act
      const error = thrownBy(operation, body);

      // Assess
      expect(error).toBeInstanceOf(SerializationException);
      expect(error).toMatchObject(expected);
    });
  });
});
