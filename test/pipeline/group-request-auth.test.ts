import { describe, expect, it } from 'vitest';
import type { GroupRequest } from '../../src/pipeline/group-protocol.js';
import {
  GroupRequestSigner, GroupRequestVerifier, MIN_KEY_BYTES, groupRequestKeyFrom, randomGroupRequestKey,
} from '../../src/pipeline/group-request-auth.js';
import { makeContext } from '../support/core.js';
import { FakeClock } from '../support/fake-clock.js';

const request = (requestId: string): GroupRequest => ({ operation: 'ListKeys', body: '{}', context: makeContext({ requestId }) });

function makePair(options: { replayCapacity?: number } = {}) {
  const clock = new FakeClock();
  const key = randomGroupRequestKey();
  const signer = new GroupRequestSigner({ key, clock });
  const verifier = new GroupRequestVerifier({ key, clock, ...options });
  return { clock, signer, verifier, check: (requestId: string) => verifier.verify('keys', signer.sign('keys', request(requestId))) };
}

describe('GroupRequestVerifier', () => {
  it('returns the request exactly as the front signed it', () => {
    // Prepare
    const { signer, verifier } = makePair();
    const sent: GroupRequest = {
      operation: 'CreateKey', body: '{"Description":"d"}', context: makeContext({ requestId: 'r-1', vpcEndpointId: 'vpce-0123456789abcdef0' }),
    };

    // Act
    const checked = verifier.verify('keys', signer.sign('keys', sent));

    // Assess
    expect(checked).toEqual({ ok: true, request: sent });
  });

  it('returns the user name, tags and role session of the principal as the front signed them', () => {
    // Prepare
    const { signer, verifier } = makePair();
    const base = makeContext({ requestId: 'r-2' });
    const sent: GroupRequest = {
      operation: 'ListKeys', body: '{}',
      context: {
        ...base,
        principal: {
          ...base.principal, type: 'AssumedRole', arn: `arn:aws:sts::${base.principal.accountId}:assumed-role/Ops/s1`, principalId: 'AROAEXAMPLE:s1',
          tags: { team: 'blue' },
          session: {
            roleArn: `arn:aws:iam::${base.principal.accountId}:role/Ops`, roleName: 'Ops', roleId: 'AROAEXAMPLE', sessionName: 's1',
            issuedAt: 1, expiresAt: 2, sourceIdentity: 'alice',
          },
        },
      },
    };

    // Act
    const checked = verifier.verify('keys', signer.sign('keys', sent));

    // Assess
    expect(checked).toEqual({ ok: true, request: sent });
  });

  it('drops fields the front never sends from an authentic payload', () => {
    // Prepare
    const { signer, verifier } = makePair();
    const sent = { ...request('r-1'), context: { ...makeContext({ requestId: 'r-1' }), extra: 'x' } };

    // Act
    const checked = verifier.verify('keys', signer.sign('keys', sent));

    // Assess
    expect(checked).toEqual({ ok: true, request: request('r-1') });
  });

  it('refuses an authentic payload whose claims have the wrong shape', () => {
    // Prepare
    const { signer, verifier } = makePair();
    const sent = { ...request('r-1'), operation: 'NoSuchOperation' } as unknown as GroupRequest;

    // Act
    const checked = verifier.verify('keys', signer.sign('keys', sent));

    // Assess
    expect(checked).toEqual({ ok: false, reason: 'malformed-claims' });
  });

  it('refuses the replay of a request it had to forget because a group runs each request ID once', () => {
    // Prepare: a memory of two, filled past its bound
    const { clock, signer, verifier, check } = makePair({ replayCapacity: 2 });
    const original = signer.sign('keys', request('r-1'));
    const first = verifier.verify('keys', original);
    clock.advance(1);
    check('r-2');
    clock.advance(1);
    check('r-3');

    // Act
    const replayOfForgotten = verifier.verify('keys', original);

    // Assess
    expect(first.ok).toBe(true);
    expect(replayOfForgotten).toEqual({ ok: false, reason: 'replayed', requestId: 'r-1' });
  });

  it('keeps accepting new requests while its memory stays within its bound', () => {
    // Prepare
    const { clock, check } = makePair({ replayCapacity: 3 });

    // Act
    const results = Array.from({ length: 100 }, (_, i) => {
      clock.advance(1);
      return check(`r-${i}`).ok;
    });

    // Assess
    expect(results.every(Boolean)).toBe(true);
  });
});

describe('groupRequestKeyFrom', () => {
  it('returns the UTF-8 bytes of the secret', () => {
    // Prepare
    const secret = 'k'.repeat(64);

    // Act
    const key = groupRequestKeyFrom(secret);

    // Assess
    expect(key).toEqual(new TextEncoder().encode(secret));
  });

  it('throws when the secret is shorter than 256 bits', () => {
    // Prepare
    const secret = 'k'.repeat(MIN_KEY_BYTES - 1);

    // Act
    const load = () => groupRequestKeyFrom(secret);

    // Assess
    expect(load).toThrow(/at least 32/);
  });
});
