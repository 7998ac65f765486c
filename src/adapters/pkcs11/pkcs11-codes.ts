/**
 * The few PKCS#11 return values the adapter reacts to, and how they map to KMS exceptions.
 * Messages never carry token internals: the caller decides what the client sees.
 */
import { randomBytes } from 'node:crypto';
import { KMSInternalException, KeyUnavailableException } from '../../models/kms/generated/errors.js';
import { ServiceError } from '../../core/errors/service-error.js';
import { say } from '../../core/kms/messages.js';

export const CKR = {
  GENERAL_ERROR: 0x05,
  ARGUMENTS_BAD: 0x07,
  ACTION_PROHIBITED: 0x1b,
  DEVICE_ERROR: 0x30,
  DEVICE_MEMORY: 0x31,
  DEVICE_REMOVED: 0x32,
  ENCRYPTED_DATA_INVALID: 0x40,
  ENCRYPTED_DATA_LEN_RANGE: 0x41,
  AEAD_DECRYPT_FAILED: 0x35,
  KEY_HANDLE_INVALID: 0x60,
  OBJECT_HANDLE_INVALID: 0x82,
  SESSION_CLOSED: 0xb0,
  SESSION_HANDLE_INVALID: 0xb3,
  TEMPLATE_INCONSISTENT: 0xd1,
  TOKEN_NOT_PRESENT: 0xe0,
  USER_ALREADY_LOGGED_IN: 0x100,
  USER_NOT_LOGGED_IN: 0x101,
  CRYPTOKI_NOT_INITIALIZED: 0x190,
} as const;

/**
 * Results of a single-part decryption that mean "this ciphertext is not authentic". SoftHSM
 * reports a failed GCM tag check as CKR_GENERAL_ERROR; other tokens use the specific codes.
 */
export const AUTHENTICATION_FAILURES: ReadonlySet<number> = new Set([
  CKR.GENERAL_ERROR,
  CKR.ENCRYPTED_DATA_INVALID,
  CKR.ENCRYPTED_DATA_LEN_RANGE,
  CKR.AEAD_DECRYPT_FAILED,
]);

/** Results meaning the token, the session or the login is gone rather than the request being wrong. */
const UNAVAILABLE: ReadonlySet<number> = new Set([
  CKR.DEVICE_ERROR,
  CKR.DEVICE_MEMORY,
  CKR.DEVICE_REMOVED,
  CKR.SESSION_CLOSED,
  CKR.SESSION_HANDLE_INVALID,
  CKR.TOKEN_NOT_PRESENT,
  CKR.USER_NOT_LOGGED_IN,
  CKR.CRYPTOKI_NOT_INITIALIZED,
]);

/**
 * Drops what a failed token call left in OpenSSL's per-thread error queue. A software token such as
 * SoftHSM links libcrypto, and in a Node process its OpenSSL calls resolve to Node's own OpenSSL,
 * so a failed C_UnwrapKey leaves errors in the queue that Node shares; Node's PKCS#8 and SPKI
 * decoders then fail on them ("cipher operation failed") on a later, unrelated call. Node has no
 * call for ERR_clear_error; a synchronous randomBytes clears the queue on return (its entropy
 * check does), which the integration tests check.
 */
function discardOpenSslErrors(): void {
  randomBytes(1);
}

/**
 * The CK_RV carried by a pkcs11js error, if the error came from the token. Every adapter path that
 * catches a token failure passes it here, so this is also where OpenSSL's error queue is cleared.
 */
export function pkcs11Code(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  if (typeof code !== 'number') return undefined;
  discardOpenSslErrors();
  return code;
}

/**
 * `call`'s result, or undefined when the token refuses it with `expected`: for a call made in order
 * to be refused (the check that a wrapping key enforces its unwrap template, at every token open).
 * The refusal is raised without a stack trace. pkcs11js reads each error's `stack` for its CK_RV,
 * and under `--enable-source-maps` (as deployed) the first stack trace of a process makes Node
 * parse the bundle's whole source map: some 100 ms of CPU at each cold start of the front, with
 * a heap that slows every collection after it (`npm run cold-start`), for an error nobody sees.
 * The check itself is unchanged. Any other failure is thrown with the stack of this call.
 */
export function refusedWith<T>(expected: number, call: () => T): T | undefined {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return call();
  } catch (error) {
    if (pkcs11Code(error) === expected) return undefined;
    Error.stackTraceLimit = limit;
    if (error instanceof Error) Error.captureStackTrace(error, refusedWith);
    throw error;
  } finally {
    Error.stackTraceLimit = limit;
  }
}

/** Turns a token failure into a KMS exception; errors that already are KMS exceptions pass through. */
export function toKmsError(error: unknown): ServiceError {
  if (error instanceof ServiceError) return error;
  const code = pkcs11Code(error);
  if (code !== undefined && UNAVAILABLE.has(code)) {
    return new KeyUnavailableException(say('keyMaterialUnavailable'));
  }
  return new KMSInternalException(say('internalError'));
}
