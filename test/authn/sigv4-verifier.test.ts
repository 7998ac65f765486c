import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SigV4Verifier } from '../../src/authn/sigv4-verifier.js';
import type { SignedHttpRequest } from '../../src/authn/sigv4-verifier.js';
import {
  IncompleteSignatureException, InvalidSignatureException, MissingAuthenticationTokenException, UnrecognizedClientException,
} from '../../src/models/kms/generated/errors.js';
import { caught, makePrincipal } from '../support/core.js';
import { FakeClock } from '../support/fake-clock.js';
import {
  ACCESS_KEY_ID, MapCredentialResolver, SIGNING_DATE, signRequest, withHeaders,
} from '../support/sigv4.js';

const SIGNATURE_MISMATCH = 'The request signature we calculated does not match the signature you provided. '
  + 'Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';
const MINUTE = 60_000;

function makeVerifier(now: Date = SIGNING_DATE) {
  const clock = new FakeClock(now);
  return { verifier: new SigV4Verifier({ credentials: new MapCredentialResolver(), clock }), clock };
}

function verifyError(request: SignedHttpRequest, now?: Date) {
  return caught(makeVerifier(now).verifier.verify(request));
}

describe('SigV4Verifier', () => {
  it.each([
    ['us-east-1', {}],
    ['eu-west-2', { region: 'eu-west-2' }],
    ['us-east-1 without a payload hash header', { applyChecksum: false }],
    ['us-east-1 with a path and extra signed headers', { path: '/prod/', headers: { 'x-amz-user-agent': 'aws-sdk-js/3' } }],
    ['us-east-1 with a non-ASCII body', { body: '{"Description":"clé 🔑"}' }],
  ])('returns the principal and Region when a request is signed for %s', async (region, options) => {
    // Prepare
    const { verifier } = makeVerifier();
    const request = await signRequest(options);

    // Act
    const caller = await verifier.verify(request);

    // Assess
    expect(caller).toEqual({ principal: makePrincipal({ accessKeyId: ACCESS_KEY_ID }), region: region.split(' ')[0] });
  });

  it.each([
    ['is missing', undefined],
    ['is empty', ''],
    ['is blank', '   '],
  ])('throws MissingAuthenticationTokenException when the Authorization header %s', async (_, value) => {
    // Prepare
    const request = withHeaders(await signRequest(), { authorization: value });

    // Act
    const error = await verifyError(request);

    // Assess
    expect(error).toBeInstanceOf(MissingAuthenticationTokenException);
    expect(error.message).toBe('Missing Authentication Token');
  });

  it('throws IncompleteSignatureException when the algorithm is not AWS4-HMAC-SHA256', async () => {
    // Prepare
    const signed = await signRequest();
    const request = withHeaders(signed, { authorization: (signed.headers['authorization'] ?? '').replace('AWS4-HMAC-SHA256', 'AWS4-HMAC-SHA1') });

    // Act
    const error = await verifyError(request);

    // Assess
    expect(error).toBeInstanceOf(IncompleteSignatureException);
    expect(error.message).toBe("Unsupported AWS 'algorithm': 'AWS4-HMAC-SHA1'");
  });

  it('throws IncompleteSignatureException listing every missing part when the header is incomplete', async () => {
    // Prepare
    const authorization = 'AWS4-HMAC-SHA256 SignedHeaders=host';
    const request = withHeaders(await signRequest(), { authorization, 'x-amz-date': undefined });

    // Act
    const error = await verifyError(request);

    // Assess
    expect(error).toBeInstanceOf(IncompleteSignatureException);
    expect(error.message).toBe(
      "Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. "
      + "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. "
      + `Authorization=${authorization}`,
    );
  });

  it('throws IncompleteSignatureException when the credential has too few parts', async () => {
    // Prepare
    const signed = await signRequest();
    const authorization = (signed.headers['authorization'] ?? '').replace(/Credential=[^,]+/, `Credential=${ACCESS_KEY_ID}/20240501/us-east-1/kms`);
    const request = withHeaders(signed, { authorization });

    // Act
    const error = await verifyError(request);

    // Assess
    expect(error).toBeInstanceOf(IncompleteSignatureException);
    expect(error.message).toBe(
      `Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '${ACCESS_KEY_ID}/20240501/us-east-1/kms'`,
    );
  });

  it.each([
    ['extended ISO-8601', '2024-05-01T12:00:00Z'],
    ['an RFC 1123 date', 'Wed, 01 May 2024 12:00:00 GMT'],
    ['no zone', '20240501T120000'],
  ])('throws IncompleteSignatureException when the date is in %s format', async (_, date) => {
    // Prepare
    const request = withHeaders(await signRequest(), { 'x-amz-date': date });

    // Act
    const error = await verifyError(request);

    // Assess
    expect(error).toBeInstanceOf(IncompleteSignatureException);
    expect(error.message).toBe(`Date must be in ISO-8601 'basic format'. Got '${date}'. See http://en.wikipedia.org/wiki/ISO_8601`);
  });

  it('throws InvalidSignatureException when the credential scope date is not the date of the request', async () => {
    // Prepare
    const request = withHeaders(await signRequest(), { 'x-amz-date': '20240502T120000Z' });

    // Act
    const error = await verifyError(request, new Date('2024-05-02T12:00:00Z'));

    // Assess
    expect(error).toBeInstanceOf(InvalidSignatureException);
    expect(error.message).toBe(
      "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20240501' != '20240502', from '20240502T120000Z'.",
    );
  });

  it.each([
    ['15 minutes before the clock', 15 * MINUTE],
    ['15 minutes after the clock', -15 * MINUTE],
  ])('returns the caller when the request was signed exactly %s', async (_, offset) => {
    // Prepare
    const request = await signRequest();

    // Act
    const caller = await makeVerifier(new Date(SIGNING_DATE.getTime() + offset)).verifier.verify(request);

    // Assess
    expect(caller.region).toBe('us-east-1');
  });

  it('throws InvalidSignatureException when the signature is more than 15 minutes old', async () => {
    // Prepare
    const request = await signRequest();
    const { verifier, clock } = makeVerifier();
    clock.advance(15 * MINUTE + 1_000);

    // Act
    const error = await caught(verifier.verify(request));

    // Assess
    expect(error).toBeInstanceOf(InvalidSignatureException);
    expect(error.message).toBe('Signature expired: 20240501T120000Z is now earlier than 20240501T120001Z (20240501T121501Z - 15 min.)');
  });

  it('throws InvalidSignatureException when the signature is more than 15 minutes in the future', async () => {
    // Prepare
    const request = await signRequest();
    const { verifier, clock } = makeVerifier();
    clock.advance(-(15 * MINUTE + 1_000));

    // Act
    const error = await caught(verifier.verify(request));

    // Assess
    expect(error).toBeInstanceOf(InvalidSignatureException);
    expect(error.message).toBe('Signature not yet current: 20240501T120000Z is still later than 20240501T115959Z (20240501T114459Z + 15 min.)');
  });

  it('throws InvalidSignatureException when Host is not a signed header', async () => {
    // Prepare
    const request = await signRequest({ withoutHost: true });

    // Act
    const error = await verifyError(request);

    // Assess
    expect(error).toBeInstanceOf(InvalidSignatureException);
    expect(error.message).toBe("'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
  });

  it.each([
    ['the access key is unknown', { accessKeyId: 'AKIAUNKNOWNKEY000000' }],
    ['a session token is present', { sessionToken: 'FwoGZXIvYXdzEXAMPLE' }],
  ])('throws UnrecognizedClientException when %s', async (_, options) => {
    // Prepare
    const request = await signRequest(options);

    // Act
    const error = await verifyError(request);

    // Assess
    expect(error).toBeInstanceOf(UnrecognizedClientException);
    expect(error.message).toBe('The security token included in the request is invalid.');
  });

  it('throws InvalidSignatureException when the request was signed with another secret', async () => {
    // Prepare
    const request = await signRequest({ secretAccessKey: 'not-the-secret' });

    // Act
    const error = await verifyError(request);

    // Assess
    expect(error).toBeInstanceOf(InvalidSignatureException);
    expect(error.message).toBe(SIGNATURE_MISMATCH);
  });

  it.each([
    ['the body changed and no payload hash was sent', { applyChecksum: false }, (r: SignedHttpRequest) => ({ ...r, body: new TextEncoder().encode('{"x":1}') })],
    ['a signed header changed', {}, (r: SignedHttpRequest) => withHeaders(r, { 'x-amz-target': 'TrentService.CreateKey' })],
    ['the path changed', {}, (r: SignedHttpRequest) => ({ ...r, path: '/other' })],
    ['the method changed', {}, (r: SignedHttpRequest) => ({ ...r, method: 'PUT' })],
    ['the signature is truncated', {}, (r: SignedHttpRequest) => withHeaders(r, { authorization: (r.headers['authorization'] ?? '').slice(0, -1) })],
  ])('throws InvalidSignatureException when %s', async (_, options, tamper) => {
    // Prepare
    const request = tamper(await signRequest(options));

    // Act
    const error = await verifyError(request);

    // Assess
    expect(error).toBeInstanceOf(InvalidSignatureException);
    expect(error.message).toBe(SIGNATURE_MISMATCH);
  });

  it('throws InvalidSignatureException because a declared payload hash is the hash of the body that arrived (body tampered)', async () => {
    // Prepare
    const signed = await signRequest({ body: '{"Limit":1}' });
    const request = { ...signed, body: new TextEncoder().encode('{"Limit":2}') };

    // Act
    const error = await verifyError(request);

    // Assess
    expect(error).toBeInstanceOf(InvalidSignatureException);
    expect(error.message).toBe("The provided 'x-amz-content-sha256' header does not match what was computed.");
  });

  it('throws InvalidSignatureException because a declared payload hash is the hash of the body that arrived (header says another hash)', async () => {
    // Prepare
    const otherHash = createHash('sha256').update('something else').digest('hex');
    const request = await signRequest({ headers: { 'x-amz-content-sha256': otherHash } });

    // Act
    const error = await verifyError(request);

    // Assess
    expect(error).toBeInstanceOf(InvalidSignatureException);
    expect(error.message).toBe("The provided 'x-amz-content-sha256' header does not match what was computed.");
  });

  it('throws InvalidSignatureException when the credential is scoped to another service', async () => {
    // Prepare
    const request = await signRequest({ service: 's3' });

    // Act
    const error = await verifyError(request);

    // Assess
    expect(error).toBeInstanceOf(InvalidSignatureException);
    expect(error.message).toBe("Credential should be scoped to correct service: 'kms'. ");
  });

  it('throws InvalidSignatureException when the credential scope has another terminator', async () => {
    // Prepare
    const signed = await signRequest();
    const request = withHeaders(signed, { authorization: (signed.headers['authorization'] ?? '').replace('aws4_request', 'aws5_request') });

    // Act
    const error = await verifyError(request);

    // Assess
    expect(error).toBeInstanceOf(InvalidSignatureException);
    expect(error.message).toBe("Credential should be scoped with a valid terminator: 'aws4_request', not 'aws5_request'.");
  });

  it.each(['local', 'US-EAST-1', 'us-east'])('throws InvalidSignatureException when the credential is scoped to the invalid Region %s', async (region) => {
    // Prepare
    const request = await signRequest({ region });

    // Act
    const error = await verifyError(request);

    // Assess
    expect(error).toBeInstanceOf(InvalidSignatureException);
    expect(error.message).toBe(`Credential should be scoped to a valid region, not '${region}'. `);
  });
});
