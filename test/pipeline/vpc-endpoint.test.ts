import { describe, expect, it } from 'vitest';
import { makeFrontHarness, makeLambdaContext, makeProxyEvent } from '../support/pipeline.js';
import { signRequest } from '../support/sigv4.js';
import { ACCOUNT_ID, makeKeyId, seedKey } from '../support/core.js';

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

/** Seed 000's second example key policy, without its trailing comma (which AWS refuses). */
const SOURCE_VPC_POLICY = JSON.stringify({
  Id: 'example-key-2',
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'Allow administrative actions from vpc-12345678', Effect: 'Allow', Principal: { AWS: ACCOUNT_ID },
      Action: ['kms:Create*', 'kms:Enable*', 'kms:Put*', 'kms:Update*', 'kms:Revoke*', 'kms:Disable*', 'kms:Delete*', 'kms:TagResource', 'kms:UntagResource'],
      Resource: '*', Condition: { StringEquals: { 'aws:sourceVpc': 'vpc-12345678' } },
    },
    {
      Sid: 'Allow key usage from vpc-2b2b2b2b', Effect: 'Allow', Principal: { AWS: ACCOUNT_ID },
      Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey*'], Resource: '*', Condition: { StringEquals: { 'aws:sourceVpc': 'vpc-2b2b2b2b' } },
    },
    { Sid: 'Allow read actions from everywhere', Effect: 'Allow', Principal: { AWS: ACCOUNT_ID }, Action: ['kms:Describe*', 'kms:List*', 'kms:Get*'], Resource: '*' },
  ],
});

describe('a deployed request through an execute-api interface endpoint', () => {
  const transport = { secure: true, endpointVpcs: new Map([[REAL, 'vpc-2b2b2b2b']]) };

  async function encryptEvent(vpceId?: string) {
    const signed = await signRequest({
      target: 'TrentService.Encrypt', body: JSON.stringify({ KeyId: makeKeyId(1), Plaintext: Buffer.from('x').toString('base64') }),
    });
    const event = makeProxyEvent(signed);
    if (vpceId !== undefined) event.requestContext.identity.vpceId = vpceId;
    return event;
  }

  it('takes aws:SourceVpce from requestContext.identity.vpceId and aws:SourceVpc from the configured map', async () => {
    // Prepare
    const harness = makeFrontHarness({ transport });
    const key = await seedKey(harness.core, { policy: SOURCE_VPC_POLICY });

    // Act
    const through = await harness.handler(await encryptEvent(REAL), makeLambdaContext());
    const direct = await harness.handler(await encryptEvent(), makeLambdaContext());

    // Assess
    expect(through.statusCode).toBe(200);
    expect(harness.audit.events[0]).toMatchObject({
      vpcEndpointId: REAL,
      additionalEventData: {
        authorization: [{
          action: 'kms:Encrypt', resource: key.arn, decision: 'Allow',
          sources: [{ type: 'key-policy', policyName: 'default', sid: 'Allow key usage from vpc-2b2b2b2b', statementIndex: 1 }, { type: 'root-user' }],
        }],
      },
    });
    expect(direct.statusCode).toBe(400);
    const message = `User: arn:aws:iam::${ACCOUNT_ID}:root is not authorized to perform: kms:Encrypt on resource: ${key.arn} because no resource-based policy allows the kms:Encrypt action`;
    expect(JSON.parse(direct.body)).toEqual({ __type: 'AccessDeniedException', message });
    expect(harness.audit.events[1]).toMatchObject({
      errorCode: 'AccessDenied', errorMessage: message,
      additionalEventData: { authorization: [{ action: 'kms:Encrypt', resource: key.arn, decision: 'Deny', sources: [] }] },
    });
    expect(harness.audit.events[1]).not.toHaveProperty('vpcEndpointId');
  });

  it('passes the endpoint, its VPC and TLS to the group functions', async () => {
    // Prepare
    const harness = makeFrontHarness({ transport });

    // Act
    await harness.handler(await listAliasesEvent({ vpceId: REAL }), makeLambdaContext());

    // Assess
    expect(harness.groups.calls[0]?.request.context).toMatchObject({ vpcEndpointId: REAL, vpcId: 'vpc-2b2b2b2b', secureTransport: true });
  });
});
