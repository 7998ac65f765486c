/** The compiled-policy cache: compiled once per document, shared by keys, recompiled when a key's policy changes. */
import { describe, expect, it } from 'vitest';
import { CompiledPolicies } from '../../../../src/core/kms/access/compiled-policies.js';
import type { KeyRecord } from '../../../../src/core/kms/records.js';
import { KMSInternalException } from '../../../../src/models/kms/generated/errors.js';

const policy = (sid: string): string => JSON.stringify({
  Version: '2012-10-17', Statement: [{ Sid: sid, Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:root' }, Action: 'kms:*', Resource: '*' }],
});

function key(keyId: string, text: string, revision = 1): KeyRecord {
  return {
    keyId, arn: `arn:aws:kms:us-east-1:111122223333:key/${keyId}`, accountId: '111122223333', region: 'us-east-1', description: '',
    keySpec: 'SYMMETRIC_DEFAULT', keyUsage: 'ENCRYPT_DECRYPT', origin: 'AWS_KMS', keyState: 'Enabled', creationDate: 0,
    currentBackingKeyId: 'b', tags: [], multiRegion: false, policy: text, revision,
  };
}

describe('CompiledPolicies.keyPolicy', () => {
  it('shares one compiled policy between keys with the same document', () => {
    // Prepare
    const cache = new CompiledPolicies();

    // Act
    const first = cache.keyPolicy(key('a', policy('same')));
    const second = cache.keyPolicy(key('b', policy('same')));

    // Assess
    expect(second).toBe(first);
  });

  it('compiles the new document when a key\'s policy changes, and keeps the others', () => {
    // Prepare
    const cache = new CompiledPolicies();
    const before = cache.keyPolicy(key('a', policy('old')));

    // Act
    const after = cache.keyPolicy(key('a', policy('new'), 2));

    // Assess
    expect(after).not.toBe(before);
    expect(cache.keyPolicy(key('c', policy('old')))).toBe(before);
  });

  it('refuses a stored document that does not parse with an internal error', () => {
    // Act / Assess
    expect(() => new CompiledPolicies().keyPolicy(key('a', '{not json'))).toThrow(KMSInternalException);
  });
});
