/**
 * A RecordAuthenticator in memory: HMAC-SHA256 under a random key shared by every instance of the
 * test process (as every store of one service shares the token's key), the marker a flag.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { RecordAuthenticator } from '../../src/core/ports/index.js';
import { ItemIntegrity, type IntegrityFailure } from '../../src/adapters/dynamodb/item-integrity.js';

const PROCESS_KEY = randomBytes(32);

export class FakeRecordAuthenticator implements RecordAuthenticator {
  readonly #key: Uint8Array;
  #upgraded: boolean;

  /** `upgraded` false stands for a data folder made before records were authenticated. */
  constructor(options: { readonly upgraded?: boolean; readonly key?: Uint8Array } = {}) {
    this.#upgraded = options.upgraded ?? true;
    this.#key = options.key ?? PROCESS_KEY;
  }

  async mac(data: Uint8Array): Promise<Uint8Array> {
    return new Uint8Array(createHmac('sha256', this.#key).update(data).digest());
  }

  async verify(data: Uint8Array, mac: Uint8Array): Promise<boolean> {
    const expected = await this.mac(data);
    return mac.length === expected.length && timingSafeEqual(mac, expected);
  }

  async upgraded(): Promise<boolean> {
    return this.#upgraded;
  }

  async markUpgraded(): Promise<void> {
    this.#upgraded = true;
  }
}

/** Item integrity under the fake authenticator, upgraded; `failures` collects what it reports. */
export function testIntegrity(failures: IntegrityFailure[] = []): ItemIntegrity {
  return new ItemIntegrity({ authenticator: new FakeRecordAuthenticator(), onFailure: (failure) => failures.push(failure) }, true);
}

/** Items as versions before record integrity wrote them: without a MAC (for building an older data folder). */
class WithoutMacs extends ItemIntegrity {
  override async seal(item: Parameters<ItemIntegrity['seal']>[0]): ReturnType<ItemIntegrity['seal']> {
    return item;
  }
}

export function integrityOfOldVersions(): ItemIntegrity {
  return new WithoutMacs({ authenticator: new FakeRecordAuthenticator({ upgraded: false }), onFailure: () => undefined }, false);
}
