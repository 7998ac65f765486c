import { describe, expect, it } from 'vitest';
import { SigV4Verifier, type SignedHttpRequest } from '../../src/authn/sigv4-verifier.js';
import { FakeClock } from '../support/fake-clock.js';
import { ACCESS_KEY_ID, HOST, MapCredentialResolver, SECRET_ACCESS_KEY, SIGNING_DATE } from '../support/sigv4.js';
import { authorizationByHand } from '../support/sigv4-by-hand.js';

/**
 * Signs a request by the SigV4 specification written out by hand, so the timestamp can travel in
 * whichever header the test names (smithy's signer always uses X-Amz-Date).
 */
function signByHand(dateHeader: 'x-amz-date' | 'date'): SignedHttpRequest {
  const amzDate = '20240501T120000Z';
  const body = new TextEncoder().encode('{}');
  const headers: Record<string, string> = {
    host: HOST,
    'content-type': 'application/x-amz-json-1.1',
    [dateHeader]: amzDate,
    'x-amz-target': 'TrentService.ListKeys',
  };
  const authorization = authorizationByHand({
    accessKeyId: ACCESS_KEY_ID, secretAccessKey: SECRET_ACCESS_KEY, region: 'us-east-1', amzDate, headers, body,
  });
  return { method: 'POST', path: '/', query: {}, headers: { ...headers, authorization }, body };
}

describe('SigV4Verifier and the date header', () => {
  it('returns the caller when the timestamp is signed in the x-amz-date header', async () => {
    // Prepare
    const verifier = new SigV4Verifier({ credentials: new MapCredentialResolver(), clock: new FakeClock(SIGNING_DATE) });
    const request = signByHand('x-amz-date');

    // Act
    const caller = await verifier.verify(request);

    // Assess
    expect(caller.region).toBe('us-east-1');
  });

  it('throws IncompleteSignatureException when the timestamp travels only in the Date header', async () => {
    // Prepare
    const verifier = new SigV4Verifier({ credentials: new MapCredentialResolver(), clock: new FakeClock(SIGNING_DATE) });
    const request = signByHand('date');

    // Act
    const failure = verifier.verify(request);

    // Assess
    await expect(failure).rejects.toMatchObject({
      name: 'IncompleteSignatureException',
      message: "This service requires the timestamp of a signed request in the 'X-Amz-Date' header; the 'Date' header is not supported.",
    });
  });
});
