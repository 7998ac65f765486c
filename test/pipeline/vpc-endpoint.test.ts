import { describe, expect, it } from 'vitest';
import { makeFrontHarness, makeLambdaContext, makeProxyEvent } from '../support/pipeline.js';
import { signRequest } from '../support/sigv4.js';

const SPOOFED = 'vpce-0spoofed0000000';
const REAL = 'vpce-0123456789abcdef0';

/** A signed ListAliases whose proxy event carries `vpceId` (as API Gateway sets it) and the client's extra headers. */
async function listAliasesEvent(options: { vpceId?: string; headers?: Record<string, string> }) {
  const signed = await signRequest({ target: 'TrentService.ListAliases', ...(options.headers === undefined ? {} : { headers: options.headers }) });
  const event = makeProxyEvent(signed);
  if (options.vpceId !== undefined) event.requestContext.identity.vpceId = options.vpceId;
  return event;
}

describe('the VPC endpoint of a request', () => {
  it.each([
    ['signed', true],
    ['added after signing', false],
  ])('returns no vpcEndpointId in the audit event when only an x-amzn-vpce-id client header (%s) names one', async (_, signed) => {
    // Prepare
    const harness = makeFrontHarness();
    const event = await listAliasesEvent(signed ? { headers: { 'x-amzn-vpce-id': SPOOFED } } : {});
    if (!signed) event.headers['X-Amzn-Vpce-Id'] = SPOOFED;

    // Act
    const response = await harness.handler(event, makeLambdaContext());

    // Assess
    expect(response.statusCode).toBe(200);
    expect(harness.audit.events).toHaveLength(1);
    expect(harness.audit.events[0]).not.toHaveProperty('vpcEndpointId');
    expect(harness.groups.calls[0]?.request.context).not.toHaveProperty('vpcEndpointId');
  });

  it('returns the vpceId of the event identity in the audit event and the group context', async () => {
    // Prepare
    const harness = makeFrontHarness();
    const event = await listAliasesEvent({ vpceId: REAL, headers: { 'x-amzn-vpce-id': SPOOFED } });

    // Act
    await harness.handler(event, makeLambdaContext());

    // Assess
    expect(harness.audit.events[0]?.vpcEndpointId).toBe(REAL);
    expect(harness.groups.calls[0]?.request.context.vpcEndpointId).toBe(REAL);
  });
});
