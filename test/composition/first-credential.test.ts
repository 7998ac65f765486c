/**
 * The first credential a deployment makes: sealed into the table like any access key, its secret
 * in the stack's secret; idempotent, and crash-safe between the two writes. Over the in-memory
 * store and the fake token, with the real SigV4 credential resolver reading it back.
 */
import { describe, expect, it } from 'vitest';
import { createFirstCredentialHandler } from '../../src/pipeline/first-credential-handler.js';
import { ensureFirstCredential } from '../../src/composition/first-credential.js';
import { StoredCredentialResolver } from '../../src/authn/stored-credentials.js';
import type { CredentialSecret, RootCredential } from '../../src/core/ports/index.js';
import { InMemoryIdentityStore } from '../support/in-memory-identity-store.js';
import { InMemoryStore } from '../support/in-memory-store.js';
import { FakeKeyMaterial } from '../support/fake-key-material.js';
import { FakeClock } from '../support/fake-clock.js';
import { SequentialIds } from '../support/sequential-ids.js';

const ACCOUNT = '111122223333';

class MemorySecret implements CredentialSecret {
  value: RootCredential | undefined;
  writes = 0;
  async read(): Promise<RootCredential | undefined> {
    return this.value;
  }
  async write(credential: RootCredential): Promise<void> {
    this.writes += 1;
    this.value = credential;
  }
}

function given() {
  const store = new InMemoryStore();
  const identities = new InMemoryIdentityStore();
  const material = new FakeKeyMaterial();
  const clock = new FakeClock();
  const secret = new MemorySecret();
  const parts = { accountId: ACCOUNT, store, identities, material, clock, ids: new SequentialIds(), secret };
  const resolver = new StoredCredentialResolver({ store, material, clock, ttlMs: 0 });
  return { store, identities, secret, parts, resolver };
}

describe('ensureFirstCredential', () => {
  it('makes an access key of the account root that SigV4 resolves to the secret kept in the secret, and records the account', async () => {
    // Prepare
    const { secret, parts, resolver, identities } = given();

    // Act
    const accessKeyId = await ensureFirstCredential(parts);
    const resolved = await resolver.resolve(accessKeyId);

    // Assess
    expect(accessKeyId).toMatch(/^AKIA[A-Z2-7]{16}$/);
    expect(secret.value?.accessKeyId).toBe(accessKeyId);
    expect(resolved?.secretAccessKey).toBe(secret.value?.secretAccessKey);
    expect(resolved?.principal).toMatchObject({ type: 'Root', accountId: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:root` });
    expect(await identities.accountExists(ACCOUNT)).toBe(true);
  });

  it('keeps the same key when run again (an update or a second deploy)', async () => {
    // Prepare
    const { secret, parts } = given();
    const first = await ensureFirstCredential(parts);

    // Act
    const second = await ensureFirstCredential(parts);

    // Assess
    expect(second).toBe(first);
    expect(secret.writes).toBe(1);
  });

  it('finishes with the key in the secret when a run stopped after writing the secret and before the table', async () => {
    // Prepare
    const { secret, parts, resolver } = given();
    secret.value = { accessKeyId: 'AKIAAAAAAAAAAAAAAAAB', secretAccessKey: 'x'.repeat(40) };

    // Act
    const accessKeyId = await ensureFirstCredential(parts);

    // Assess
    expect(accessKeyId).toBe('AKIAAAAAAAAAAAAAAAAB');
    expect((await resolver.resolve(accessKeyId))?.secretAccessKey).toBe('x'.repeat(40));
    expect(secret.writes).toBe(0);
  });

  it('refuses a secret naming an access key of another principal', async () => {
    // Prepare
    const { secret, parts, store } = given();
    await store.putAccessKey({
      accessKeyId: 'AKIAAAAAAAAAAAAAAAAC', sealedSecret: { iv: new Uint8Array(12), ciphertext: new Uint8Array(16) }, accountId: '444455556666',
      principalArn: 'arn:aws:iam::444455556666:root', principalId: '444455556666', status: 'Active', creationDate: 0,
    });
    secret.value = { accessKeyId: 'AKIAAAAAAAAAAAAAAAAC', secretAccessKey: 'y'.repeat(40) };

    // Act
    const result = ensureFirstCredential(parts);

    // Assess
    await expect(result).rejects.toThrow('access key AKIAAAAAAAAAAAAAAAAC in the secret belongs to arn:aws:iam::444455556666:root, not the root of 111122223333');
  });
});

describe('the first-credential custom resource handler', () => {
  it('answers Create and Update with the access key ID only, and Delete without touching anything', async () => {
    // Prepare
    const { parts } = given();
    let runs = 0;
    const logged: unknown[] = [];
    const handler = createFirstCredentialHandler({
      accountId: ACCOUNT, ensure: async () => { runs += 1; return ensureFirstCredential(parts); }, logger: { info: (...args) => logged.push(args), error: () => undefined },
    });

    // Act
    const created = await handler({ RequestType: 'Create' });
    const updated = await handler({ RequestType: 'Update', PhysicalResourceId: created.PhysicalResourceId });
    const deleted = await handler({ RequestType: 'Delete', PhysicalResourceId: created.PhysicalResourceId });

    // Assess
    expect(created).toEqual({ PhysicalResourceId: `first-credential-${ACCOUNT}`, Data: { AccessKeyId: parts.secret.value?.accessKeyId } });
    expect(updated).toEqual(created);
    expect(deleted).toEqual({ PhysicalResourceId: `first-credential-${ACCOUNT}` });
    expect(runs).toBe(2);
    expect(JSON.stringify(logged)).not.toContain(parts.secret.value?.secretAccessKey ?? 'none');
  });
});
