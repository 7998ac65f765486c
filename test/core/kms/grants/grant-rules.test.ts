import { describe, expect, it } from 'vitest';
import { GrantOperationValues, type GrantOperation } from '../../../../src/models/kms/generated/shapes.js';
import { ValidationException } from '../../../../src/models/kms/generated/errors.js';
import {
  GRANT_OPERATIONS_BY_KEY_KIND, checkGrantOperations, grantKeyKind, isGrantPrincipal, type GrantKeyKind,
} from '../../../../src/core/kms/grants/grant-rules.js';
import type { KeyRecord } from '../../../../src/core/kms/records.js';
import { caughtSync, makeKey } from '../../../support/core.js';

/** One key of each kind, to run the operations table over. */
const KEYS: Readonly<Record<GrantKeyKind, Partial<KeyRecord>>> = {
  'symmetric': {},
  'asymmetric-encryption': { keySpec: 'RSA_3072', keyUsage: 'ENCRYPT_DECRYPT' },
  'signing': { keySpec: 'ECC_NIST_P384', keyUsage: 'SIGN_VERIFY' },
  'key-agreement': { keySpec: 'ECC_NIST_P256', keyUsage: 'KEY_AGREEMENT' },
  'hmac': { keySpec: 'HMAC_512', keyUsage: 'GENERATE_VERIFY_MAC' },
};

const CASES = (Object.entries(KEYS) as [GrantKeyKind, Partial<KeyRecord>][]).flatMap(([kind, overrides]) =>
  GrantOperationValues.map((operation): [GrantKeyKind, GrantOperation, Partial<KeyRecord>, boolean] =>
    [kind, operation, overrides, GRANT_OPERATIONS_BY_KEY_KIND[kind].includes(operation)]));

describe('the grant operations each kind of key supports', () => {
  it.each(Object.entries(KEYS) as [GrantKeyKind, Partial<KeyRecord>][])('classifies a %s key as that kind', (kind, overrides) => {
    expect(grantKeyKind(makeKey(overrides))).toBe(kind);
  });

  it.each(CASES)('for a %s key, %s is accepted exactly when the table lists it', (_kind, operation, overrides, supported) => {
    // Prepare
    const key = makeKey(overrides);

    // Act
    const run = () => checkGrantOperations(key, [operation]);

    // Assess
    if (supported) expect(run()).toEqual([operation]);
    else expect(caughtSync(run)).toBeInstanceOf(ValidationException);
  });

  it('lets every key kind allow CreateGrant, DescribeKey and RetireGrant, and no kind both data keys and signing', () => {
    for (const operations of Object.values(GRANT_OPERATIONS_BY_KEY_KIND)) {
      expect(operations).toEqual(expect.arrayContaining(['CreateGrant', 'DescribeKey', 'RetireGrant']));
      expect(operations.includes('GenerateDataKey') && operations.includes('Sign')).toBe(false);
    }
  });
});

describe('isGrantPrincipal', () => {
  it.each([
    ['arn:aws:iam::111122223333:root', true],
    ['arn:aws-cn:iam::111122223333:role/app', true],
    ['arn:aws:iam::111122223333:user/path/to/bob', true],
    ['arn:aws:sts::111122223333:assumed-role/app/session', true],
    ['arn:aws:sts::111122223333:federated-user/carol', true],
    ['kms.us-east-1.amazonaws.com', true],
    ['111122223333', false],
    ['arn:aws:iam::111122223333:group/admins', false],
    ['arn:aws:iam::111122223333:role/', false],
    ['arn:aws:iam::*:root', false],
    ['*', false],
  ])('says %s is a grant principal: %s', (value, expected) => {
    expect(isGrantPrincipal(value)).toBe(expected);
  });
});
