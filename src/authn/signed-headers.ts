/**
 * Which headers a request must have signed. A header the service acts on but the signature does
 * not cover could be changed by anyone who captured the request: `X-Amz-Target` chooses the
 * operation, `X-Amz-Content-Sha256` the payload hash, `X-Amz-Security-Token` the session.
 */
import { needs } from '../core/errors/service-error.js';
import { InvalidSignatureException } from '../models/kms/generated/errors.js';
import { sayAuthn } from './messages.js';

export interface SignedHeaderRule {
  /** Lower-case header name as it appears in `SignedHeaders`. */
  readonly header: string;
  /** How AWS's message names it. */
  readonly display: string;
  /** `always`: must be signed even when absent; `when-present`: must be signed if the request carries it. */
  readonly required: 'always' | 'when-present';
}

/**
 * `X-Amz-Target` need only be signed when present: a request without it names no operation and
 * is answered `UnknownOperationException`, as AWS answers it.
 */
export const SIGNED_HEADER_RULES: readonly SignedHeaderRule[] = [
  { header: 'host', display: "'Host' or ':authority'", required: 'always' },
  { header: 'x-amz-date', display: "'X-Amz-Date'", required: 'always' },
  { header: 'x-amz-target', display: "'X-Amz-Target'", required: 'when-present' },
  { header: 'x-amz-content-sha256', display: "'X-Amz-Content-Sha256'", required: 'when-present' },
  { header: 'x-amz-security-token', display: "'X-Amz-Security-Token'", required: 'when-present' },
];

/**
 * Throws InvalidSignatureException, in the words AWS uses for an unsigned Host header, for the
 * first rule the request breaks.
 */
export function assertRequiredHeadersSigned(
  signedHeaders: ReadonlySet<string>,
  headers: Readonly<Record<string, string>>,
): void {
  for (const rule of SIGNED_HEADER_RULES) {
    const mustBeSigned = rule.required === 'always' || Object.hasOwn(headers, rule.header);
    /* Precondition: every header the service acts on is covered by the signature. */
    needs(
      !mustBeSigned || signedHeaders.has(rule.header),
      () => sayAuthn('headerMustBeSigned', { header: rule.display }),
      InvalidSignatureException,
    );
  }
}
