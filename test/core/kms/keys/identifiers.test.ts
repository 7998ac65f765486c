import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidArnException, NotFoundException } from '../../../../src/models/kms/generated/errors.js';
import { aliasArn, isKeyId, keyArn, parseKeyIdentifier } from '../../../../src/core/kms/keys/identifiers.js';
import { caughtSync } from '../../../support/core.js';

const SCOPE = { accountId: '111122223333', region: 'us-east-1' };
const KEY_ID = '1234abcd-12ab-34cd-56ef-1234567890ab';
const MRK_ID = 'mrk-1234abcd12ab34cd56ef1234567890ab';

describe('parseKeyIdentifier', () => {
  it.each([
    ['a key ID', KEY_ID, { kind: 'keyId', ...SCOPE, keyId: KEY_ID }],
    ['a multi-Region key ID', MRK_ID, { kind: 'keyId', ...SCOPE, keyId: MRK_ID }],
    [
      'a key ARN of another account and Region',
      `arn:aws:kms:eu-west-2:444455556666:key/${KEY_ID}`,
      { kind: 'keyArn', accountId: '444455556666', region: 'eu-west-2', keyId: KEY_ID },
    ],
    [
      'a multi-Region key ARN',
      `arn:aws:kms:us-east-1:111122223333:key/${MRK_ID}`,
      { kind: 'keyArn', ...SCOPE, keyId: MRK_ID },
    ],
    [
      'a key ARN in another partition',
      `arn:aws-us-gov:kms:us-gov-west-1:111122223333:key/${KEY_ID}`,
      { kind: 'keyArn', accountId: '111122223333', region: 'us-gov-west-1', keyId: KEY_ID },
    ],
    ['an alias name', 'alias/my-key', { kind: 'aliasName', ...SCOPE, aliasName: 'alias/my-key' }],
    [
      'an alias ARN',
      'arn:aws:kms:us-west-2:111122223333:alias/my-key',
      { kind: 'aliasArn', accountId: '111122223333', region: 'us-west-2', aliasName: 'alias/my-key' },
    ],
  ])('returns the identifier when given %s', (_, raw, expected) => {
    // Prepare
    const options = { allowAliases: true };

    // Act
    const parsed = parseKeyIdentifier(raw, SCOPE, options);

    // Assess
    expect(parsed).toEqual(expected);
  });

  it.each([
    ['an alias name', 'alias/my-key'],
    ['an alias ARN', 'arn:aws:kms:us-east-1:111122223333:alias/my-key'],
  ])('throws NotFoundException when given %s and aliases are not allowed', (_, raw) => {
    // Prepare
    const options = { allowAliases: false };

    // Act
    const error = caughtSync(() => parseKeyIdentifier(raw, SCOPE, options));

    // Assess
    expect(error).toBeInstanceOf(NotFoundException);
    expect(error.message).toBe(`Invalid keyId '${raw}'`);
  });

  it.each([
    ['a non-KMS service', `arn:aws:s3:us-east-1:111122223333:key/${KEY_ID}`],
    ['a partition that is not aws', `arn:azure:kms:us-east-1:111122223333:key/${KEY_ID}`],
    ['a malformed Region', `arn:aws:kms:useast1:111122223333:key/${KEY_ID}`],
    ['an empty Region', `arn:aws:kms::111122223333:key/${KEY_ID}`],
    ['an 11-digit account', `arn:aws:kms:us-east-1:11112222333:key/${KEY_ID}`],
    ['a non-numeric account', `arn:aws:kms:us-east-1:11112222333x:key/${KEY_ID}`],
    ['no resource', 'arn:aws:kms:us-east-1:111122223333:'],
    ['too few parts', 'arn:aws:kms:us-east-1'],
    ['just the prefix', 'arn:'],
    ['an unknown resource type', `arn:aws:kms:us-east-1:111122223333:grant/${KEY_ID}`],
    ['an alias resource without a name', 'arn:aws:kms:us-east-1:111122223333:alias/'],
  ])('throws InvalidArnException when the ARN has %s', (_, raw) => {
    // Prepare
    const options = { allowAliases: true };

    // Act
    const error = caughtSync(() => parseKeyIdentifier(raw, SCOPE, options));

    // Assess
    expect(error).toBeInstanceOf(InvalidArnException);
    expect(error.message).toBe(`Invalid arn ${raw}`);
  });

  it.each([
    ['an empty string', ''],
    ['a word', 'my-key'],
    ['an upper-case key ID', KEY_ID.toUpperCase()],
    ['a key ID with a missing character', KEY_ID.slice(1)],
    ['a short mrk- ID', 'mrk-1234'],
    ['a key ARN whose key ID is malformed', 'arn:aws:kms:us-east-1:111122223333:key/not-a-key'],
    ['an alias name without the alias/ prefix', 'my-alias'],
    ['a key ID with surrounding spaces', ` ${KEY_ID} `],
  ])('throws NotFoundException naming the keyId when given %s', (_, raw) => {
    // Prepare
    const options = { allowAliases: true };

    // Act
    const error = caughtSync(() => parseKeyIdentifier(raw, SCOPE, options));

    // Assess
    expect(error).toBeInstanceOf(NotFoundException);
    expect(error.message).toBe(`Invalid keyId '${raw}'`);
  });
});

describe('isKeyId', () => {
  it.each([
    [KEY_ID, true],
    [MRK_ID, true],
    ['alias/x', false],
    [`${KEY_ID}0`, false],
    ['mrk-1234ABCD12ab34cd56ef1234567890ab', false],
  ])('returns %s → %s', (value, expected) => {
    // Prepare / Act
    const result = isKeyId(value);

    // Assess
    expect(result).toBe(expected);
  });
});

const hex = (length: number) => fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: length, maxLength: length });
const arbKeyId = fc.oneof(
  fc.tuple(hex(8), hex(4), hex(4), hex(4), hex(12)).map((parts) => parts.join('-')),
  hex(32).map((id) => `mrk-${id}`),
);
const arbScope = fc.record({
  accountId: fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: 12, maxLength: 12 }),
  region: fc.tuple(fc.constantFrom('us', 'eu', 'ap', 'sa', 'ca', 'me'), fc.constantFrom('east', 'west', 'central', 'southeast', 'gov-west'), fc.integer({ min: 1, max: 9 }))
    .map(([area, direction, n]) => `${area}-${direction}-${n}`),
});
const arbAliasName = fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/_-'), minLength: 1, maxLength: 40 })
  .map((name) => `alias/${name}`);

describe('keyArn and aliasArn', () => {
  it('returns the scope and key ID a key ARN was built from when it is parsed back', () => {
    fc.assert(fc.property(arbScope, arbKeyId, (scope, keyId) => {
      // Prepare
      const arn = keyArn(scope, keyId);

      // Act
      const parsed = parseKeyIdentifier(arn, SCOPE, { allowAliases: false });

      // Assess
      expect(parsed).toEqual({ kind: 'keyArn', ...scope, keyId });
    }));
  });

  it('returns the scope and alias name an alias ARN was built from when it is parsed back', () => {
    fc.assert(fc.property(arbScope, arbAliasName, (scope, aliasName) => {
      // Prepare
      const arn = aliasArn(scope, aliasName);

      // Act
      const parsed = parseKeyIdentifier(arn, SCOPE, { allowAliases: true });

      // Assess
      expect(parsed).toEqual({ kind: 'aliasArn', ...scope, aliasName });
    }));
  });
});
