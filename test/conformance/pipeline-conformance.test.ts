/** The cases of pipeline-cases.ts through the front handler, over an in-memory core. */
import { describe, expect, it } from 'vitest';
import { InProcessGroupInvoker } from '../../src/composition/in-process-groups.js';
import { createGroupHandler } from '../../src/pipeline/group-handler.js';
import { silentLogger } from '../../src/pipeline/logger.js';
import { seedKey } from '../support/core.js';
import { makeFrontHarness, makeLambdaContext, makeProxyEvent } from '../support/pipeline.js';
import { signRequest } from '../support/sigv4.js';
import { PIPELINE_CASES, type PipelineCase } from './pipeline-cases.js';

const BODIES: Readonly<Record<PipelineCase['operation'], (keyId: string) => Record<string, unknown>>> = {
  Encrypt: (keyId) => ({ KeyId: keyId, Plaintext: Buffer.from('p').toString('base64') }),
  EnableKey: (keyId) => ({ KeyId: keyId }),
  TagResource: (keyId) => ({ KeyId: keyId, Tags: [{ TagKey: 'k', TagValue: 'v' }] }),
};

describe('pipeline conformance with AWS KMS', () => {
  it.each(PIPELINE_CASES.map((pipelineCase) => [pipelineCase.name, pipelineCase] as const))('answers %s as AWS KMS does', async (_, pipelineCase) => {
    // Prepare
    const internal = pipelineCase.keyState === 'internal';
    // Real group functions over the same core, or (for an internal failure) an invoker that cannot reach them.
    const harness = makeFrontHarness(internal ? {} : {
      groups: (core) => new InProcessGroupInvoker((group, verifier) => createGroupHandler({ group, core: core.deps, logger: silentLogger, verifier })),
    });
    harness.groups.respond = async () => { throw new Error('connect ECONNREFUSED'); };
    const key = await seedKey(harness.core, pipelineCase.keyState === 'internal' ? {} : { keyState: pipelineCase.keyState });
    const request = await signRequest({ target: `TrentService.${pipelineCase.operation}`, body: JSON.stringify(BODIES[pipelineCase.operation](key.keyId)) });

    // Act
    const response = await harness.handler(makeProxyEvent(request), makeLambdaContext());

    // Assess
    const expected = pipelineCase.expect(key.arn);
    expect(response.statusCode).toBe(expected.status);
    expect(response.headers?.['x-amzn-ErrorType']).toBe(expected.type);
    expect(JSON.parse(response.body)).toEqual({ __type: expected.type, message: expected.message });
  });
});
