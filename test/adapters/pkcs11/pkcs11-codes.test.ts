import { describe, expect, it } from 'vitest';
import { CKR, refusedWith, toKmsError } from '../../../src/adapters/pkcs11/pkcs11-codes.js';
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

describe('refusedWith', () => {
  /** A token call that fails as pkcs11js reports it, noting the stack its error got. */
  const failing = (code: number, stacks: string[]) => (): never => {
    const error = Object.assign(new Error(`C_UnwrapKey:${code}`), { code });
    stacks.push(error.stack ?? '');
    throw error;
  };

  it('answers the call\'s result when the token does not refuse it', () => {
    // Prepare / Act / Assess
    expect(refusedWith(CKR.TEMPLATE_INCONSISTENT, () => 'handle')).toBe('handle');
  });

  it('answers undefined for the expected refusal, made without a stack trace, and restores the stack trace limit', () => {
    // Prepare
    const stacks: string[] = [];
    const limit = Error.stackTraceLimit;

    // Act
    const result = refusedWith(CKR.TEMPLATE_INCONSISTENT, failing(CKR.TEMPLATE_INCONSISTENT, stacks));

    // Assess
    expect(result).toBeUndefined();
    expect(stacks).toEqual([`Error: C_UnwrapKey:${CKR.TEMPLATE_INCONSISTENT}`]);
    expect(Error.stackTraceLimit).toBe(limit);
  });

  it('throws any other failure with the stack of the call that expected the refusal', () => {
    // Prepare
    const stacks: string[] = [];
    const limit = Error.stackTraceLimit;
    const checkTemplate = (): unknown => refusedWith(CKR.TEMPLATE_INCONSISTENT, failing(0x5, stacks));

    // Act
    let thrown: unknown;
    try {
      checkTemplate();
    } catch (error) {
      thrown = error;
    }

    // Assess
    expect(pkcs11CodeOf(thrown)).toBe(0x5);
    expect((thrown as Error).stack).toMatch(/at checkTemplate/);
    expect(Error.stackTraceLimit).toBe(limit);
  });
});

function pkcs11CodeOf(error: unknown): unknown {
  return (error as { code?: unknown }).code;
}
