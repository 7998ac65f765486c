import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { LambdaGroupInvoker, groupFunctionNamesFromEnv } from '../../src/composition/lambda-groups.js';
import type { GroupRequest, GroupResponse } from '../../src/pipeline/group-protocol.js';
import { GroupRequestSigner, GroupRequestVerifier, randomGroupRequestKey } from '../../src/pipeline/group-request-auth.js';
import { FakeClock } from '../support/fake-clock.js';

const lambda = mockClient(LambdaClient);
const clock = new FakeClock();
const key = randomGroupRequestKey();
const signer = new GroupRequestSigner({ key, clock });

function makeRequest(): GroupRequest {
  return {
    operation: 'CreateAlias',
    body: '{"AliasName":"alias/a","TargetKeyId":"1234abcd-12ab-34cd-56ef-1234567890ab"}',
    context: {
      requestId: 'req-1',
      principal: { type: 'Root', accountId: '111122223333', arn: 'arn:aws:iam::111122223333:root', principalId: '111122223333', accessKeyId: 'AKIAEXAMPLE' },
      region: 'us-east-1',
      sourceIp: '10.0.0.1',
      userAgent: 'test',
    },
  };
}

describe('LambdaGroupInvoker', () => {
  beforeEach(() => lambda.reset());

  it('returns the group function\'s response when the invocation succeeds, having sent the request signed for that group', async () => {
    // Prepare
    const response: GroupResponse = { ok: true, body: '{}', touched: ['arn:aws:kms:us-east-1:111122223333:key/k'] };
    lambda.on(InvokeCommand).resolves({ StatusCode: 200, Payload: new TextEncoder().encode(JSON.stringify(response)) as never });
    const invoker = new LambdaGroupInvoker({ functionNames: { aliases: 'kms-aliases' }, signer, client: new LambdaClient({ region: 'us-east-1' }) });

    // Act
    const result = await invoker.invoke('aliases', makeRequest());

    // Assess
    expect(result).toEqual(response);
    const call = lambda.commandCalls(InvokeCommand)[0];
    expect(call?.args[0].input.FunctionName).toBe('kms-aliases');
    const payload: unknown = JSON.parse(new TextDecoder().decode(call?.args[0].input.Payload as Uint8Array));
    expect(new GroupRequestVerifier({ key, clock }).verify('aliases', payload)).toEqual({ ok: true, request: makeRequest() });
  });

  it('throws when the group function itself failed (FunctionError)', async () => {
    // Prepare
    lambda.on(InvokeCommand).resolves({ StatusCode: 200, FunctionError: 'Unhandled', Payload: new TextEncoder().encode('{}') as never });
    const invoker = new LambdaGroupInvoker({ functionNames: { aliases: 'kms-aliases' }, signer, client: new LambdaClient({ region: 'us-east-1' }) });

    // Act
    const result = invoker.invoke('aliases', makeRequest());

    // Assess
    await expect(result).rejects.toThrow(/group function aliases failed: Unhandled/);
  });

  it('throws KMSInternalException when no function is configured for the group', async () => {
    // Prepare
    const invoker = new LambdaGroupInvoker({ functionNames: {}, signer, client: new LambdaClient({ region: 'us-east-1' }) });

    // Act
    const result = invoker.invoke('tags', makeRequest());

    // Assess
    await expect(result).rejects.toMatchObject({ name: 'KMSInternalException' });
    expect(lambda.commandCalls(InvokeCommand)).toHaveLength(0);
  });
});

describe('groupFunctionNamesFromEnv', () => {
  it('returns the function name of every group whose GROUP_FUNCTION_<GROUP> variable is set', () => {
    // Prepare
    const env = { GROUP_FUNCTION_KEYS: 'kms-keys', GROUP_FUNCTION_KEY_STORES: 'kms-key-stores', GROUP_FUNCTION_TAGS: '' };

    // Act
    const names = groupFunctionNamesFromEnv(env);

    // Assess
    expect(names).toEqual({ keys: 'kms-keys', keyStores: 'kms-key-stores' });
  });
});
