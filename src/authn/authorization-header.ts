/**
 * Parses the SigV4 `Authorization` header and the credential scope, with the errors AWS answers
 * when a part is missing or malformed.
 */
import { needs } from '../core/errors/service-error.js';
import { IncompleteSignatureException, InvalidSignatureException } from '../models/kms/generated/errors.js';
import { sayAuthn } from './messages.js';

export const SIGV4_ALGORITHM = 'AWS4-HMAC-SHA256';
/**
 * A Region name as AWS writes them (`us-east-1`, `us-gov-west-1`, `eu-isoe-west-1`), bounded so
 * that no scope can name a Region longer than any key or ARN built from it may be.
 */
const REGION = /^[a-z]{2}(-[a-z]{2,10}){1,2}-\d{1,2}$/;

export interface ParsedAuthorization {
  readonly accessKeyId: string;
  /** `YYYYMMDD` from the credential scope. */
  readonly scopeDate: string;
  readonly region: string;
  readonly service: string;
  readonly signedHeaders: readonly string[];
  readonly signature: string;
}

/** Parses `AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/kms/aws4_request, SignedHeaders=a;b, Signature=hex`. */
export function parseAuthorizationHeader(header: string, hasDateHeader: boolean, expectedService = 'kms'): ParsedAuthorization {
  const trimmed = header.trim();
  const space = trimmed.indexOf(' ');
  const algorithm = space === -1 ? trimmed : trimmed.slice(0, space);
  if (algorithm !== SIGV4_ALGORITHM) {
    throw new IncompleteSignatureException(sayAuthn('unsupportedAlgorithm', { algorithm }));
  }
  const fields = new Map<string, string>();
  for (const part of space === -1 ? [] : trimmed.slice(space + 1).split(',')) {
    const field = part.trim();
    if (field === '') continue;
    const eq = field.indexOf('=');
    /* Precondition: every part of the Authorization header after the algorithm is a key=value pair. */
    needs(
      eq !== -1,
      () => sayAuthn('notKeyValuePair', { field, authorization: trimmed }),
      IncompleteSignatureException,
    );
    fields.set(field.slice(0, eq).trim(), field.slice(eq + 1).trim());
  }
  const missing: string[] = [];
  for (const name of ['Credential', 'Signature', 'SignedHeaders']) {
    if (!fields.get(name)) missing.push(sayAuthn('authorizationRequiresParameter', { parameter: name }));
  }
  if (!hasDateHeader) missing.push(sayAuthn('authorizationRequiresDate'));
  if (missing.length > 0) throw new IncompleteSignatureException(sayAuthn('authorizationIncomplete', { missing: missing.join(' '), authorization: trimmed }));

  const credential = fields.get('Credential') ?? '';
  const scope = credential.split('/');
  /* Precondition: the credential is access key ID, date, Region, service and terminator. */
  needs(
    scope.length === 5 && scope.every((part) => part !== ''),
    () => sayAuthn('credentialElements', { credential }),
    IncompleteSignatureException,
  );
  const [accessKeyId = '', scopeDate = '', region = '', service = '', terminator = ''] = scope;
  if (terminator !== 'aws4_request') {
    throw new InvalidSignatureException(sayAuthn('credentialTerminator', { terminator }));
  }
  if (service !== expectedService) {
    throw new InvalidSignatureException(sayAuthn('credentialService', { service: expectedService }));
  }
  if (!REGION.test(region)) {
    throw new InvalidSignatureException(sayAuthn('credentialRegion', { region }));
  }
  const signature = fields.get('Signature') ?? '';
  return {
    accessKeyId,
    scopeDate,
    region,
    service,
    signedHeaders: (fields.get('SignedHeaders') ?? '').split(';').map((name) => name.trim().toLowerCase()),
    signature,
  };
}
