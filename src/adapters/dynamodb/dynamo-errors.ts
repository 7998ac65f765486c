/**
 * Turns DynamoDB SDK failures into KMS exceptions. Only errors that mean something to a KMS
 * caller are translated specifically (by the store); the rest become one of two opaque
 * exceptions, so table names, key attributes and SDK messages never reach the wire. The original
 * error stays available as `cause` for server-side logs (the wire body only carries `message`).
 */
import type { CancellationReason } from '@aws-sdk/client-dynamodb';
import { ConflictException, DependencyTimeoutException, KMSInternalException } from '../../models/kms/generated/errors.js';
import { ServiceError } from '../../core/errors/service-error.js';
import { say } from '../../core/kms/messages.js';

const THROTTLING = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'Throttling',
  'RequestLimitExceeded',
  'TooManyRequestsException',
  // Reason codes inside TransactionCanceledException.
  'ThrottlingError',
  'ProvisionedThroughputExceeded',
]);

const TIMEOUTS = new Set(['TimeoutError', 'RequestTimeout', 'RequestTimeoutException', 'ServiceUnavailable']);
const TIMEOUT_CODES = new Set(['ETIMEDOUT', 'ESOCKETTIMEDOUT']);


/** The KMS exception for a failure the store has no specific meaning for. */
export function toKmsError(error: unknown): ServiceError {
  if (error instanceof ServiceError) return error;
  const exception = isTransient(error)
    ? new DependencyTimeoutException(say('storeBusy'))
    : new KMSInternalException(say('internalError'));
  return withCause(exception, error);
}

/** Throttling or a timeout: the caller may retry once the table has capacity again. */
export function isTransient(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { name, code, $retryable } = error as { name?: unknown; code?: unknown; $retryable?: { throttling?: boolean } };
  if (typeof name === 'string' && (THROTTLING.has(name) || TIMEOUTS.has(name))) return true;
  if (typeof code === 'string' && TIMEOUT_CODES.has(code)) return true;
  return $retryable?.throttling === true;
}

export function isErrorNamed(error: unknown, name: string): boolean {
  return typeof error === 'object' && error !== null && (error as { name?: unknown }).name === name;
}

/**
 * The per-item reasons of a cancelled transaction, in TransactItems order, or undefined when the
 * error is not a cancellation. Falls back to the bracketed list in the message, which is all some
 * DynamoDB implementations send.
 */
export function cancellationReasons(error: unknown): readonly CancellationReason[] | undefined {
  if (!isErrorNamed(error, 'TransactionCanceledException')) return undefined;
  const { CancellationReasons: reasons, message } = error as { CancellationReasons?: CancellationReason[]; message?: string };
  if (reasons !== undefined && reasons.length > 0) return reasons;
  const listed = /\[([A-Za-z, ]+)\]/.exec(message ?? '')?.[1];
  return listed?.split(',').map((code) => ({ Code: code.trim() }));
}

/**
 * Maps a failed TransactWriteItems: `explain` turns the per-item reasons (in TransactItems order)
 * into a KMS exception, or returns undefined for the generic mapping.
 */
export function transactionError(error: unknown, explain: (reasons: readonly CancellationReason[]) => ServiceError | undefined): ServiceError {
  const reasons = cancellationReasons(error);
  if (reasons === undefined) return toKmsError(error);
  const explained = explain(reasons);
  if (explained !== undefined) return withCause(explained, error);
  if (reasons.some((reason) => reason.Code === 'TransactionConflict')) {
    return withCause(new ConflictException(say('concurrentChange')), error);
  }
  return cancellationError(error, reasons);
}

/** The KMS exception for a cancellation that no item-specific rule explained. */
function cancellationError(error: unknown, reasons: readonly CancellationReason[]): ServiceError {
  const transient = reasons.some((reason) => reason.Code !== undefined && THROTTLING.has(reason.Code));
  return transient
    ? withCause(new DependencyTimeoutException(say('storeBusy')), error)
    : withCause(new KMSInternalException(say('internalError')), error);
}

export function withCause<E extends Error>(exception: E, cause: unknown): E {
  // Non-enumerable, like a native `cause`, so serializers that walk own properties skip it.
  Object.defineProperty(exception, 'cause', { value: cause, enumerable: false, configurable: true, writable: true });
  return exception;
}
