/**
 * The crypto floor: AES-256-GCM encryptions of a small payload through the PKCS#11 adapter alone
 * (warm key handle, one at a time, as the service does them), with no HTTP, auth or storage.
 */
import { randomBytes } from 'node:crypto';
import { Pkcs11KeyMaterial, type Pkcs11Config } from '../../src/adapters/pkcs11/pkcs11-key-material.js';
import { Pkcs11RecordAuthenticator } from '../../src/adapters/pkcs11/record-authenticator.js';
import { ItemIntegrity } from '../../src/adapters/dynamodb/item-integrity.js';
import { keyToItem } from '../../src/adapters/dynamodb/item-mapping.js';
import type { WrappedKeyRef } from '../../src/core/ports/index.js';

export interface RawResult {
  readonly ops: number;
  readonly elapsedSeconds: number;
  readonly opsPerSecond: number;
  /** Mean time per operation, in microseconds. */
  readonly meanMicros: number;
  readonly cpuMs: number;
}

export class RawPkcs11Bench {
  readonly #material: Pkcs11KeyMaterial;
  readonly #key: WrappedKeyRef;

  private constructor(material: Pkcs11KeyMaterial, key: WrappedKeyRef) {
    this.#material = material;
    this.#key = key;
  }

  static async open(config: Pkcs11Config): Promise<RawPkcs11Bench> {
    const material = await Pkcs11KeyMaterial.open(config);
    try {
      const key = { backingKeyId: `bench-${randomBytes(8).toString('hex')}`, wrappedMaterial: await material.generateSymmetricKey() };
      return new RawPkcs11Bench(material, key);
    } catch (error) {
      await material.close();
      throw error;
    }
  }

  /** Encrypts `payloadBytes` at most `maxOps` times or for at most `maxSeconds`, whichever ends first. */
  async encryptLoop(payloadBytes: number, maxOps: number, maxSeconds: number): Promise<RawResult> {
    const plaintext = randomBytes(payloadBytes);
    // About the size of the AAD the service binds (blob header and an empty encryption context).
    const aad = randomBytes(48);
    // Warm the handle cache and the JIT outside the timed loop.
    for (let i = 0; i < 200; i++) await this.#material.encrypt(this.#key, plaintext, aad);
    const deadline = process.hrtime.bigint() + BigInt(Math.round(maxSeconds * 1e9));
    const cpuBefore = process.cpuUsage();
    const start = process.hrtime.bigint();
    let ops = 0;
    while (ops < maxOps) {
      await this.#material.encrypt(this.#key, plaintext, aad);
      ops++;
      if ((ops & 255) === 0 && process.hrtime.bigint() >= deadline) break;
    }
    const now = process.hrtime.bigint();
    const cpu = process.cpuUsage(cpuBefore);
    const elapsedSeconds = Number(now - start) / 1e9;
    return { ops, elapsedSeconds, opsPerSecond: ops / elapsedSeconds, meanMicros: (elapsedSeconds * 1e6) / ops, cpuMs: (cpu.user + cpu.system) / 1000 };
  }

  /**
   * The integrity check of one key metadata item (canonical encoding and HMAC-SHA256 in the
   * token), as a read from the table pays it: a cache miss only, never a warm request.
   */
  async recordCheckLoop(maxSeconds: number): Promise<RawResult> {
    const integrity = new ItemIntegrity({ authenticator: new Pkcs11RecordAuthenticator(this.#material), onFailure: () => undefined }, true);
    const item = await integrity.seal(keyToItem({
      keyId: '1234abcd-12ab-34cd-56ef-1234567890ab', arn: 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
      accountId: '111122223333', region: 'us-east-1', description: 'a key', keySpec: 'SYMMETRIC_DEFAULT', keyUsage: 'ENCRYPT_DECRYPT',
      origin: 'AWS_KMS', keyState: 'Enabled', creationDate: 1_733_300_000, currentBackingKeyId: 'a'.repeat(64), tags: [], multiRegion: false,
      policy: JSON.stringify({ Version: '2012-10-17', Id: 'key-default-1', Statement: [{ Sid: 'Enable IAM User Permissions', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:root' }, Action: 'kms:*', Resource: '*' }] }),
      revision: 1,
    }));
    for (let i = 0; i < 200; i++) await integrity.check(item);
    const deadline = process.hrtime.bigint() + BigInt(Math.round(maxSeconds * 1e9));
    const cpuBefore = process.cpuUsage();
    const start = process.hrtime.bigint();
    let ops = 0;
    do {
      if ((await integrity.check(item)) !== undefined) throw new Error('the benchmark\'s sealed item failed its own check');
      ops++;
    } while ((ops & 255) !== 0 || process.hrtime.bigint() < deadline);
    const elapsedSeconds = Number(process.hrtime.bigint() - start) / 1e9;
    const cpu = process.cpuUsage(cpuBefore);
    return { ops, elapsedSeconds, opsPerSecond: ops / elapsedSeconds, meanMicros: (elapsedSeconds * 1e6) / ops, cpuMs: (cpu.user + cpu.system) / 1000 };
  }

  async close(): Promise<void> {
    await this.#material.close();
  }
}
