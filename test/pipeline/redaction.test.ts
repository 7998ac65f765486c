import { describe, expect, it } from 'vitest';
import {
  MAX_RECORDED_MESSAGE_LENGTH, REDACTED, capped, loggableError, loggableText, recordedMessage,
} from '../../src/pipeline/redaction.js';

const SECRET = 'MyDbPassword=hunter2!';

describe('recordedMessage', () => {
  it.each([
    ['the Blob message quotes a secret that is not base64',
      `'${SECRET}' can not be converted to a Blob: Invalid Base64 character: '!'`, [SECRET],
      `'${REDACTED}' can not be converted to a Blob: Invalid Base64 character: '${REDACTED}'`],
    ['a secret shorter than four characters is quoted',
      "'ab!' can not be converted to a Blob: Base64 encoded length is expected a multiple of 4 bytes but found: 3", ['ab!'],
      `'${REDACTED}' can not be converted to a Blob: Base64 encoded length is expected a multiple of 4 bytes but found: 3`],
    ['a secret holds a quote itself',
      "'it's-a-secret' can not be converted to a Blob: Invalid Base64 character: '''", ["it's-a-secret"],
      `'${REDACTED}' can not be converted to a Blob: Invalid Base64 character: '''`],
    ['a secret appears unquoted', `failed near ${SECRET} here`, [SECRET], `failed near ${REDACTED} here`],
  ])('returns the message without the secret when %s', (_, message, secrets, expected) => {
    // Act
    const recorded = recordedMessage(message, secrets);

    // Assess
    expect(recorded).toBe(expected);
    for (const secret of secrets) if (secret.length >= 4) expect(recorded).not.toContain(secret);
  });

  it('returns quoted values that are no secret as they are', () => {
    // Prepare
    const message = "Key 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab' does not exist";

    // Act
    const recorded = recordedMessage(message, ['c2VjcmV0']);

    // Assess
    expect(recorded).toBe(message);
  });

  it('returns the message as it is when there is no secret, even an empty one', () => {
    // Act
    const recorded = recordedMessage("Invalid keyId 'x'", ['']);

    // Assess
    expect(recorded).toBe("Invalid keyId 'x'");
  });

  it('returns a message cut to the cap, marked as cut', () => {
    // Prepare
    const message = `1 validation error detected: Value '${'d'.repeat(10_000)}' at 'description'`;

    // Act
    const recorded = recordedMessage(message, []);

    // Assess
    expect(recorded).toHaveLength(MAX_RECORDED_MESSAGE_LENGTH);
    expect(recorded.endsWith('… (truncated)')).toBe(true);
  });
});

describe('capped', () => {
  it('returns a message at the cap as it is', () => {
    // Prepare
    const message = 'm'.repeat(MAX_RECORDED_MESSAGE_LENGTH);

    // Act / Assess
    expect(capped(message)).toBe(message);
  });
});

describe('loggableText and loggableError', () => {
  it('returns text with every quoted value redacted, single or double quotes', () => {
    // Act
    const text = loggableText(`Unexpected token 'h', "${SECRET}" is not valid JSON`);

    // Assess
    expect(text).toBe(`Unexpected token '${REDACTED}', "${REDACTED}" is not valid JSON`);
  });

  it('returns the name, message and stack of an error without the secret', () => {
    // Prepare
    const error = new TypeError(`cannot read ${SECRET}`);

    // Act
    const fields = loggableError(error, [SECRET]);

    // Assess
    expect(fields).toMatchObject({ name: 'TypeError', message: `cannot read ${REDACTED}` });
    expect(JSON.stringify(fields)).not.toContain(SECRET);
    expect(JSON.stringify(fields)).toContain('redaction.test.ts');
  });

  it('returns a thrown value that is no Error as loggable text', () => {
    // Act
    const fields = loggableError(`'${SECRET}'`);

    // Assess
    expect(fields).toBe(`'${REDACTED}'`);
  });
});
