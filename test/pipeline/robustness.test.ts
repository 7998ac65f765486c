import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OPERATIONS, SHAPES } from '../../src/models/kms/generated/schema.js';
import { OPERATION_HANDLERS } from '../../src/core/kms/operations/registry.js';
import type { OperationName } from '../../src/models/kms/generated/operations.js';
import { InProcessGroupInvoker } from '../../src/composition/in-process-groups.js';
import { createGroupHandler } from '../../src/pipeline/group-handler.js';
import { silentLogger } from '../../src/pipeline/logger.js';
import { makeFrontHarness, makeLambdaContext, makeProxyEvent } from '../support/pipeline.js';
import { signRequest } from '../support/sigv4.js';

const BUILT = (Object.keys(OPERATION_HANDLERS) as OperationName[]).sort();

/** Member names of an operation's input, so generated bodies reach past the first type check. */
function inputMembers(operation: OperationName): string[] {
  const shape = SHAPES[OPERATIONS[operation].input];
  return Object.keys(shape?.members ?? {});
}

const jsonValue = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.integer({ min: -5, max: 5000 }),
  fc.boolean(),
  fc.constant(null),
  fc.base64String({ maxLength: 64 }),
  fc.constantFrom('alias/x', 'SYMMETRIC_DEFAULT', 'RSA_2048', 'RAW', 'DIGEST', 'ECDSA_SHA_256', '1234abcd-12ab-34cd-56ef-1234567890ab'),
  fc.array(fc.string({ maxLength: 8 }), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 }), { maxKeys: 3 }),
);

describe('the front handler under arbitrary input', () => {
  it('answers every built operation with 200 or a 4xx AWS error, never an internal error, whatever the body', async () => {
    // Prepare
    const harness = makeFrontHarness({
      groups: (core) => new InProcessGroupInvoker((group, verifier) => createGroupHandler({ group, core: core.deps, logger: silentLogger, verifier })),
    });
    const requests = fc.constantFrom(...BUILT).chain((operation) =>
      fc.record({
        operation: fc.constant(operation),
        body: fc.dictionary(fc.constantFrom(...inputMembers(operation), 'Unknown'), jsonValue, { maxKeys: 6 }),
      }));

    // Act / Assess
    await fc.assert(
      fc.asyncProperty(requests, async ({ operation, body }) => {
        const signed = await signRequest({ target: `TrentService.${operation}`, body: JSON.stringify(body) });
        const result = await harness.handler(makeProxyEvent(signed), makeLambdaContext());
        const parsed = JSON.parse(result.body) as { __type?: string };
        expect(result.statusCode === 200 || (result.statusCode >= 400 && result.statusCode < 500), `${operation} ${result.body}`).toBe(true);
        expect(parsed.__type).not.toBe('KMSInternalException');
      }),
      { numRuns: 300 },
    );
    expect(harness.logger.entries.filter((entry) => entry.level === 'error')).toEqual([]);
  });
});
