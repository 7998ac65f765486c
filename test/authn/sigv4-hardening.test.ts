/**
 * Attacks on what a signature covers: a body swapped under UNSIGNED-PAYLOAD, an operation swapped
 * under an unsigned X-Amz-Target, timestamps that roll over, access key IDs no table can hold.
 */
import { describe, expect, it, vi } from 'vitest';
import { SigV4Verifier, type SignedHttpRequest } from '../../src/authn/sigv4-verifier.js';
import {
  IncompleteSignatureException, InvalidSignatureException, UnrecognizedClientException,
} from '../../src/models/kms/generated/errors.js';
import { caught } from '../support/core.js';
import { FakeClock } from '../support/fake-clock.js';
import {
  ACCESS_KEY_ID, HOST, MapCredentialResolver, SECRET_ACCESS_KEY, SIGNING_DATE, signRequest, withHeaders,
} from '../support/sigv4.js';
import { authorizationByHand, sha256Hex, type HandSignature } from '../support/sigv4-by-hand.js';

const SIGNATURE_MISMATCH = 'The request signature we calculated does not match the signature you provided. '
  + 'Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';
const AMZ_DATE = '20240501T120000Z';
const utf8 = (text: string) => new TextEncoder().encode(text);

function verifier(credentials = new MapCredentialResolver()) {
  return new SigV4Verifier({ credentials, clock: new FakeClock(SIGNING_DATE) });
}

/** A request signed by hand as `signature` says, sent with `sentBody` (the signed body unless given). */
function handSigned(
  changes: Partial<HandSignature> & { target?: string; sentBody?: string; extraHeaders?: Record<string, string> } = {},
): SignedHttpRequest {
  const body = typeof changes.body === 'string' || changes.body === undefined ? changes.body ?? '{}' : changes.body;
  const headers = {
    host: HOST,
    'content-type': 'application/x-amz-json-1.1',
    'x-amz-date': changes.amzDate ?? AMZ_DATE,
    'x-amz-target': changes.target ?? 'TrentService.ListKeys',
    ...changes.headers,
  };
  const authorization = authorizationByHand({
    accessKeyId: ACCESS_KEY_ID,
    secretAccessKey: SECRET_ACCESS_KEY,
    region: 'us-east-1',
    amzDate: changes.amzDate ?? AMZ_DATE,
    headers,
    body,
    ...(changes.signedHeaders === undefined ? {} : { signedHeaders: changes.signedHeaders }),
    ...(changes.payloadHash === undefined ? {} : { payloadHash: changes.payloadHash }),
  });
  const sent = changes.sentBody === undefined ? (typeof body === 'string' ? utf8(body) : body) : utf8(changes.sentBody);
  return { method: 'POST', path: '/', query: {}, headers: { ...headers, ...changes.extraHeaders, authorization }, body: sent };
}

describe('SigV4Verifier: the body is always signed', () => {
  it('throws InvalidSignatureException when a request signed over {} with UNSIGNED-PAYLOAD is replayed with another body', async () => {
    // Prepare: what the stock signer produces for x-amz-content-sha256: UNSIGNED-PAYLOAD.
    const captured = await signRequest({ target: 'TrentService.Decrypt', body: '{}', headers: { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' } });
    const replayed = { ...captured, body: utf8('{"CiphertextBlob":"AQIDBA=="}') };

    // Act
    const error = await caught(verifier().verify(replayed));

    // Assess
    expect(error).toBeInstanceOf(InvalidSignatureException);
    expect(error.message).toBe(SIGNATURE_MISMATCH);
  });

  it('throws InvalidSignatureException when the request is signed with UNSIGNED-PAYLOAD even over its own body', async () => {
    // Prepare
    const request = await signRequest({ body: '{"Limit":5}', headers: { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' } });

    // Act
    const error = await caught(verifier().verify(request));

    // Assess
    expect(error).toBeInstanceOf(InvalidSignatureException);
    expect(error.message).toBe(SIGNATURE_MISMATCH);
  });

  it('returns the caller when x-amz-content-sha256 says UNSIGNED-PAYLOAD but the signature covers the body hash, as AWS computes it', async () => {
    // Prepare
    const request = handSigned({ body: '{"Limit":5}', headers: { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' } });

    // Act
    const caller = await verifier().verify(request);

    // Assess
    expect(caller.region).toBe('us-east-1');
  });

  it('throws InvalidSignatureException when a hand-signed request with the payload line UNSIGNED-PAYLOAD arrives with any body', async () => {
    // Prepare
    const request = handSigned({
      headers: { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' }, payloadHash: 'UNSIGNED-PAYLOAD', sentBody: '{"KeyId":"alias/other"}',
    });

    // Act
    const error = await caught(verifier().verify(request));

    // Assess
    expect(error).toBeInstanceOf(InvalidSignatureException);
    expect(error.message).toBe(SIGNATURE_MISMATCH);
  });
});

describe('SigV4Verifier: the headers the service acts on are signed', () => {
  it("throws InvalidSignatureException because every header the service acts on is covered by the signature (DescribeKey signed over host;x-amz-date, sent as DisableKey)", async () => {
    // Prepare
    const describeKey = handSigned({ target: 'TrentService.DescribeKey', body: '{"KeyId":"alias/app"}', signedHeaders: ['host', 'x-amz-date'] });
    const disableKey = withHeaders(describeKey, { 'x-amz-target': 'TrentService.DisableKey' });

    // Act
    const error = await caught(verifier().verify(disableKey));

    // Assess
    expect(error).toBeInstanceOf(InvalidSignatureException);
    expect(error.message).toBe("'X-Amz-Target' must be a 'SignedHeader' in the AWS Authorization.");
  });

  it.each<[string, Partial<HandSignature>, string]>([
    ['X-Amz-Date is not signed', { signedHeaders: ['host', 'x-amz-target'] }, "'X-Amz-Date'"],
    ['Host is not signed', { signedHeaders: ['x-amz-date', 'x-amz-target'] }, "'Host' or ':authority'"],
    ['X-Amz-Content-Sha256 is sent but not signed',
      { headers: { 'x-amz-content-sha256': sha256Hex('{}') }, signedHeaders: ['host', 'x-amz-date', 'x-amz-target'] }, "'X-Amz-Content-Sha256'"],
    ['X-Amz-Security-Token is sent but not signed',
      { headers: { 'x-amz-security-token': 'FwoGZXIvYXdzEXAMPLE' }, signedHeaders: ['host', 'x-amz-date', 'x-amz-target'] }, "'X-Amz-Security-Token'"],
  ])('throws InvalidSignatureException because every header the service acts on is covered by the signature (%s)', async (_, signature, display) => {
    // Prepare
    const request = handSigned(signature);

    // Act
    const error = await caught(verifier().verify(request));

    // Assess
    expect(error).toBeInstanceOf(InvalidSignatureException);
    expect(error.message).toBe(`${display} must be a 'SignedHeader' in the AWS Authorization.`);
  });

  it('throws UnrecognizedClientException when a signed X-Amz-Security-Token names no session', async () => {
    // Prepare
    const request = handSigned({ headers: { 'x-amz-security-token': 'FwoGZXIvYXdzEXAMPLE' } });

    // Act
    const error = await caught(verifier().verify(request));

    // Assess
    expect(error).toBeInstanceOf(UnrecognizedClientException);
  });

  it('returns the caller when host, x-amz-date and x-amz-target are signed and nothing else', async () => {
    // Prepare
    const request = handSigned({ signedHeaders: ['host', 'x-amz-date', 'x-amz-target'] });

    // Act
    const caller = await verifier().verify(request);

    // Assess
    expect(caller.region).toBe('us-east-1');
  });

  it('returns the caller when the request carries no X-Amz-Target (the pipeline answers UnknownOperationException)', async () => {
    // Prepare
    const request = await signRequest({ target: null });

    // Act
    const caller = await verifier().verify(request);

    // Assess
    expect(caller.region).toBe('us-east-1');
  });

  it.each([
    ['__proto__', 'host;x-amz-date;x-amz-target;__proto__'],
    ['constructor', 'constructor;host;x-amz-date;x-amz-target'],
  ])('throws InvalidSignatureException when SignedHeaders names %s, a header the request does not carry', async (_, list) => {
    // Prepare
    const signed = handSigned();
    const request = withHeaders(signed, { authorization: (signed.headers['authorization'] ?? '').replace(/SignedHeaders=[^,]+/, `SignedHeaders=${list}`) });

    // Act
    const error = await caught(verifier().verify(request));

    // Assess
    expect(error).toBeInstanceOf(InvalidSignatureException);
    expect(error.message).toBe(SIGNATURE_MISMATCH);
  });
});

describe('SigV4Verifier: X-Amz-Date is read strictly', () => {
  it.each([
    ['an hour of 30 (rolled over to the next day before)', '20261201T304218Z'],
    ['month 13', '20241301T120000Z'],
    ['day 32', '20240532T120000Z'],
    ['30 February', '20240230T120000Z'],
    ['29 February of a common year', '20230229T120000Z'],
    ['minute 60', '20240501T126000Z'],
    ['second 60', '20240501T120060Z'],
    ['month 00', '20240001T120000Z'],
    ['day 00', '20240500T120000Z'],
  ])('throws IncompleteSignatureException because X-Amz-Date names a real instant, written in ISO 8601 basic format (%s)', async (_, amzDate) => {
    // Prepare: signed consistently over the impossible date, scope included.
    const request = handSigned({ amzDate });

    // Act
    const error = await caught(verifier().verify(request));

    // Assess
    expect(error).toBeInstanceOf(IncompleteSignatureException);
    expect(error.message).toBe(`Date must be in ISO-8601 'basic format'. Got '${amzDate}'. See http://en.wikipedia.org/wiki/ISO_8601`);
  });

  it('returns the caller when the request is signed on 29 February of a leap year', async () => {
    // Prepare
    const leapDay = new Date('2024-02-29T23:59:59Z');
    const request = handSigned({ amzDate: '20240229T235959Z' });

    // Act
    const caller = await new SigV4Verifier({ credentials: new MapCredentialResolver(), clock: new FakeClock(leapDay) }).verify(request);

    // Assess
    expect(caller.region).toBe('us-east-1');
  });
});

describe('SigV4Verifier: access key IDs', () => {
  it.each([
    ['several kilobytes long', 'AKIA'.repeat(2048)],
    ['shorter than 16 characters', 'AKIASHORT'],
    ['made of other characters', 'AKIA-EXAMPLE-KEY-0001'],
    ['non-ASCII', 'AKIAÉXAMPLEKEY000001'],
  ])('throws UnrecognizedClientException without looking the key up because only a well-formed access key ID is looked up (%s)', async (_, accessKeyId) => {
    // Prepare
    const credentials = new MapCredentialResolver();
    const resolve = vi.spyOn(credentials, 'resolve');
    const request = await signRequest({ accessKeyId });

    // Act
    const error = await caught(verifier(credentials).verify(request));

    // Assess
    expect(error).toBeInstanceOf(UnrecognizedClientException);
    expect(error.message).toBe('The security token included in the request is invalid.');
    expect(resolve).not.toHaveBeenCalled();
  });

  it('looks up an access key ID of 128 word characters', async () => {
    // Prepare
    const credentials = new MapCredentialResolver();
    const resolve = vi.spyOn(credentials, 'resolve');
    const request = await signRequest({ accessKeyId: `AKIA${'A'.repeat(124)}` });

    // Act
    const error = await caught(verifier(credentials).verify(request));

    // Assess
    expect(error).toBeInstanceOf(UnrecognizedClientException);
    expect(resolve).toHaveBeenCalledTimes(1);
  });
});
