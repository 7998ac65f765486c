/**
 * The Query-protocol error for any error of the pipeline. IAM and STS errors go out as they are;
 * the errors SigV4 verification and the table raise (KMS's, shared by every service) become the
 * codes IAM and STS answer for the same conditions.
 */
import { ServiceError } from '../../core/errors/service-error.js';
import { ERROR_CLASSES as IAM_ERRORS } from '../../models/iam/generated/errors.js';
import { ERROR_CLASSES as STS_ERRORS } from '../../models/sts/generated/errors.js';

const QUERY_ERROR_CLASSES = new Set<unknown>([...Object.values(IAM_ERRORS), ...Object.values(STS_ERRORS)]);

export interface QueryError {
  readonly code: string;
  readonly status: number;
  readonly sender: boolean;
  readonly message: string;
}

/** KMS (AWS JSON) error name → the Query service's code and status, with the message kept unless replaced. */
export const SHARED_ERROR_CODES: Readonly<Record<string, { readonly code: string; readonly status: number; readonly message?: string }>> = {
  MissingAuthenticationTokenException: { code: 'MissingAuthenticationToken', status: 403, message: 'Request is missing Authentication Token' },
  IncompleteSignatureException: { code: 'IncompleteSignature', status: 400 },
  InvalidSignatureException: { code: 'SignatureDoesNotMatch', status: 403 },
  UnrecognizedClientException: { code: 'InvalidClientTokenId', status: 403 },
  ExpiredTokenException: { code: 'ExpiredToken', status: 403 },
  AccessDeniedException: { code: 'AccessDenied', status: 403 },
  ValidationException: { code: 'ValidationError', status: 400 },
  DependencyTimeoutException: { code: 'ServiceUnavailable', status: 503, message: 'Service is unable to handle request.' },
  KMSInternalException: { code: 'ServiceFailure', status: 500, message: 'The request processing has failed because of an unknown error, exception or failure.' },
  ConflictException: { code: 'ConcurrentModification', status: 409 },
};

const INTERNAL: QueryError = {
  code: 'ServiceFailure', status: 500, sender: false,
  message: 'The request processing has failed because of an unknown error, exception or failure.',
};

/** `error` as the Query service answers it; anything not a ServiceError is an internal failure. */
export function queryErrorOf(error: unknown): QueryError {
  if (!(error instanceof ServiceError)) return INTERNAL;
  // IAM's and STS's own errors carry their wire code as name.
  if (QUERY_ERROR_CLASSES.has(error.constructor)) return { code: error.name, status: error.httpStatus, sender: error.$fault === 'client', message: error.message };
  const shared = SHARED_ERROR_CODES[error.name];
  if (shared !== undefined) return { code: shared.code, status: shared.status, sender: shared.status < 500, message: shared.message ?? error.message };
  // A KMS-only error has no meaning for IAM or STS.
  return INTERNAL;
}
