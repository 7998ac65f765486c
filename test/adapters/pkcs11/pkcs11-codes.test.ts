import { describe, expect, it } from 'vitest';
import { CKR, toKmsError } from '../../../src/adapters/pkcs11/pkcs11-codes.js';
import { KMSInternalException, KeyUnavailableException, ValidationException } from '../../../src/models/kms/generated/errors.js';

describe('toKmsError', () => {
  it('answers KeyUnavailableException when the token is gone or its session closed', () => {
    for (const code of [CKR.DEVICE_REMOVED, CKR.SESSION_CLOSED, CKR.TOKEN_NOT_PRESENT]) {
      expect(toKmsError(Object.assign(new Error('pkcs11'), { code }))).toEqual(new KeyUnavailableException('The key material is unavailable.'));
    }
  });

  it('answers KMSInternalException, in the words of every internal error, for any other token failure', () => {
    const error = toKmsError(Object.assign(new Error('pkcs11'), { code: 0x5 }));
    expect(error).toEqual(new KMSInternalException('An internal error occurred.'));
  });

  it('lets a KMS exception pass as it is', () => {
    const original = new ValidationException('as it was');
    expect(toKmsError(original)).toBe(original);
  });
});
