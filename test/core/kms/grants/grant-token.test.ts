import { describe, expect, it } from 'vitest';
import { InvalidGrantTokenException } from '../../../../src/models/kms/generated/errors.js';
import { issueGrantToken, readGrantToken } from '../../../../src/core/kms/grants/grant-token.js';
import { caughtSync } from '../../../support/core.js';

const CLAIMS = {
  grantId: '0c237476b39f8bc44e45212e08498fbe3151305030726c0590dd8d3e9f3d6a60',
  keyArn: 'arn:aws:kms:us-east-2:444455556666:key/1234abcd-12ab-34cd-56ef-1234567890ab',
  secret: '5a'.repeat(32),
};

describe('grant tokens', () => {
  it('reads back the claims it issued, in base64url that begins like AWS\'s tokens', () => {
    // Act
    const token = issueGrantToken(CLAIMS, '01'.repeat(16));

    // Assess
    expect(token).toMatch(/^AQpA[A-Za-z0-9_-]+$/);
    expect(readGrantToken(token)).toEqual(CLAIMS);
  });

  it('issues a different token for each salt, all naming the same grant', () => {
    // Act
    const tokens = ['00', '01', 'ff'].map((byte) => issueGrantToken(CLAIMS, byte.repeat(16)));

    // Assess
    expect(new Set(tokens).size).toBe(3);
    expect(tokens.map(readGrantToken)).toEqual([CLAIMS, CLAIMS, CLAIMS]);
  });

  it('reads a key ARN long enough to need a two-byte length', () => {
    // Prepare
    const claims = { ...CLAIMS, keyArn: `arn:aws:kms:us-east-2:444455556666:key/${'a'.repeat(120)}` };

    // Act
    const token = issueGrantToken(claims, '02'.repeat(16));

    // Assess
    expect(readGrantToken(token)).toEqual(claims);
  });

  it.each([
    ['is empty', () => ''],
    ['is not base64url', () => 'AQpA+/=='],
    ['has another version', (token: string) => `B${token.slice(1)}`],
    ['is cut short', (token: string) => token.slice(0, -4)],
    ['has bytes appended', (token: string) => `${token}AAAA`],
    ['changes the last character\'s spare bits', (token: string) => token.slice(0, -1) + String.fromCharCode(token.charCodeAt(token.length - 1) + 1)],
  ])('throws InvalidGrantTokenException for a token that %s', (_case, tamper) => {
    // Prepare
    const token = tamper(issueGrantToken(CLAIMS, '03'.repeat(16)));

    // Act
    const error = caughtSync(() => readGrantToken(token));

    // Assess
    expect(error).toBeInstanceOf(InvalidGrantTokenException);
    expect(error.message).toBe('The request was rejected because the specified grant token is not valid.');
  });
});
