import { describe, expect, it } from 'vitest';
import { IAM_HANDLERS, stsHandlers } from '../../src/core/iam/operations/registry.js';
import { QUERY_SERVICES } from '../../src/pipeline/query-services.js';

const sha256 = (data: Uint8Array) => Promise.resolve(data);

describe('the identity services', () => {
  it.each([
    ['iam', IAM_HANDLERS],
    ['sts', stsHandlers(sha256)],
  ] as const)('have a %s handler for every operation the Query handler admits', (service, handlers) => {
    const missing = [...QUERY_SERVICES[service].operations].filter((operation) => !Object.hasOwn(handlers, operation));
    expect(missing).toEqual([]);
  });
});
