/**
 * The wire-conformance table: a request and what AWS KMS was recorded answering to it (HTTP
 * status, `__type`, the exact `message` or its absence, the response members), each case naming
 * its source. Expected messages are written out here, never built from src/core/kms/messages.ts,
 * so a template that drifts from AWS's wording fails the suite.
 *
 * `template` names the message template the answer comes from; `ours` marks an answer whose
 * wording is this service's own (listed in docs/differences-from-aws-kms.md).
 */
import type { AuthnMessageName } from '../../src/authn/messages.js';
import type { RawRequest } from '../e2e/support/raw-request.js';
import type { PolicyMessageName } from '../../src/core/authz/messages.js';
import type { IamMessageName } from '../../src/core/iam/messages.js';
import type { ConstraintMessageName } from '../../src/core/errors/constraint-messages.js';
import type { MessageName } from '../../src/core/kms/messages.js';

/** A template of one of the messages modules (KMS, authentication, the policy grammar, IAM and STS). */
export type WireMessageName = MessageName | AuthnMessageName | PolicyMessageName | IamMessageName | ConstraintMessageName;

/** The keys and values every case may use; made once by the suite against the real server. */
export interface Fixtures {
  readonly accountId: string;
  readonly region: string;
  readonly otherRegion: string;
  readonly symmetric: FixtureKey;
  readonly disabled: FixtureKey;
  readonly hmac256: FixtureKey;
  readonly rsaEncrypt: FixtureKey;
  readonly rsaSign: FixtureKey;
  readonly eccSign: FixtureKey;
  readonly eccAgreement: FixtureKey;
  readonly mlDsa: FixtureKey;
  readonly ed25519: FixtureKey;
  /** A key in `otherRegion`. */
  readonly elsewhere: FixtureKey;
  /** An alias of `symmetric`. */
  readonly aliasName: string;
  /** base64 ciphertext of `symmetric` under the encryption context `{ app: 'billing' }`. */
  readonly ciphertext: string;
  /** base64 RSASSA_PSS_SHA_256 signature of `rsaSign` over the message `hello`. */
  readonly rsaSignature: string;
  /** base64 DER public key of `eccAgreement`. */
  readonly eccPublicKey: string;
}

export interface FixtureKey {
  readonly keyId: string;
  readonly arn: string;
}

export interface ExpectedAnswer {
  readonly status: number;
  /** `__type` of an error; absent for a success. */
  readonly type?: string;
  /** The exact message, a pattern for it, or `null` when AWS's answer has no `message` member. */
  readonly message?: string | RegExp | null;
  /** The exact set of top-level members of a successful answer. */
  readonly members?: readonly string[];
}

/** A request the suite signs and sends as raw AWS JSON 1.1. */
export interface WireRequest {
  readonly operation: string;
  readonly body: Record<string, unknown>;
}

/**
 * Sent as raw HTTP with changed headers; the suite signs it first unless `unsigned`. The Region,
 * service, signing date, extra headers and edits after signing are sendRaw's own options.
 */
export interface HeaderRequest extends Pick<RawRequest, 'region' | 'service' | 'signingDate' | 'headers' | 'editAuthorization' | 'editHeaders'> {
  readonly kind: 'headers';
  readonly target: string;
  readonly unsigned?: boolean;
  readonly accessKeyId?: string;
}

export interface WireCase {
  readonly name: string;
  /** Where AWS's answer is recorded. */
  readonly source: string;
  readonly template?: WireMessageName;
  /** Templates the message is made of, besides `template` (parts joined into one message). */
  readonly parts?: readonly WireMessageName[];
  /** The wording is this service's own (no public source gives AWS's). */
  readonly ours?: true;
  readonly request: (f: Fixtures) => WireRequest | HeaderRequest;
  readonly expect: (f: Fixtures) => ExpectedAnswer;
}

/** An Authorization header written out in full, in place of the signed one. */
const writtenAuthorization = (authorization: string) => (): HeaderRequest => ({ kind: 'headers', target: 'TrentService.ListKeys', editAuthorization: () => authorization });
const SCOPE = 'AKIAIOSFODNN7EXAMPLE/20260101/us-east-1/kms/aws4_request';
/** Headers as sent, changed after signing. */
const editedHeaders = (edit: (headers: Record<string, string>) => Record<string, string>) => (): HeaderRequest => ({ kind: 'headers', target: 'TrentService.ListKeys', editHeaders: edit });
const HOUR_MS = 3_600_000;
const AMZ_DATE = String.raw`\d{8}T\d{6}Z`;

/** Authentication: what AWS's front end answers for each flaw of a signed request, worded in src/authn/messages.ts. */
const AUTHENTICATION_CASES: readonly WireCase[] = [
  {
    name: 'an Authorization header with another algorithm',
    source: 'this service',
    template: 'unsupportedAlgorithm',
    ours: true,
    request: writtenAuthorization(`AWS4-HMAC-SHA512 Credential=${SCOPE}, SignedHeaders=host, Signature=abc`),
    expect: () => ({ status: 400, type: 'IncompleteSignatureException', message: "Unsupported AWS 'algorithm': 'AWS4-HMAC-SHA512'" }),
  },
  {
    name: 'an Authorization header with a part that is not key=value',
    source: 'AWS answers quoted in github.com/AstronomyAPI/Samples/issues/20 and github.com/mcguinness/node-lambda-oauth2-jwt-authorizer/issues/1',
    template: 'notKeyValuePair',
    request: writtenAuthorization(`AWS4-HMAC-SHA256 Credential=${SCOPE}, junk, SignedHeaders=host, Signature=abc`),
    expect: () => ({
      status: 400, type: 'IncompleteSignatureException',
      message: `'junk' not a valid key=value pair (missing equal-sign) in Authorization header: 'AWS4-HMAC-SHA256 Credential=${SCOPE}, junk, SignedHeaders=host, Signature=abc'.`,
    }),
  },
  {
    name: 'an Authorization header without Signature and SignedHeaders',
    source: 'AWS answers quoted in github.com/aws/chalice/issues/828 and github.com/nordcloud/cognitocurl/issues/28',
    template: 'authorizationIncomplete',
    parts: ['authorizationRequiresParameter'],
    request: writtenAuthorization(`AWS4-HMAC-SHA256 Credential=${SCOPE}`),
    expect: () => ({
      status: 400, type: 'IncompleteSignatureException',
      message: `Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization=AWS4-HMAC-SHA256 Credential=${SCOPE}`,
    }),
  },
  {
    name: 'an Authorization header that is a bearer token, without X-Amz-Date',
    source: 'this service',
    template: 'unsupportedAlgorithm',
    ours: true,
    request: () => ({ kind: 'headers', target: 'TrentService.ListKeys', editHeaders: ({ 'x-amz-date': _date, ...rest }) => ({ ...rest, authorization: 'Bearer eyJ0eXAi' }) }),
    expect: () => ({ status: 400, type: 'IncompleteSignatureException', message: "Unsupported AWS 'algorithm': 'Bearer'" }),
  },
  {
    name: 'a SigV4 Authorization header without any parameter nor X-Amz-Date',
    source: 'AWS answers quoted in github.com/aws/chalice/issues/828 and github.com/nordcloud/cognitocurl/issues/28',
    template: 'authorizationIncomplete',
    parts: ['authorizationRequiresParameter', 'authorizationRequiresDate'],
    request: () => ({ kind: 'headers', target: 'TrentService.ListKeys', editHeaders: ({ 'x-amz-date': _date, ...rest }) => ({ ...rest, authorization: 'AWS4-HMAC-SHA256' }) }),
    expect: () => ({
      status: 400, type: 'IncompleteSignatureException',
      message: "Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. "
        + "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=AWS4-HMAC-SHA256",
    }),
  },
  {
    name: 'a credential scope of four elements',
    source: 'this service',
    template: 'credentialElements',
    ours: true,
    request: writtenAuthorization('AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20260101/us-east-1/kms, SignedHeaders=host, Signature=abc'),
    expect: () => ({
      status: 400, type: 'IncompleteSignatureException',
      message: "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got 'AKIAIOSFODNN7EXAMPLE/20260101/us-east-1/kms'",
    }),
  },
  {
    name: 'a credential scope with another terminator',
    source: 'this service',
    template: 'credentialTerminator',
    ours: true,
    request: writtenAuthorization('AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20260101/us-east-1/kms/aws5_request, SignedHeaders=host, Signature=abc'),
    expect: () => ({ status: 400, type: 'InvalidSignatureException', message: "Credential should be scoped with a valid terminator: 'aws4_request', not 'aws5_request'." }),
  },
  {
    name: 'a request signed for another service',
    source: 'this service',
    template: 'credentialService',
    ours: true,
    request: () => ({ kind: 'headers', target: 'TrentService.ListKeys', service: 'sqs' }),
    expect: () => ({ status: 400, type: 'InvalidSignatureException', message: "Credential should be scoped to correct service: 'kms'. " }),
  },
  {
    name: 'a credential scope naming no Region',
    source: 'AWS answers quoted in github.com/joona/aws-es-curl/issues/15 and github.com/aws/aws-sdk-ruby/issues/508',
    template: 'credentialRegion',
    request: writtenAuthorization('AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20260101/nowhere/kms/aws4_request, SignedHeaders=host, Signature=abc'),
    expect: () => ({ status: 400, type: 'InvalidSignatureException', message: "Credential should be scoped to a valid region, not 'nowhere'. " }),
  },
  {
    name: 'a request dated by the Date header instead of X-Amz-Date',
    source: 'this service',
    template: 'dateHeaderNotSupported',
    ours: true,
    request: editedHeaders(({ 'x-amz-date': _date, ...rest }) => ({ ...rest, date: 'Thu, 01 Jan 2026 00:00:00 GMT' })),
    expect: () => ({
      status: 400, type: 'IncompleteSignatureException',
      message: "This service requires the timestamp of a signed request in the 'X-Amz-Date' header; the 'Date' header is not supported.",
    }),
  },
  {
    name: 'an X-Amz-Date in extended ISO 8601 format',
    source: 'this service',
    template: 'amzDateFormat',
    ours: true,
    request: editedHeaders((headers) => ({ ...headers, 'x-amz-date': '2026-01-01T00:00:00Z' })),
    expect: () => ({ status: 400, type: 'IncompleteSignatureException', message: "Date must be in ISO-8601 'basic format'. Got '2026-01-01T00:00:00Z'. See http://en.wikipedia.org/wiki/ISO_8601" }),
  },
  {
    name: 'a credential scope dated another day than X-Amz-Date',
    source: 'this service',
    template: 'scopeDateMismatch',
    ours: true,
    request: () => ({
      kind: 'headers', target: 'TrentService.ListKeys',
      editAuthorization: () => `AWS4-HMAC-SHA256 Credential=${SCOPE}, SignedHeaders=host;x-amz-date, Signature=abc`,
      editHeaders: (headers) => ({ ...headers, 'x-amz-date': '20260102T000000Z' }),
    }),
    expect: () => ({
      status: 400, type: 'InvalidSignatureException',
      message: "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20260101' != '20260102', from '20260102T000000Z'.",
    }),
  },
  {
    name: 'a request signed an hour ago',
    source: 'AWS answer quoted in github.com/aws/aws-sdk-js/issues/254',
    template: 'signatureExpired',
    request: () => ({ kind: 'headers', target: 'TrentService.ListKeys', signingDate: new Date(Date.now() - HOUR_MS) }),
    expect: () => ({ status: 400, type: 'InvalidSignatureException', message: new RegExp(String.raw`^Signature expired: ${AMZ_DATE} is now earlier than ${AMZ_DATE} \(${AMZ_DATE} - 15 min\.\)$`) }),
  },
  {
    name: 'a request signed an hour ahead',
    source: 'AWS answers quoted in github.com/basak/glacier-cli/issues/36 and github.com/s12v/awsbeats/issues/48',
    template: 'signatureNotYetCurrent',
    request: () => ({ kind: 'headers', target: 'TrentService.ListKeys', signingDate: new Date(Date.now() + HOUR_MS) }),
    expect: () => ({ status: 400, type: 'InvalidSignatureException', message: new RegExp(String.raw`^Signature not yet current: ${AMZ_DATE} is still later than ${AMZ_DATE} \(${AMZ_DATE} \+ 15 min\.\)$`) }),
  },
  {
    name: 'a signature that does not cover Host',
    source: 'AWS answers quoted in github.com/aws/aws-sdk-php/issues/2469 and github.com/opensearch-project/opensearch-php/issues/248',
    template: 'headerMustBeSigned',
    request: () => ({ kind: 'headers', target: 'TrentService.ListKeys', editAuthorization: (authorization) => authorization.replace(/SignedHeaders=([^,]*)/, (_, list: string) => `SignedHeaders=${list.split(';').filter((name) => name !== 'host').join(';')}`) }),
    expect: () => ({ status: 400, type: 'InvalidSignatureException', message: "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization." }),
  },
  {
    name: 'a declared payload hash that is not the hash of the body',
    source: 'this service',
    template: 'payloadHashMismatch',
    ours: true,
    request: () => ({ kind: 'headers', target: 'TrentService.ListKeys', headers: { 'x-amz-content-sha256': '0'.repeat(64) } }),
    expect: () => ({ status: 400, type: 'InvalidSignatureException', message: "The provided 'x-amz-content-sha256' header does not match what was computed." }),
  },
  {
    name: 'a signature that is not the one computed',
    source: 'AWS answers quoted in github.com/smithy545/aws-apps-scripts/issues/12 and github.com/schickling/chromeless/issues/39',
    template: 'signatureMismatch',
    request: () => ({ kind: 'headers', target: 'TrentService.ListKeys', editAuthorization: (authorization) => authorization.replace(/Signature=(\w)/, (_, first: string) => `Signature=${first === '0' ? '1' : '0'}`) }),
    expect: () => ({
      status: 400, type: 'InvalidSignatureException',
      message: 'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
    }),
  },
];

const LS = 'LocalStack tests/aws/services/kms/test_kms.snapshot.json (recorded against AWS):';
const b64 = (text: string) => Buffer.from(text).toString('base64');
const bytes = (n: number) => Buffer.alloc(n, 7).toString('base64');
const tags = (n: number) => Array.from({ length: n }, (_, i) => ({ TagKey: `key${i}`, TagValue: `value${i}` }));

const root = (f: Fixtures) => `arn:aws:iam::${f.accountId}:root`;
const grant = (f: Fixtures, keyId: string, changes: Record<string, unknown> = {}): WireRequest =>
  ({ operation: 'CreateGrant', body: { KeyId: keyId, GranteePrincipal: root(f), Operations: ['Decrypt'], ...changes } });
const escaped = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Key policies, grants, deletion and the key specs a Region offers. */
const POLICY_AND_GRANT_CASES: readonly WireCase[] = [
  {
    name: 'CreateKey with an SM2 key spec outside the China Regions',
    source: `${LS} test_invalid_generate_mac[HMAC_256-INVALID] (the enum wording; SM2 is in the model only for the China Regions)`,
    template: 'constraintSummary',
    parts: ['constraintViolation', 'mustBeInEnum'],
    request: () => ({ operation: 'CreateKey', body: { KeySpec: 'SM2', KeyUsage: 'SIGN_VERIFY' } }),
    expect: () => ({ status: 400, type: 'ValidationException', message: /^1 validation error detected: Value 'SM2' at 'keySpec' failed to satisfy constraint: Member must satisfy enum value set: \[.*RSA_2048.*\]$/ }),
  },
  {
    name: 'CreateAlias with a name that is taken',
    source: "AWS answers quoted in public Terraform troubleshooting notes ('AlreadyExistsException: An alias with the name arn:aws:kms:eu-west-1:…:alias/… already exists')",
    template: 'aliasAlreadyExists',
    request: (f) => ({ operation: 'CreateAlias', body: { AliasName: f.aliasName, TargetKeyId: f.symmetric.keyId } }),
    expect: (f) => ({ status: 400, type: 'AlreadyExistsException', message: `An alias with the name arn:aws:kms:${f.region}:${f.accountId}:${f.aliasName} already exists` }),
  },
  {
    name: 'PutKeyPolicy with a policy that locks the account out',
    source: 'hashicorp/terraform-provider-aws acceptance tests run against AWS (testAccKeyConfig_policyBypass)',
    template: 'policyLockout',
    request: (f) => ({
      operation: 'PutKeyPolicy',
      body: { KeyId: f.symmetric.keyId, Policy: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: root(f) }, Action: 'kms:Encrypt', Resource: '*' }] }) },
    }),
    expect: () => ({ status: 400, type: 'MalformedPolicyDocumentException', message: 'The new key policy will not allow you to update the key policy in the future.' }),
  },
  {
    name: 'CreateGrant for a grantee that is no principal ARN',
    source: "AWS KMS's message quoted inside AWS Lambda's CreateFunction error, in public tutorials and in aws/chalice's tests",
    template: 'grantPrincipalInvalid',
    request: (f) => grant(f, f.symmetric.keyId, { GranteePrincipal: 'bob' }),
    expect: () => ({ status: 400, type: 'InvalidArnException', message: 'ARN does not refer to a valid principal: bob' }),
  },
  {
    name: 'CreateGrant with a grant token not issued here',
    source: 'AWS KMS API Reference, InvalidGrantTokenException',
    template: 'invalidGrantToken',
    request: (f) => grant(f, f.symmetric.keyId, { GrantTokens: ['AQpAnotatoken'] }),
    expect: () => ({ status: 400, type: 'InvalidGrantTokenException', message: 'The request was rejected because the specified grant token is not valid.' }),
  },
  {
    name: 'RevokeGrant with a grant ID the key does not have',
    source: 'AWS KMS API Reference, InvalidGrantIdException',
    template: 'invalidGrantId',
    request: (f) => ({ operation: 'RevokeGrant', body: { KeyId: f.symmetric.keyId, GrantId: 'a'.repeat(64) } }),
    expect: () => ({ status: 400, type: 'InvalidGrantIdException', message: 'The request was rejected because the specified GrantId is not valid.' }),
  },
  ...([
    ['GetKeyPolicy with a policy name other than default', 'noSuchPolicy', 'NotFoundException',
      (f: Fixtures): WireRequest => ({ operation: 'GetKeyPolicy', body: { KeyId: f.symmetric.keyId, PolicyName: 'other' } }),
      () => 'No such policy exists'],
    ['CreateGrant without operations', 'grantNeedsOperation', 'ValidationException',
      (f: Fixtures) => grant(f, f.symmetric.keyId, { Operations: [] }),
      () => 'A grant must allow at least one operation.'],
    ['CreateGrant with an operation the key does not support', 'grantOperationsNotSupported', 'ValidationException',
      (f: Fixtures) => grant(f, f.hmac256.keyId, { Operations: ['Encrypt'] }),
      (f: Fixtures) => new RegExp(`^Grant operations \\[Encrypt\\] are not supported for ${escaped(f.hmac256.arn)}: it supports only \\[.*, GenerateMac, VerifyMac\\]\\.$`)],
    ['CreateGrant with constraints on an RSA key', 'grantConstraintsNotSymmetric', 'ValidationException',
      (f: Fixtures) => grant(f, f.rsaEncrypt.keyId, { Constraints: { EncryptionContextSubset: { app: 'billing' } } }),
      (f: Fixtures) => `Grant constraints are valid only for symmetric encryption KMS keys; ${f.rsaEncrypt.arn} is not one.`],
    ['CreateGrant with a constraint of 9 pairs', 'grantConstraintPairs', 'ValidationException',
      (f: Fixtures) => grant(f, f.symmetric.keyId, { Constraints: { EncryptionContextEquals: Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`k${i}`, 'v'])) } }),
      () => "The grant constraint 'encryptionContextEquals' has 9 encryption context pairs; the most it can have is 8."],
    ['CreateGrant with a constraint of 385 characters', 'grantConstraintCharacters', 'ValidationException',
      (f: Fixtures) => grant(f, f.symmetric.keyId, { Constraints: { EncryptionContextSubset: { k: 'v'.repeat(384) } } }),
      () => "The grant constraint 'encryptionContextSubset' has 385 characters of encryption context; the most it can have is 384."],
    ['RetireGrant with a key ID and no grant ID or token', 'retireGrantTarget', 'ValidationException',
      (f: Fixtures): WireRequest => ({ operation: 'RetireGrant', body: { KeyId: f.symmetric.arn } }),
      () => 'Either a grant token, or both a key ID and a grant ID, must be specified to identify the grant to retire.'],
    ['ScheduleKeyDeletion with a waiting period of 6 days', 'pendingWindow', 'ValidationException',
      (f: Fixtures): WireRequest => ({ operation: 'ScheduleKeyDeletion', body: { KeyId: f.disabled.keyId, PendingWindowInDays: 6 } }),
      () => 'PendingWindowInDays must be between 7 and 30'],
  ] as const).map(([name, template, type, request, message]): WireCase => ({
    name, source: 'this service', template, ours: true,
    request,
    expect: (f) => ({ status: 400, type, message: message(f) }),
  })),
];

const statementOf = (f: Fixtures, changes: Record<string, unknown> = {}) => ({ Effect: 'Allow', Principal: { AWS: root(f) }, Action: 'kms:*', Resource: '*', ...changes });
const policyOf = (...statements: unknown[]) => JSON.stringify({ Version: '2012-10-17', Statement: statements });
const AWS_POLICY_SOURCE = 'AWS answers quoted in public CloudFormation and Terraform logs';

/** The policy grammar, through PutKeyPolicy: worded in src/core/authz/messages.ts. */
const POLICY_GRAMMAR_CASES: readonly WireCase[] = ([
  ['a policy of 32,769 bytes', 'policyTooLarge', 'LimitExceededException', false,
    (f: Fixtures) => { const base = policyOf(statementOf(f, { Sid: '' })); return base.replace('"Sid":""', `"Sid":"${' '.repeat(32_769 - base.length)}"`); },
    () => 'The policy document is 32769 bytes, larger than the limit of 32768 bytes.'],
  ['a policy with a DEL character', 'policyCharacters', 'MalformedPolicyDocumentException', false,
    (f: Fixtures) => policyOf(statementOf(f, { Sid: '\u007f' })),
    () => 'The policy document contains characters that are not permitted: only printable Basic Latin and Latin-1 characters, tab, line feed and carriage return are.'],
  ['a policy that is not JSON', 'policyNotJson', 'MalformedPolicyDocumentException', false,
    () => '{"Version": "2012-10-17",}',
    () => /^The policy document is not valid JSON: .+\.$/],
  ['a policy that is a JSON list', 'policyNotObject', 'MalformedPolicyDocumentException', false,
    () => '[]', () => 'The policy document must be a JSON object.'],
  ['a policy with an unknown element', 'policyUnknownElement', 'MalformedPolicyDocumentException', false,
    (f: Fixtures) => JSON.stringify({ Version: '2012-10-17', Statement: [statementOf(f)], Extra: 1 }),
    () => 'The policy document has an unknown element: Extra.'],
  ['a policy of another Version', 'policyVersion', 'MalformedPolicyDocumentException', false,
    (f: Fixtures) => JSON.stringify({ Version: '2020-01-01', Statement: [statementOf(f)] }),
    () => 'The policy Version must be "2012-10-17" or "2008-10-17", not "2020-01-01".'],
  ['a policy whose Id is a number', 'policyId', 'MalformedPolicyDocumentException', false,
    (f: Fixtures) => JSON.stringify({ Version: '2012-10-17', Id: 1, Statement: [statementOf(f)] }),
    () => 'The policy Id must be a string.'],
  ['a policy without statements', 'policyNoStatement', 'MalformedPolicyDocumentException', false,
    () => policyOf(), () => 'The policy document must contain at least one statement.'],
  ['a statement that is a string', 'statementNotObject', 'MalformedPolicyDocumentException', false,
    () => policyOf('allow'), () => 'Statement 0 must be a JSON object.'],
  ['a statement with an unknown element', 'statementUnknownElement', 'MalformedPolicyDocumentException', false,
    (f: Fixtures) => policyOf(statementOf(f, { Extra: 1 })), () => 'Statement 0 has an unknown element: Extra.'],
  ['a Sid that is a number', 'sidNotString', 'MalformedPolicyDocumentException', false,
    (f: Fixtures) => policyOf(statementOf(f, { Sid: 1 })), () => 'The Sid of statement 0 must be a string.'],
  ['an Effect of Permit', 'effect', 'MalformedPolicyDocumentException', false,
    (f: Fixtures) => policyOf(statementOf(f, { Effect: 'Permit' })), () => 'The Effect of statement 0 must be "Allow" or "Deny".'],
  ['a statement with Action and NotAction', 'elementAndNotElement', 'MalformedPolicyDocumentException', false,
    (f: Fixtures) => policyOf(statementOf(f, { NotAction: 'kms:Decrypt' })), () => 'Statement 0 has both Action and NotAction; use one of them.'],
  ['a statement without a principal', 'noPrincipal', 'MalformedPolicyDocumentException', true,
    () => policyOf({ Effect: 'Allow', Action: 'kms:*', Resource: '*' }), () => 'Policy contains a statement with no principal.'],
  ['a principal of an unknown type', 'invalidPrincipals', 'MalformedPolicyDocumentException', true,
    (f: Fixtures) => policyOf(statementOf(f, { Principal: { Group: 'admins' } })), () => 'Policy contains a statement with one or more invalid principals.'],
  ['an Action that is an empty list', 'elementStrings', 'MalformedPolicyDocumentException', false,
    (f: Fixtures) => policyOf(statementOf(f, { Action: [] })), () => 'The Action element must be a string or a non-empty list of strings.'],
  ['an action without a service prefix', 'vendorPrefix', 'MalformedPolicyDocumentException', true,
    (f: Fixtures) => policyOf(statementOf(f, { Action: 'Encrypt' })), () => 'Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.'],
  ['a resource that is no ARN', 'resourceNotArn', 'MalformedPolicyDocumentException', true,
    (f: Fixtures) => policyOf(statementOf(f, { Resource: 'key/1234' })), () => 'Resource key/1234 must be in ARN format or "*".'],
  ['a Condition that is a list', 'conditionNotObject', 'MalformedPolicyDocumentException', false,
    (f: Fixtures) => policyOf(statementOf(f, { Condition: [] })), () => 'The Condition element must be a JSON object of condition operators.'],
  ['an unknown condition operator', 'unknownOperator', 'MalformedPolicyDocumentException', false,
    (f: Fixtures) => policyOf(statementOf(f, { Condition: { StringEqualz: { 'kms:CallerAccount': '1' } } })), () => 'The policy uses an unknown condition operator: StringEqualz.'],
  ['a condition operator holding a string', 'operatorBlock', 'MalformedPolicyDocumentException', false,
    (f: Fixtures) => policyOf(statementOf(f, { Condition: { StringEquals: 'x' } })), () => 'The condition operator StringEquals must hold a JSON object of condition keys.'],
  ['condition values that are objects', 'conditionValues', 'MalformedPolicyDocumentException', false,
    (f: Fixtures) => policyOf(statementOf(f, { Condition: { StringEquals: { 'kms:CallerAccount': { a: 1 } } } })),
    () => 'The values of kms:CallerAccount under StringEquals must be strings, numbers or booleans.'],
  ['ForAllValues with kms:EncryptionContext:context-key', 'overlyPermissiveContext', 'MalformedPolicyDocumentException', true,
    (f: Fixtures) => policyOf(statementOf(f, { Condition: { 'ForAllValues:StringEquals': { 'kms:EncryptionContext:Department': 'IT' } } })),
    () => 'OverlyPermissiveCondition:EncryptionContext: Using the ForAllValues set operator with a single-valued condition key matches requests without the specified encryption context or with an unspecified encryption context. To fix, remove ForAllValues.'],
  ['ForAllValues with aws:RequestTag/tag-key', 'overlyPermissiveTag', 'MalformedPolicyDocumentException', true,
    (f: Fixtures) => policyOf(statementOf(f, { Condition: { 'ForAllValues:StringEquals': { 'aws:RequestTag/Purpose': 'Test' } } })),
    () => 'OverlyPermissiveCondition:RequestTag: Using the ForAllValues set operator with a single-valued condition key matches requests without the specified tag or with an unspecified tag. To fix, remove ForAllValues.'],
] as const).map(([name, template, type, aws, policy, message]): WireCase => ({
  name: `PutKeyPolicy with ${name}`,
  source: !aws ? 'this service' : template.startsWith('overlyPermissive') ? 'AWS KMS Developer Guide, "Using set operators with condition keys"' : AWS_POLICY_SOURCE,
  template,
  ...(aws ? {} : { ours: true as const }),
  request: (f) => ({ operation: 'PutKeyPolicy', body: { KeyId: f.symmetric.keyId, Policy: policy(f) } }),
  expect: () => ({ status: 400, type, message: message() }),
}));

export const WIRE_CASES: readonly WireCase[] = [
  // Key usage: the operation's name, never "this operation".
  ...([
    ['GenerateMac', 'symmetric', 'ENCRYPT_DECRYPT', (k: string) => ({ KeyId: k, MacAlgorithm: 'HMAC_SHA_256', Message: b64('m') }), 'test_error_messaging_for_invalid_keys (generate-mac-invalid-key-id)'],
    ['Sign', 'hmac256', 'GENERATE_VERIFY_MAC', (k: string) => ({ KeyId: k, SigningAlgorithm: 'RSASSA_PSS_SHA_256', Message: b64('m') }), 'test_error_messaging_for_invalid_keys (sign-invalid-key-id)'],
    ['Verify', 'symmetric', 'ENCRYPT_DECRYPT', (k: string) => ({ KeyId: k, SigningAlgorithm: 'RSASSA_PSS_SHA_256', Message: b64('m'), Signature: b64('s') }), 'test_error_messaging_for_invalid_keys (verify-invalid-key-id)'],
    ['Encrypt', 'rsaSign', 'SIGN_VERIFY', (k: string) => ({ KeyId: k, Plaintext: b64('p') }), 'test_error_messaging_for_invalid_keys (encrypt-invalid-key-id)'],
  ] as const).map(([operation, key, usage, body, test]): WireCase => ({
    name: `${operation} with a ${usage} key`,
    source: `${LS} ${test}`,
    template: 'keyUsageNotValid',
    request: (f) => ({ operation, body: body(f[key].keyId) }),
    expect: (f) => ({ status: 400, type: 'InvalidKeyUsageException', message: `${f[key].arn} key usage is ${usage} which is not valid for ${operation}.` }),
  })),
  ...(['symmetric', 'eccSign'] as const).map((key): WireCase => ({
    name: `DeriveSharedSecret with a ${key === 'symmetric' ? 'ENCRYPT_DECRYPT' : 'SIGN_VERIFY'} key`,
    source: `${LS} test_derive_shared_secret (response-invalid-key, response-invalid-key-usage)`,
    template: 'keyUsageNotValid',
    request: (f) => ({ operation: 'DeriveSharedSecret', body: { KeyId: f[key].keyId, KeyAgreementAlgorithm: 'ECDH', PublicKey: f.eccPublicKey } }),
    expect: (f) => ({
      status: 400, type: 'InvalidKeyUsageException',
      message: `${f[key].arn} key usage is ${key === 'symmetric' ? 'ENCRYPT_DECRYPT' : 'SIGN_VERIFY'} which is not valid for DeriveSharedSecret.`,
    }),
  })),
  {
    name: 'VerifyMac with an algorithm of another key spec',
    source: `${LS} test_invalid_verify_mac[HMAC_256-HMAC_SHA_512-some important message]`,
    template: 'algorithmIncompatible',
    request: (f) => ({ operation: 'VerifyMac', body: { KeyId: f.hmac256.keyId, MacAlgorithm: 'HMAC_SHA_512', Message: b64('some important message'), Mac: bytes(64) } }),
    expect: () => ({ status: 400, type: 'InvalidKeyUsageException', message: 'Algorithm HMAC_SHA_512 is incompatible with key spec HMAC_256.' }),
  },

  // RSA plaintext limits.
  ...([['RSAES_OAEP_SHA_1', 214], ['RSAES_OAEP_SHA_256', 190]] as const).map(([algorithm, limit]): WireCase => ({
    name: `Encrypt with RSA_2048 and ${algorithm}, one byte over the limit`,
    source: `${LS} test_encrypt_validate_plaintext_size_per_key_type[RSA_2048-${algorithm}]`,
    template: 'plaintextTooLarge',
    request: (f) => ({ operation: 'Encrypt', body: { KeyId: f.rsaEncrypt.keyId, EncryptionAlgorithm: algorithm, Plaintext: bytes(limit + 1) } }),
    expect: () => ({ status: 400, type: 'ValidationException', message: `Algorithm ${algorithm} and key spec RSA_2048 cannot encrypt data larger than ${limit} bytes.` }),
  })),
  {
    name: 'Encrypt with a plaintext over 4096 bytes',
    source: `${LS} test_plaintext_size_for_encrypt`,
    request: (f) => ({ operation: 'Encrypt', body: { KeyId: f.symmetric.keyId, Plaintext: bytes(4097) } }),
    expect: () => ({ status: 400, type: 'ValidationException', message: "1 validation error detected: Value at 'plaintext' failed to satisfy constraint: Member must have length less than or equal to 4096" }),
  },

  // CreateKey.
  {
    name: 'CreateKey with an HMAC key spec and no KeyUsage',
    source: `${LS} test_hmac_create_key_invalid_operations (create-hmac-key-without-key-usage)`,
    template: 'keyUsageRequired',
    request: () => ({ operation: 'CreateKey', body: { KeySpec: 'HMAC_256' } }),
    expect: () => ({ status: 400, type: 'ValidationException', message: 'You must specify a KeyUsage value for all KMS keys except for symmetric encryption keys.' }),
  },
  {
    name: 'CreateKey with a key usage the key spec does not allow',
    source: `${LS} test_derive_shared_secret (response-invalid-key-spec)`,
    template: 'keyUsageIncompatibleWithSpec',
    request: () => ({ operation: 'CreateKey', body: { KeySpec: 'RSA_2048', KeyUsage: 'KEY_AGREEMENT' } }),
    expect: () => ({ status: 400, type: 'ValidationException', message: 'KeyUsage KEY_AGREEMENT is not compatible with KeySpec RSA_2048' }),
  },
  {
    name: 'CreateKey with an unknown key usage',
    source: `${LS} test_hmac_create_key_invalid_operations (create-hmac-key-invalid-key-usage)`,
    template: 'constraintSummary',
    parts: ['constraintViolation', 'mustBeInEnum'],
    request: () => ({ operation: 'CreateKey', body: { KeySpec: 'HMAC_256', KeyUsage: 'RANDOM' } }),
    // AWS lists the values of its own (older, unordered) enum; the model's list is longer (see the differences table).
    expect: () => ({ status: 400, type: 'ValidationException', message: /^1 validation error detected: Value 'RANDOM' at 'keyUsage' failed to satisfy constraint: Member must satisfy enum value set: \[.*ENCRYPT_DECRYPT.*\]$/ }),
  },
  {
    name: 'CreateKey with an unknown key spec',
    source: `${LS} test_hmac_create_key_invalid_operations (create-hmac-key-invalid-spec)`,
    request: () => ({ operation: 'CreateKey', body: { KeySpec: 'HMAC_random' } }),
    expect: () => ({ status: 400, type: 'ValidationException', message: /^1 validation error detected: Value 'HMAC_random' at 'keySpec' failed to satisfy constraint: Member must satisfy enum value set: \[.*HMAC_256.*\]$/ }),
  },
  {
    name: 'CreateKey with 51 tags',
    source: `${LS} test_create_key_with_too_many_tags_raises_error`,
    template: 'tooManyTags',
    request: () => ({ operation: 'CreateKey', body: { KeyUsage: 'ENCRYPT_DECRYPT', Tags: tags(51) } }),
    expect: () => ({ status: 400, type: 'TagException', message: 'Too many tags' }),
  },
  {
    name: 'CreateKey with a tag key of 129 characters',
    source: `${LS} test_create_key_with_invalid_tag_key[too_long_key]`,
    template: 'constraintSummary',
    parts: ['constraintViolation', 'maxLength'],
    request: () => ({ operation: 'CreateKey', body: { Tags: [{ TagKey: 'a'.repeat(129), TagValue: 'v' }] } }),
    expect: () => ({
      status: 400, type: 'ValidationException',
      message: `1 validation error detected: Value '${'a'.repeat(129)}' at 'tags.1.member.tagKey' failed to satisfy constraint: Member must have length less than or equal to 128`,
    }),
  },
  {
    name: 'CreateKey with a tag value of 257 characters',
    source: `${LS} test_key_with_long_tag_value_raises_error`,
    request: () => ({ operation: 'CreateKey', body: { Tags: [{ TagKey: 'k', TagValue: 'v'.repeat(257) }] } }),
    expect: () => ({
      status: 400, type: 'ValidationException',
      message: `1 validation error detected: Value '${'v'.repeat(257)}' at 'tags.1.member.tagValue' failed to satisfy constraint: Member must have length less than or equal to 256`,
    }),
  },

  // Tags.
  ...(['aws:key1', 'AWS:key1'] as const).map((tagKey): WireCase => ({
    name: `TagResource with the reserved tag key ${tagKey}`,
    source: `${LS} test_tag_existing_key_with_invalid_tag_key`,
    template: 'reservedTagKey',
    request: (f) => ({ operation: 'TagResource', body: { KeyId: f.symmetric.keyId, Tags: [{ TagKey: tagKey, TagValue: 'v' }] } }),
    expect: () => ({ status: 400, type: 'TagException', message: 'Tags beginning with aws: are reserved' }),
  })),
  {
    name: 'TagResource with a tag key twice',
    source: `${LS} test_tag_key_with_duplicate_tag_keys_raises_error`,
    template: 'duplicateTagKeys',
    request: (f) => ({ operation: 'TagResource', body: { KeyId: f.symmetric.keyId, Tags: [{ TagKey: 'k', TagValue: '1' }, { TagKey: 'k', TagValue: '2' }] } }),
    expect: () => ({ status: 400, type: 'TagException', message: 'Duplicate tag keys' }),
  },

  // GenerateRandom.
  {
    name: 'GenerateRandom without NumberOfBytes',
    source: `${LS} test_generate_random_invalid_number_of_bytes[None]`,
    template: 'numberOfBytesRequired',
    request: () => ({ operation: 'GenerateRandom', body: {} }),
    expect: () => ({ status: 400, type: 'ValidationException', message: 'NumberOfBytes is required.' }),
  },
  ...([[0, 'greater than or equal to 1'], [1025, 'less than or equal to 1024']] as const).map(([n, bound]): WireCase => ({
    name: `GenerateRandom with NumberOfBytes ${n}`,
    source: `${LS} test_generate_random_invalid_number_of_bytes[${n}]`,
    template: 'constraintSummary',
    parts: ['constraintViolation', n === 0 ? 'minValue' : 'maxValue'],
    request: () => ({ operation: 'GenerateRandom', body: { NumberOfBytes: n } }),
    expect: () => ({ status: 400, type: 'ValidationException', message: `1 validation error detected: Value '${n}' at 'numberOfBytes' failed to satisfy constraint: Member must have value ${bound}` }),
  })),

  // Errors AWS sends without a message.
  {
    name: 'Decrypt with another encryption context',
    source: `${LS} test_encrypt_decrypt_encryption_context (decrypt_response_without_encryption_context)`,
    request: (f) => ({ operation: 'Decrypt', body: { CiphertextBlob: f.ciphertext, EncryptionContext: { app: 'payroll' } } }),
    expect: () => ({ status: 400, type: 'InvalidCiphertextException', message: null }),
  },
  {
    name: 'Decrypt without the encryption context',
    source: `${LS} test_encrypt_decrypt_encryption_context (decrypt_response_without_encryption_context)`,
    request: (f) => ({ operation: 'Decrypt', body: { CiphertextBlob: f.ciphertext } }),
    expect: () => ({ status: 400, type: 'InvalidCiphertextException', message: null }),
  },
  {
    name: 'Verify with a signature of another message',
    source: `${LS} test_sign_verify[RSA_2048-RSASSA_PSS_SHA_256] (bad-signature)`,
    request: (f) => ({ operation: 'Verify', body: { KeyId: f.rsaSign.keyId, SigningAlgorithm: 'RSASSA_PSS_SHA_256', Message: b64('goodbye'), Signature: f.rsaSignature } }),
    expect: () => ({ status: 400, type: 'KMSInvalidSignatureException', message: null }),
  },
  {
    name: 'DeriveSharedSecret with a public key that is not DER',
    source: `${LS} test_derive_shared_secret (response-invalid-public-key)`,
    request: (f) => ({ operation: 'DeriveSharedSecret', body: { KeyId: f.eccAgreement.keyId, KeyAgreementAlgorithm: 'ECDH', PublicKey: b64('InvalidPublicKey') } }),
    expect: () => ({ status: 400, type: 'ValidationException', message: null }),
  },
  {
    name: 'VerifyMac with a MAC of another message',
    source: `${LS} test_invalid_verify_mac[HMAC_256-HMAC_SHA_256-some different important message]`,
    request: (f) => ({ operation: 'VerifyMac', body: { KeyId: f.hmac256.keyId, MacAlgorithm: 'HMAC_SHA_256', Message: b64('some different important message'), Mac: bytes(32) } }),
    expect: () => ({ status: 400, type: 'KMSInvalidMacException', message: null }),
  },

  // Keys and identifiers.
  {
    name: 'Decrypt naming another key than the one of the ciphertext',
    source: `${LS} test_error_messaging_for_invalid_keys (decrypt-invalid-key-id)`,
    template: 'incorrectKey',
    request: (f) => ({ operation: 'Decrypt', body: { CiphertextBlob: f.ciphertext, EncryptionContext: { app: 'billing' }, KeyId: f.disabled.keyId } }),
    expect: () => ({ status: 400, type: 'IncorrectKeyException', message: 'The key ID in the request does not identify a CMK that can perform this operation.' }),
  },
  ...(['fake-key-id', '134f2428cec14b25a1ae9048164dba47', 'mrk-fake-key-id'] as const).map((keyId): WireCase => ({
    name: `DescribeKey with the key ID ${keyId}`,
    source: `${LS} test_get_key_invalid_uuid`,
    template: 'invalidKeyId',
    request: () => ({ operation: 'DescribeKey', body: { KeyId: keyId } }),
    expect: () => ({ status: 400, type: 'NotFoundException', message: `Invalid keyId '${keyId}'` }),
  })),
  {
    name: 'DescribeKey with a key ARN that names no key',
    source: `${LS} test_get_key_does_not_exist (describe-nonexistent-key-with-arn)`,
    template: 'keyDoesNotExist',
    request: (f) => ({ operation: 'DescribeKey', body: { KeyId: `arn:aws:kms:${f.region}:${f.accountId}:key/134f2428-cec1-4b25-a1ae-9048164dba47` } }),
    expect: (f) => ({ status: 400, type: 'NotFoundException', message: `Key 'arn:aws:kms:${f.region}:${f.accountId}:key/134f2428-cec1-4b25-a1ae-9048164dba47' does not exist` }),
  },
  {
    name: 'DescribeKey with the key ID of a key in another Region',
    source: `${LS} test_get_key_in_different_region (describe-key-diff-region-with-id)`,
    template: 'keyDoesNotExist',
    request: (f) => ({ operation: 'DescribeKey', body: { KeyId: f.elsewhere.keyId } }),
    expect: (f) => ({ status: 400, type: 'NotFoundException', message: `Key 'arn:aws:kms:${f.region}:${f.accountId}:key/${f.elsewhere.keyId}' does not exist` }),
  },
  {
    name: 'DescribeKey with the key ARN of a key in another Region',
    source: `${LS} test_get_key_in_different_region (describe-key-diff-region-with-arn)`,
    template: 'keyArnInOtherRegion',
    request: (f) => ({ operation: 'DescribeKey', body: { KeyId: f.elsewhere.arn } }),
    expect: (f) => ({ status: 400, type: 'NotFoundException', message: `Invalid arn ${f.otherRegion}` }),
  },
  {
    name: 'DescribeKey with an alias that does not exist',
    source: 'AWS answers quoted in github.com/cloudposse/docs/issues/152 and github.com/sigstore/cosign/issues/1474',
    template: 'aliasNotFound',
    request: () => ({ operation: 'DescribeKey', body: { KeyId: 'alias/does-not-exist' } }),
    expect: (f) => ({ status: 400, type: 'NotFoundException', message: `Alias arn:aws:kms:${f.region}:${f.accountId}:alias/does-not-exist is not found.` }),
  },
  {
    name: 'DescribeKey with an ARN of another service',
    source: 'this service',
    template: 'invalidArn',
    ours: true,
    request: () => ({ operation: 'DescribeKey', body: { KeyId: 'arn:aws:s3:::bucket' } }),
    expect: () => ({ status: 400, type: 'InvalidArnException', message: 'Invalid arn arn:aws:s3:::bucket' }),
  },
  {
    name: 'Encrypt with a disabled key',
    source: `${LS} test_rotate_key_on_demand_raises_error_given_key_is_disabled (the same wording for every operation)`,
    template: 'keyDisabled',
    request: (f) => ({ operation: 'Encrypt', body: { KeyId: f.disabled.keyId, Plaintext: b64('p') } }),
    expect: (f) => ({ status: 400, type: 'DisabledException', message: `${f.disabled.arn} is disabled.` }),
  },

  {
    name: 'CancelKeyDeletion with a key that is not pending deletion',
    source: 'AWS KMS Developer Guide, key state table, note 4',
    template: 'keyNotPendingDeletion',
    request: (f) => ({ operation: 'CancelKeyDeletion', body: { KeyId: f.disabled.keyId } }),
    expect: (f) => ({ status: 400, type: 'KMSInvalidStateException', message: `${f.disabled.arn} is not pending deletion.` }),
  },

  // Signing.
  {
    name: 'Sign with a digest of the wrong length',
    source: `${LS} test_sign_verify[ECC_NIST_P256-ECDSA_SHA_256] (bad-digest)`,
    template: 'digestLength',
    request: (f) => ({ operation: 'Sign', body: { KeyId: f.eccSign.keyId, SigningAlgorithm: 'ECDSA_SHA_256', MessageType: 'DIGEST', Message: bytes(31) } }),
    expect: () => ({ status: 400, type: 'ValidationException', message: 'Digest is invalid length for algorithm ECDSA_SHA_256.' }),
  },

  // Aliases.
  {
    name: 'CreateAlias without the alias/ prefix',
    source: `${LS} test_create_alias`,
    template: 'aliasPrefix',
    request: (f) => ({ operation: 'CreateAlias', body: { AliasName: 'no-prefix', TargetKeyId: f.symmetric.keyId } }),
    expect: () => ({
      status: 400, type: 'ValidationException',
      message: 'Alias must start with the prefix "alias/". Please see https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html',
    }),
  },

  // Dry runs: HTTP 400, although the API model says 412.
  {
    name: 'GenerateDataKeyPair with DryRun',
    source: `${LS} test_generate_data_key_pair_dry_run (HTTPStatusCode 400)`,
    template: 'dryRun',
    request: (f) => ({ operation: 'GenerateDataKeyPair', body: { KeyId: f.symmetric.keyId, KeyPairSpec: 'RSA_2048', DryRun: true } }),
    expect: () => ({ status: 400, type: 'DryRunOperationException', message: 'The request would have succeeded, but the DryRun option is set.' }),
  },

  // This service's own wording, where no public source records AWS's (docs/differences-from-aws-kms.md).
  ...([
    ['Encrypt with an RSA key and an encryption context', 'contextWithAsymmetricKey', 'ValidationException',
      (f: Fixtures) => ({ operation: 'Encrypt', body: { KeyId: f.rsaEncrypt.keyId, EncryptionAlgorithm: 'RSAES_OAEP_SHA_256', Plaintext: b64('p'), EncryptionContext: { a: 'b' } } }),
      () => 'EncryptionContext is not supported with asymmetric KMS keys.'],
    ['Sign with MessageType EXTERNAL_MU and an ECDSA algorithm', 'externalMuAlgorithm', 'ValidationException',
      (f: Fixtures) => ({ operation: 'Sign', body: { KeyId: f.eccSign.keyId, SigningAlgorithm: 'ECDSA_SHA_256', MessageType: 'EXTERNAL_MU', Message: bytes(64) } }),
      () => 'MessageType EXTERNAL_MU is only valid with the ML_DSA_SHAKE_256 signing algorithm.'],
    ['Sign with MessageType EXTERNAL_MU of 63 bytes', 'externalMuLength', 'ValidationException',
      (f: Fixtures) => ({ operation: 'Sign', body: { KeyId: f.mlDsa.keyId, SigningAlgorithm: 'ML_DSA_SHAKE_256', MessageType: 'EXTERNAL_MU', Message: bytes(63) } }),
      () => 'External mu must be 64 bytes for ML_DSA_SHAKE_256.'],
    ['Sign with an ML-DSA key and MessageType DIGEST', 'digestNotOffered', 'ValidationException',
      (f: Fixtures) => ({ operation: 'Sign', body: { KeyId: f.mlDsa.keyId, SigningAlgorithm: 'ML_DSA_SHAKE_256', MessageType: 'DIGEST', Message: bytes(64) } }),
      () => 'MessageType DIGEST is not valid with the ML_DSA_SHAKE_256 signing algorithm.'],
    ['Sign with ED25519_PH_SHA_512 and MessageType RAW', 'ed25519PhNeedsDigest', 'ValidationException',
      (f: Fixtures) => ({ operation: 'Sign', body: { KeyId: f.ed25519.keyId, SigningAlgorithm: 'ED25519_PH_SHA_512', MessageType: 'RAW', Message: b64('m') } }),
      () => 'The ED25519_PH_SHA_512 signing algorithm requires MessageType DIGEST.'],
    ['GetPublicKey with a symmetric key', 'notAsymmetricForPublicKey', 'UnsupportedOperationException',
      (f: Fixtures) => ({ operation: 'GetPublicKey', body: { KeyId: f.symmetric.keyId } }),
      (f: Fixtures) => `${f.symmetric.arn} is not an asymmetric KMS key. GetPublicKey is supported only for asymmetric keys.`],
    ['CreateKey with KeySpec and CustomerMasterKeySpec', 'bothKeySpecs', 'ValidationException',
      () => ({ operation: 'CreateKey', body: { KeySpec: 'SYMMETRIC_DEFAULT', CustomerMasterKeySpec: 'SYMMETRIC_DEFAULT' } }),
      () => 'You cannot specify KeySpec and CustomerMasterKeySpec in the same request. CustomerMasterKeySpec is deprecated.'],
    ['CreateKey with Origin AWS_CLOUDHSM', 'originNotSupported', 'UnsupportedOperationException',
      () => ({ operation: 'CreateKey', body: { Origin: 'AWS_CLOUDHSM' } }),
      () => 'Origin AWS_CLOUDHSM is not supported yet by this service.'],
    ['CreateKey in a custom key store', 'customKeyStoresNotSupported', 'UnsupportedOperationException',
      () => ({ operation: 'CreateKey', body: { CustomKeyStoreId: 'cks-1234567890abcdef0' } }),
      () => 'Custom key stores are not supported yet by this service.'],
    ['CreateKey with MultiRegion', 'multiRegionNotSupported', 'UnsupportedOperationException',
      () => ({ operation: 'CreateKey', body: { MultiRegion: true } }),
      () => 'Multi-Region keys are not supported yet by this service.'],
    ['GenerateRandom with a Recipient', 'recipientNotSupported', 'UnsupportedOperationException',
      () => ({ operation: 'GenerateRandom', body: { NumberOfBytes: 8, Recipient: { KeyEncryptionAlgorithm: 'RSAES_OAEP_SHA_256', AttestationDocument: bytes(16) } } }),
      () => 'Recipient (attested enclave requests) is not supported yet by this service.'],
    ['CreateAlias with an alias/aws/ name', 'reservedAlias', 'InvalidAliasNameException',
      (f: Fixtures) => ({ operation: 'CreateAlias', body: { AliasName: 'alias/aws/mine', TargetKeyId: f.symmetric.keyId } }),
      () => 'Cannot create, update or delete alias alias/aws/mine: the alias/aws/ prefix is reserved for AWS managed keys.'],
    ['UpdateAlias to a key of another type', 'aliasTargetMismatch', 'ValidationException',
      (f: Fixtures) => ({ operation: 'UpdateAlias', body: { AliasName: f.aliasName, TargetKeyId: f.hmac256.keyId } }),
      (f: Fixtures) => `${f.hmac256.arn} is not the same type of key, or does not have the same key usage, as the key the alias currently points to.`],
    ['Encrypt with an encryption context value that is not well-formed Unicode', 'contextValueSurrogate', 'ValidationException',
      (f: Fixtures) => ({ operation: 'Encrypt', body: { KeyId: f.symmetric.keyId, Plaintext: b64('p'), EncryptionContext: { tenant: '\ud83d' } } }),
      () => "The encryption context in 'encryptionContext' must be well-formed Unicode: the value of 'tenant' contains an unpaired surrogate."],
    ['Encrypt with an encryption context key that is not well-formed Unicode', 'contextKeySurrogate', 'ValidationException',
      (f: Fixtures) => ({ operation: 'Encrypt', body: { KeyId: f.symmetric.keyId, Plaintext: b64('p'), EncryptionContext: { '\udc00': 'x' } } }),
      () => "The encryption context in 'encryptionContext' must be well-formed Unicode: a key contains an unpaired surrogate."],
    ['Encrypt with an encryption context of 8193 bytes', 'contextTooLarge', 'ValidationException',
      (f: Fixtures) => ({ operation: 'Encrypt', body: { KeyId: f.symmetric.keyId, Plaintext: b64('p'), EncryptionContext: { k: 'v'.repeat(8192) } } }),
      () => "The encryption context in 'encryptionContext' is 8193 bytes long; its keys and values may take at most 8192 bytes of UTF-8 together."],
  ] as const).map(([name, template, type, request, message]): WireCase => ({
    name, source: 'this service', template, ours: true,
    request,
    expect: (f) => ({ status: 400, type, message: message(f) }),
  })),

  {
    name: 'GenerateDataKey without KeySpec and NumberOfBytes',
    source: "AWS's answer to a GenerateRandom without members (2019), quoted in github.com/nsmithuk/local-kms/issues/6",
    template: 'numberOfBytesOrKeySpec',
    request: (f) => ({ operation: 'GenerateDataKey', body: { KeyId: f.symmetric.keyId } }),
    expect: () => ({ status: 400, type: 'ValidationException', message: 'Please specify either number of bytes or key spec.' }),
  },

  // Response members of successful answers.
  ...([
    ['Encrypt', (f: Fixtures) => ({ KeyId: f.symmetric.keyId, Plaintext: b64('p') }), ['CiphertextBlob', 'EncryptionAlgorithm', 'KeyId'], 'test_encrypt_decrypt_encryption_context (encrypt_response)'],
    // Recorded in 2024, before AWS added KeyMaterialId to these answers (the API model has it now; the 2025 Decrypt recording carries it).
    ['GenerateDataKey', (f: Fixtures) => ({ KeyId: f.symmetric.keyId, KeySpec: 'AES_256' }), ['CiphertextBlob', 'KeyId', 'KeyMaterialId', 'Plaintext'], 'test_generate_data_key, plus KeyMaterialId'],
    ['GenerateDataKeyWithoutPlaintext', (f: Fixtures) => ({ KeyId: f.symmetric.keyId, KeySpec: 'AES_256' }), ['CiphertextBlob', 'KeyId', 'KeyMaterialId'], 'test_generate_data_key_without_plaintext, plus KeyMaterialId'],
    ['ReEncrypt', (f: Fixtures) => ({ CiphertextBlob: f.ciphertext, SourceEncryptionContext: { app: 'billing' }, DestinationKeyId: f.symmetric.keyId }),
      ['CiphertextBlob', 'DestinationEncryptionAlgorithm', 'DestinationKeyMaterialId', 'KeyId', 'SourceEncryptionAlgorithm', 'SourceKeyId', 'SourceKeyMaterialId'],
      'test_re_encrypt[SYMMETRIC_DEFAULT-SYMMETRIC_DEFAULT], plus the model\'s SourceKeyMaterialId and DestinationKeyMaterialId'],
    ['GenerateDataKeyPair', (f: Fixtures) => ({ KeyId: f.symmetric.keyId, KeyPairSpec: 'ECC_NIST_P256' }), ['KeyId', 'KeyMaterialId', 'KeyPairSpec', 'PrivateKeyCiphertextBlob', 'PrivateKeyPlaintext', 'PublicKey'], 'test_generate_data_key_pair, plus KeyMaterialId'],
    ['GenerateDataKeyPairWithoutPlaintext', (f: Fixtures) => ({ KeyId: f.symmetric.keyId, KeyPairSpec: 'ECC_NIST_P256' }), ['KeyId', 'KeyMaterialId', 'KeyPairSpec', 'PrivateKeyCiphertextBlob', 'PublicKey'], 'test_generate_data_key_pair_without_plaintext, plus KeyMaterialId'],
    ['Decrypt', (f: Fixtures) => ({ CiphertextBlob: f.ciphertext, EncryptionContext: { app: 'billing' } }), ['EncryptionAlgorithm', 'KeyId', 'KeyMaterialId', 'Plaintext'], 'test_encrypt_decrypt_encryption_context (decrypt_response_with_encryption_context, 2025)'],
    ['GenerateMac', (f: Fixtures) => ({ KeyId: f.hmac256.keyId, MacAlgorithm: 'HMAC_SHA_256', Message: b64('m') }), ['KeyId', 'Mac', 'MacAlgorithm'], 'test_generate_and_verify_mac (generate-mac)'],
    ['Sign', (f: Fixtures) => ({ KeyId: f.rsaSign.keyId, SigningAlgorithm: 'RSASSA_PSS_SHA_256', Message: b64('hello') }), ['KeyId', 'Signature', 'SigningAlgorithm'], 'test_sign_verify (signature)'],
    ['Verify', (f: Fixtures) => ({ KeyId: f.rsaSign.keyId, SigningAlgorithm: 'RSASSA_PSS_SHA_256', Message: b64('hello'), Signature: f.rsaSignature }), ['KeyId', 'SignatureValid', 'SigningAlgorithm'], 'test_sign_verify (verification)'],
    ['DeriveSharedSecret', (f: Fixtures) => ({ KeyId: f.eccAgreement.keyId, KeyAgreementAlgorithm: 'ECDH', PublicKey: f.eccPublicKey }), ['KeyAgreementAlgorithm', 'KeyId', 'KeyOrigin', 'SharedSecret'], 'test_derive_shared_secret (response)'],
  ] as const).map(([operation, body, members, test]): WireCase => ({
    name: `${operation} answers AWS's members`,
    source: `${LS} ${test}`,
    request: (f) => ({ operation, body: body(f) }),
    expect: () => ({ status: 200, members }),
  })),

  {
    name: 'an operation that is not built yet',
    source: 'this service',
    template: 'operationNotSupported',
    ours: true,
    request: () => ({ operation: 'CreateCustomKeyStore', body: { CustomKeyStoreName: 'store' } }),
    expect: () => ({ status: 400, type: 'UnsupportedOperationException', message: 'CreateCustomKeyStore is not supported by this service yet.' }),
  },

  // Protocol and authentication: every input a client controls ends in the right 4xx.
  {
    name: 'a target that names no operation',
    source: 'AWS JSON 1.1 protocol: UnknownOperationException carries no message',
    request: () => ({ kind: 'headers', target: 'TrentService.NoSuchOperation' }),
    expect: () => ({ status: 400, type: 'UnknownOperationException', message: null }),
  },
  {
    name: 'a request without an Authorization header',
    source: 'AWS API Reference, Common Errors: MissingAuthenticationToken',
    template: 'missingAuthenticationToken',
    request: () => ({ kind: 'headers', target: 'TrentService.ListKeys', unsigned: true }),
    expect: () => ({ status: 400, type: 'MissingAuthenticationTokenException', message: 'Missing Authentication Token' }),
  },
  {
    name: 'an access key ID of several kilobytes',
    source: 'AWS API Reference, Common Errors: UnrecognizedClientException (400)',
    template: 'invalidSecurityToken',
    request: () => ({ kind: 'headers', target: 'TrentService.ListKeys', accessKeyId: `AKIA${'A'.repeat(4096)}` }),
    expect: () => ({ status: 400, type: 'UnrecognizedClientException', message: 'The security token included in the request is invalid.' }),
  },
  ...AUTHENTICATION_CASES,
  ...POLICY_AND_GRANT_CASES,
  ...POLICY_GRAMMAR_CASES,
  {
    name: 'TagResource with an empty tag key',
    source: `${LS} test_create_key_with_invalid_tag_key (the constraint wording, here of the lower bound)`,
    template: 'constraintSummary',
    parts: ['constraintViolation', 'minLength'],
    request: (f) => ({ operation: 'TagResource', body: { KeyId: f.symmetric.keyId, Tags: [{ TagKey: '', TagValue: 'v' }] } }),
    expect: () => ({ status: 400, type: 'ValidationException', message: "1 validation error detected: Value '' at 'tags.1.member.tagKey' failed to satisfy constraint: Member must have length greater than or equal to 1" }),
  },
  {
    name: 'PutKeyPolicy with a character outside Latin-1',
    source: `${LS} test_invalid_generate_mac (the constraint wording, here of the model's pattern for a policy)`,
    template: 'constraintSummary',
    parts: ['constraintViolation', 'mustMatchPattern'],
    request: (f) => ({ operation: 'PutKeyPolicy', body: { KeyId: f.symmetric.keyId, Policy: '{"Sid":"\u20ac"}' } }),
    expect: () => ({ status: 400, type: 'ValidationException', message: /^1 validation error detected: Value '.+' at 'policy' failed to satisfy constraint: Member must satisfy regular expression pattern: .+$/ }),
  },
  {
    name: 'Decrypt without CiphertextBlob',
    source: `${LS} test_generate_random_invalid_number_of_bytes (the constraint wording; the model makes CiphertextBlob optional for Recipient requests, so the core checks it)`,
    template: 'constraintSummary',
    parts: ['constraintViolation', 'mustNotBeNull'],
    request: () => ({ operation: 'Decrypt', body: {} }),
    expect: () => ({ status: 400, type: 'ValidationException', message: "1 validation error detected: Value null at 'ciphertextBlob' failed to satisfy constraint: Member must not be null" }),
  },
  {
    name: 'ListResourceTags with a marker it did not give',
    source: 'AWS KMS API Reference, InvalidMarkerException',
    template: 'invalidMarker',
    request: (f) => ({ operation: 'ListResourceTags', body: { KeyId: f.symmetric.keyId, Marker: 'bm90LWEtbWFya2Vy' } }),
    expect: () => ({ status: 400, type: 'InvalidMarkerException', message: 'The request was rejected because the marker that specifies where pagination should next begin is not valid.' }),
  },
];
