/**
 * Every wire message of request authentication (SigV4), each written once with the exception
 * that carries it and where its wording comes from; the same for AWS KMS, IAM and STS, as AWS's
 * own front end answers them all alike. `{name}` marks a placeholder; {@link sayAuthn} fills them.
 *
 * Templates whose source is `ours` are listed in docs/differences-from-aws-kms.md; the
 * wire-conformance suite (test/conformance) exercises every one.
 */
import { speaker, type MessageTemplate, type WordingSource } from '../core/errors/message-templates.js';

const quoted = (where: string): WordingSource => ({ aws: `AWS answer quoted in ${where}` });
/** The recorded answer that lists what an Authorization header lacks. */
const INCOMPLETE_AUTHORIZATION = quoted('github.com/aws/chalice/issues/828 and github.com/nordcloud/cognitocurl/issues/28');

export const AUTHN_MESSAGES = {
  missingAuthenticationToken: {
    exception: 'MissingAuthenticationTokenException', text: 'Missing Authentication Token',
    source: { aws: 'AWS API Reference, Common Errors: MissingAuthenticationToken' },
  },
  unsupportedAlgorithm: {
    exception: 'IncompleteSignatureException', text: "Unsupported AWS 'algorithm': '{algorithm}'",
    source: { ours: 'No public recording of an Authorization header with another algorithm than AWS4-HMAC-SHA256.' },
  },
  notKeyValuePair: {
    exception: 'IncompleteSignatureException', text: "'{field}' not a valid key=value pair (missing equal-sign) in Authorization header: '{authorization}'.",
    source: quoted('github.com/AstronomyAPI/Samples/issues/20 and github.com/mcguinness/node-lambda-oauth2-jwt-authorizer/issues/1'),
  },
  /** A part of {@link AUTHN_MESSAGES.authorizationIncomplete}: one per missing parameter. */
  authorizationRequiresParameter: {
    exception: 'IncompleteSignatureException', text: "Authorization header requires '{parameter}' parameter.",
    source: INCOMPLETE_AUTHORIZATION,
  },
  /** A part of {@link AUTHN_MESSAGES.authorizationIncomplete}. */
  authorizationRequiresDate: {
    exception: 'IncompleteSignatureException', text: "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.",
    source: INCOMPLETE_AUTHORIZATION,
  },
  authorizationIncomplete: {
    exception: 'IncompleteSignatureException', text: '{missing} Authorization={authorization}',
    source: INCOMPLETE_AUTHORIZATION,
  },
  credentialElements: {
    exception: 'IncompleteSignatureException', text: "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '{credential}'",
    source: { ours: 'No public recording of a credential scope with another number of elements.' },
  },
  credentialTerminator: {
    exception: 'InvalidSignatureException', text: "Credential should be scoped with a valid terminator: 'aws4_request', not '{terminator}'.",
    source: { ours: 'No public recording of a credential scope with another terminator.' },
  },
  credentialService: {
    exception: 'InvalidSignatureException', text: "Credential should be scoped to correct service: '{service}'. ",
    source: { ours: 'Worded as the recorded Region answer (github.com/joona/aws-es-curl/issues/15); no public recording for the service.' },
  },
  credentialRegion: {
    exception: 'InvalidSignatureException', text: "Credential should be scoped to a valid region, not '{region}'. ",
    source: quoted('github.com/joona/aws-es-curl/issues/15 and github.com/aws/aws-sdk-ruby/issues/508'),
  },
  dateHeaderNotSupported: {
    exception: 'IncompleteSignatureException', text: "This service requires the timestamp of a signed request in the 'X-Amz-Date' header; the 'Date' header is not supported.",
    source: { ours: "AWS also accepts the Date header's timestamp; this service does not read it." },
  },
  amzDateFormat: {
    exception: 'IncompleteSignatureException', text: "Date must be in ISO-8601 'basic format'. Got '{amzDate}'. See http://en.wikipedia.org/wiki/ISO_8601",
    source: { ours: 'No public recording of an X-Amz-Date in another format.' },
  },
  scopeDateMismatch: {
    exception: 'InvalidSignatureException',
    text: "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '{scopeDate}' != '{dateStamp}', from '{amzDate}'.",
    source: { ours: 'No public recording of a credential scope dated another day than X-Amz-Date.' },
  },
  signatureExpired: {
    exception: 'InvalidSignatureException', text: 'Signature expired: {amzDate} is now earlier than {earliest} ({now} - 15 min.)',
    source: quoted('github.com/aws/aws-sdk-js/issues/254 (KMS and DynamoDB allow 15 minutes; other services 5)'),
  },
  signatureNotYetCurrent: {
    exception: 'InvalidSignatureException', text: 'Signature not yet current: {amzDate} is still later than {latest} ({now} + 15 min.)',
    source: quoted('github.com/basak/glacier-cli/issues/36 and github.com/s12v/awsbeats/issues/48 (with 5 min.)'),
  },
  headerMustBeSigned: {
    exception: 'InvalidSignatureException', text: "{header} must be a 'SignedHeader' in the AWS Authorization.",
    source: { aws: "AWS's answer when Host is not signed ('Host' or ':authority'), quoted in github.com/aws/aws-sdk-php/issues/2469 and github.com/opensearch-project/opensearch-php/issues/248; the same words for the other headers this service requires signed" },
  },
  invalidSecurityToken: {
    exception: 'UnrecognizedClientException', text: 'The security token included in the request is invalid.',
    source: { aws: 'AWS API Reference, Common Errors: UnrecognizedClientException (400)' },
  },
  expiredSecurityToken: {
    exception: 'ExpiredTokenException', text: 'The security token included in the request is expired',
    source: { ours: 'No public recording of the message with expired temporary credentials was found; AWS API Reference, Common Errors, names ExpiredTokenException.' },
  },
  payloadHashMismatch: {
    exception: 'InvalidSignatureException', text: "The provided 'x-amz-content-sha256' header does not match what was computed.",
    source: { ours: "Amazon S3's wording (XAmzContentSHA256Mismatch); no public recording from AWS KMS." },
  },
  signatureMismatch: {
    exception: 'InvalidSignatureException',
    text: 'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
    source: quoted('github.com/smithy545/aws-apps-scripts/issues/12 (an AWS JSON 1.1 answer, `__type` InvalidSignatureException) and github.com/schickling/chromeless/issues/39'),
  },
} as const satisfies Record<string, MessageTemplate>;

export type AuthnMessageName = keyof typeof AUTHN_MESSAGES;

/** The authentication message `name` with its placeholders filled in. */
export const sayAuthn = speaker(AUTHN_MESSAGES);
