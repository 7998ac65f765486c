/** The PKCS#11 results that are answers about the data rather than failures of the token. */
import { AUTHENTICATION_FAILURES, pkcs11Code } from '../pkcs11-codes.js';

const CKR_ARGUMENTS_BAD = 0x07;
const CKR_DATA_INVALID = 0x20;
const CKR_DATA_LEN_RANGE = 0x21;
const CKR_MECHANISM_PARAM_INVALID = 0x71;
const CKR_SIGNATURE_INVALID = 0xc0;
const CKR_SIGNATURE_LEN_RANGE = 0xc1;

function codeIn(codes: ReadonlySet<number>, error: unknown): boolean {
  const code = pkcs11Code(error);
  return code !== undefined && codes.has(code);
}

const INVALID_SIGNATURE: ReadonlySet<number> = new Set([CKR_SIGNATURE_INVALID, CKR_SIGNATURE_LEN_RANGE]);
/** A ciphertext the key cannot decrypt: bad padding, or a value not below the modulus. */
const REJECTED_CIPHERTEXT: ReadonlySet<number> = new Set([...AUTHENTICATION_FAILURES, CKR_DATA_INVALID, CKR_DATA_LEN_RANGE]);
/** How tokens refuse mechanism parameters they do not implement (SoftHSM says ARGUMENTS_BAD). */
const UNSUPPORTED_PARAMETER: ReadonlySet<number> = new Set([CKR_ARGUMENTS_BAD, CKR_MECHANISM_PARAM_INVALID]);

export const isInvalidSignature = (error: unknown): boolean => codeIn(INVALID_SIGNATURE, error);
export const isRejectedCiphertext = (error: unknown): boolean => codeIn(REJECTED_CIPHERTEXT, error);
export const isUnsupportedParameter = (error: unknown): boolean => codeIn(UNSUPPORTED_PARAMETER, error);
