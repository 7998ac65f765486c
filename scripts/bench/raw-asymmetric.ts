/**
 * The crypto floors of the asymmetric and HMAC targets: the same operation, algorithm and message
 * size through the key material adapters alone (warm key handles, one operation at a time, as the
 * service does them), with no HTTP, auth or storage. RSA, ECDSA and HMAC go through the token tier
 * (`Pkcs11AsymmetricKeyMaterial`); Ed25519 through the software tier (`SoftwareKeyMaterial`
 * sealing under the token's root key), which is where the service keeps Ed25519 keys on SoftHSM.
 */
import { randomBytes } from 'node:crypto';
import { Pkcs11AsymmetricKeyMaterial } from '../../src/adapters/pkcs11/asymmetric/pkcs11-asymmetric-key-material.js';
import { Pkcs11KeyMaterial, type Pkcs11Config } from '../../src/adapters/pkcs11/pkcs11-key-material.js';
import { SoftwareKeyMaterial } from '../../src/adapters/software/software-key-material.js';
import type { MacAlgorithmSpec, SigningAlgorithmSpec } from '../../src/models/kms/generated/shapes.js';
import type { SigningInput, StoredKeyRef } from '../../src/core/ports/index.js';
import { MESSAGE_BYTES, type AsymmetricTarget, type AsymmetricTargetId } from './asymmetric-targets.js';
import type { RawResult } from './raw-pkcs11.js';

/** Distinct messages each loop cycles through. */
const MESSAGES = 64;
const WARM_OPS = 100;
const WARM_SECONDS = 0.5;

type Operation = () => Promise<void>;

export class RawAsymmetricBench {
  readonly #material: Pkcs11KeyMaterial;
  readonly #token: Pkcs11AsymmetricKeyMaterial;
  readonly #software: SoftwareKeyMaterial;
  readonly #operations = new Map<AsymmetricTargetId, Operation>();

  private constructor(material: Pkcs11KeyMaterial) {
    this.#material = material;
    this.#token = Pkcs11AsymmetricKeyMaterial.create(material);
    this.#software = new SoftwareKeyMaterial(material);
  }

  static async open(config: Pkcs11Config, targets: readonly AsymmetricTarget[]): Promise<RawAsymmetricBench> {
    const material = await Pkcs11KeyMaterial.open(config);
    try {
      const bench = new RawAsymmetricBench(material);
      for (const target of targets) bench.#operations.set(target.id, await bench.#prepare(target));
      return bench;
    } catch (error) {
      await material.close();
      throw error;
    }
  }

  /** Whether the token itself has the mechanisms for a spec (false for Ed25519 on SoftHSM). */
  tokenSupports(target: AsymmetricTarget): boolean {
    return this.#token.tokenSupports(target.keySpec);
  }

  /** Runs a target's operation at most `maxOps` times or for at most `maxSeconds`, whichever ends first. */
  async loop(target: AsymmetricTarget, maxOps: number, maxSeconds: number): Promise<RawResult> {
    const operation = this.#operations.get(target.id);
    if (operation === undefined) throw new Error(`raw loop for ${target.id} was not prepared`);
    // Warm the handle cache and the JIT outside the timed loop.
    const warmEnd = process.hrtime.bigint() + BigInt(Math.round(WARM_SECONDS * 1e9));
    for (let i = 0; i < WARM_OPS && process.hrtime.bigint() < warmEnd; i++) await operation();
    const deadline = process.hrtime.bigint() + BigInt(Math.round(maxSeconds * 1e9));
    const cpuBefore = process.cpuUsage();
    const start = process.hrtime.bigint();
    let ops = 0;
    while (ops < maxOps) {
      await operation();
      ops++;
      if ((ops & 15) === 0 && process.hrtime.bigint() >= deadline) break;
    }
    const now = process.hrtime.bigint();
    const cpu = process.cpuUsage(cpuBefore);
    const elapsedSeconds = Number(now - start) / 1e9;
    return { ops, elapsedSeconds, opsPerSecond: ops / elapsedSeconds, meanMicros: (elapsedSeconds * 1e6) / ops, cpuMs: (cpu.user + cpu.system) / 1000 };
  }

  async close(): Promise<void> {
    await this.#material.close();
  }

  /** Makes the target's key in the adapter and returns one operation on it, checked once. */
  async #prepare(target: AsymmetricTarget): Promise<Operation> {
    const backingKeyId = `bench-raw-${target.id}-${randomBytes(6).toString('hex')}`;
    const inputs: SigningInput[] = Array.from({ length: MESSAGES }, () => ({ messageType: 'RAW', message: new Uint8Array(randomBytes(MESSAGE_BYTES)) }));
    let next = 0;
    const input = (): SigningInput => {
      const value = inputs[next] as SigningInput;
      next = (next + 1) % inputs.length;
      return value;
    };

    if (target.operation === 'GenerateMac') {
      const generated = await this.#token.generateMacKey(target.keySpec as 'HMAC_256');
      const key: StoredKeyRef = { backingKeyId, wrappedMaterial: generated.wrappedMaterial, keySpec: target.keySpec, tier: generated.tier };
      const algorithm = target.algorithm as MacAlgorithmSpec;
      const operation: Operation = async () => {
        await this.#token.generateMac(key, algorithm, input().message);
      };
      const mac = await this.#token.generateMac(key, algorithm, input().message);
      if (mac.length !== 32) throw new Error(`raw ${target.label}: MAC of ${mac.length} bytes`);
      return operation;
    }

    const spec = target.keySpec as 'RSA_2048' | 'ECC_NIST_P256' | 'ECC_NIST_EDWARDS25519';
    const tier = target.tier === 'token' ? this.#token : this.#software;
    const generated = await tier.generateKeyPair(spec);
    if (generated.tier !== target.tier) throw new Error(`raw ${target.label}: key generated in the ${generated.tier} tier, expected ${target.tier}`);
    const key = { backingKeyId, wrappedMaterial: generated.wrappedMaterial, keySpec: spec, tier: generated.tier, publicKey: generated.publicKey };
    const algorithm = target.algorithm as SigningAlgorithmSpec;

    if (target.operation === 'Sign') {
      const signature = await tier.sign(key, algorithm, input());
      if (signature.length === 0) throw new Error(`raw ${target.label}: empty signature`);
      return async () => {
        await tier.sign(key, algorithm, input());
      };
    }

    // Verify: every message signed once up front, each check must come back valid.
    const signatures: Uint8Array[] = [];
    for (const one of inputs) signatures.push(await tier.sign(key, algorithm, one));
    let at = 0;
    return async () => {
      const i = at;
      at = (at + 1) % inputs.length;
      const valid = await tier.verify(key, algorithm, inputs[i] as SigningInput, signatures[i] as Uint8Array);
      if (!valid) throw new Error(`raw ${target.label}: a signature did not verify`);
    };
  }
}
