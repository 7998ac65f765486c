import { describe, expect, it } from 'vitest';
import { toSignedRequest } from '../../src/pipeline/http-request.js';
import { makeProxyEvent } from '../support/pipeline.js';
import { signRequest } from '../support/sigv4.js';

describe('toSignedRequest', () => {
  it.each([
    ['base64-encoded', true],
    ['plain', false],
  ])('returns the body bytes and rebuilds Content-Length from them when the %s event lacks it', async (_, base64) => {
    // Prepare
    const signed = await signRequest({ body: '{"Description":"naïve ☕"}' });
    const event = makeProxyEvent(signed, { base64 });

    // Act
    const request = toSignedRequest(event);

    // Assess
    expect(request.body).toEqual(signed.body);
    expect(request.headers['content-length']).toBe(String(Buffer.byteLength('{"Description":"naïve ☕"}')));
    expect(request.headers['content-length']).toBe(signed.headers['content-length']);
  });

  it('keeps the Content-Length the event carries', async () => {
    // Prepare
    const event = makeProxyEvent(await signRequest({ body: '{}' }));
    event.headers['Content-Length'] = '99';

    // Act
    const request = toSignedRequest(event);

    // Assess
    expect(request.headers['content-length']).toBe('99');
  });

  it('returns an empty body and Content-Length 0 when the event has no body', async () => {
    // Prepare
    const event = { ...makeProxyEvent(await signRequest()), body: null };

    // Act
    const request = toSignedRequest(event);

    // Assess
    expect(request.body).toEqual(new Uint8Array(0));
    expect(request.headers['content-length']).toBe('0');
  });

  it('returns lower-case header names, joins repeated headers and keeps the query and the client path', async () => {
    // Prepare
    const base = makeProxyEvent(await signRequest());
    const event = {
      ...base,
      path: '/',
      headers: { ...base.headers, 'X-Custom': 'a' },
      multiValueHeaders: { ...base.multiValueHeaders, 'X-Custom': ['a', 'b'] },
      queryStringParameters: { q: '1' },
      requestContext: { ...base.requestContext, path: '/prod/' },
    };

    // Act
    const request = toSignedRequest(event);

    // Assess
    expect(request.headers['x-custom']).toBe('a,b');
    expect(request.headers['x-amz-target']).toBe('TrentService.ListKeys');
    expect(request.query).toEqual({ q: '1' });
    expect(request.path).toBe('/prod/');
    expect(request.method).toBe('POST');
  });
});
