/**
 * Issue 9's fuzz pass at the pipeline level: every header that reaches authentication, and every
 * field of the Authorization header, oversized, empty, non-ASCII or duplicated, signed or not,
 * always ends in an AWS-style 4xx, never a 5xx, and never reaches the credential store with an
 * access key ID it could not hold.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { SigV4Verifier, type CredentialResolver, type ResolvedCredential } from '../../src/authn/sigv4-verifier.js';
import { createFrontHandler } from '../../src/pipeline/front-handler.js';
import { makeCore } from '../support/core.js';
import { headerMutation, withAuthorizationField, type HeaderMutation } from '../support/header-fuzz.js';
import {
  FakeGroupInvoker, RecordingAuditSink, RecordingLogger, makeLambdaContext, makeProxyEvent,
} from '../support/pipeline.js';
import { MapCredentialResolver, SIGNING_DATE, signRequest } from '../support/sigv4.js';

/** Fails as a table would fail on a key it cannot hold (DynamoDB refuses partition keys over 2048 bytes). */
class AdapterLikeResolver implements CredentialResolver {
  readonly #inner = new MapCredentialResolver();
  readonly looked: string[] = [];

  async resolve(accessKeyId: string): Promise<ResolvedCredential | undefined> {
    this.looked.push(accessKeyId);
    if (!/^\w{16,128}$/.test(accessKeyId)) throw new Error('ValidationException: key size exceeded');
    return this.#inner.resolve(accessKeyId);
  }
}

function makeHandler() {
  const core = makeCore();
  core.clock.set(SIGNING_DATE);
  const credentials = new AdapterLikeResolver();
  const logger = new RecordingLogger();
  const handler = createFrontHandler({
    core: core.deps,
    verifier: new SigV4Verifier({ credentials, clock: core.clock }),
    groups: new FakeGroupInvoker(),
    audit: new RecordingAuditSink(),
    clock: core.clock,
    ids: core.ids,
    logger,
  });
  return { handler, credentials, logger };
}

const HEADER_NAMES: Readonly<Record<string, string>> = {
  authorization: 'Authorization', 'x-amz-date': 'X-Amz-Date', 'x-amz-security-token': 'X-Amz-Security-Token',
  'content-type': 'Content-Type', host: 'Host', 'x-amz-target': 'X-Amz-Target',
};

/** Sets header `name` of the event to `value`, or adds `value` as a second value of it. */
function setHeader(event: APIGatewayProxyEvent, name: string, value: string, duplicate: boolean): void {
  const canonical = HEADER_NAMES[name] ?? name;
  const first = event.headers[canonical];
  event.headers[canonical] = value;
  event.multiValueHeaders[canonical] = duplicate && first !== undefined ? [first, value] : [value];
}

/** Headers a client can sign with any value (the signer sets X-Amz-Date and Authorization itself). */
const SIGNABLE = new Set(['content-type', 'host', 'x-amz-security-token', 'x-amz-target']);

/** Whether the mutation is part of a correct signature (so the request may well succeed). */
export function isSignedMutation(mutation: HeaderMutation): boolean {
  return mutation.kind === 'header' && mutation.signed && !mutation.duplicate && SIGNABLE.has(mutation.header);
}

/** The proxy event of a signed ListKeys with `mutation` applied. */
export async function mutatedEvent(mutation: HeaderMutation): Promise<APIGatewayProxyEvent> {
  const signAs = isSignedMutation(mutation);
  const signed = await signRequest(!signAs || mutation.kind !== 'header'
    ? {}
    : mutation.header === 'x-amz-target' ? { target: mutation.value } : { headers: { [mutation.header]: mutation.value } });
  const event = makeProxyEvent(signed);
  if (mutation.kind === 'field') {
    const authorization = withAuthorizationField(signed.headers['authorization'] ?? '', mutation.field, mutation.value, mutation.duplicate);
    setHeader(event, 'authorization', authorization, false);
  } else if (!signAs) {
    setHeader(event, mutation.header, mutation.value, mutation.duplicate);
  }
  return event;
}

describe('headers that reach authentication under arbitrary values', () => {
  it('answers every mutated request with an AWS-style 4xx (or, when the odd value was signed, 200), never a 5xx, and looks up only well-formed access key IDs', async () => {
    // Prepare
    const { handler, credentials, logger } = makeHandler();
    const original = makeProxyEvent(await signRequest());

    // Act / Assess
    await fc.assert(
      fc.asyncProperty(headerMutation({ charset: 'any', maxOversized: 65_536 }), async (mutation) => {
        const event = await mutatedEvent(mutation);
        const response = await handler(event, makeLambdaContext());
        const unchanged = JSON.stringify(event.multiValueHeaders) === JSON.stringify(original.multiValueHeaders)
          // A second Authorization header joins as more fields after the valid ones: blanks are skipped and
          // fields of other names ignored (as AWS ignores them), so the request may still verify.
          || (mutation.kind === 'header' && mutation.header === 'authorization' && mutation.duplicate);
        if (response.statusCode === 200 && (isSignedMutation(mutation) || unchanged)) return;
        const body = JSON.parse(response.body) as { __type?: string; message?: unknown };
        expect(response.statusCode, response.body.slice(0, 300)).toBeGreaterThanOrEqual(400);
        expect(response.statusCode, response.body.slice(0, 300)).toBeLessThan(500);
        expect(response.headers?.['x-amzn-ErrorType']).toBe(body.__type);
        // A message, or none at all as AWS sends some errors; never an empty one.
        expect(body.message === undefined || (typeof body.message === 'string' && body.message !== '')).toBe(true);
      }),
      { numRuns: 1500 },
    );
    expect(logger.entries.filter((entry) => entry.level === 'error')).toEqual([]);
    expect(credentials.looked.filter((id) => !/^\w{16,128}$/.test(id))).toEqual([]);
  });

  it('answers 200 when no header is changed (the fuzz starts from a valid request)', async () => {
    // Prepare
    const { handler } = makeHandler();

    // Act
    const response = await handler(makeProxyEvent(await signRequest()), makeLambdaContext());

    // Assess
    expect(response.statusCode).toBe(200);
  });

  it('answers UnrecognizedClientException, not an internal error, for an access key ID of several kilobytes', async () => {
    // Prepare
    const { handler, credentials } = makeHandler();
    const event = await mutatedEvent({ kind: 'field', field: 'accessKeyId', value: `AKIA${'A'.repeat(8192)}`, duplicate: false });

    // Act
    const response = await handler(event, makeLambdaContext());

    // Assess
    expect(response.statusCode).toBe(400);
    expect(JSON.parse(response.body)).toEqual({ __type: 'UnrecognizedClientException', message: 'The security token included in the request is invalid.' });
    expect(credentials.looked).toEqual([]);
  });
});
