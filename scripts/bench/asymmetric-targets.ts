/**
 * The asymmetric and HMAC targets of the benchmark: which key, operation and algorithm each one
 * measures, and the service side of each: keys created through the API, pre-signed requests with
 * fresh 32-byte messages, and a check of one response before every load run.
 */
import type { KeySpec, MacAlgorithmSpec, SigningAlgorithmSpec } from '../../src/models/kms/generated/shapes.js';
import type { ReplayRequest } from './load-protocol.js';
import type { RequestSigner } from './signed-requests.js';
import { randomPlaintexts } from './signed-requests.js';

export const ASYMMETRIC_TARGET_IDS = ['sign-rsa', 'sign-ecdsa', 'sign-ed25519', 'verify-ecdsa', 'mac-hmac'] as const;
export type AsymmetricTargetId = (typeof ASYMMETRIC_TARGET_IDS)[number];

/** Bytes of every message signed, verified or MACed. */
export const MESSAGE_BYTES = 32;

export interface AsymmetricTarget {
  readonly id: AsymmetricTargetId;
  /** Row label, e.g. `Sign RSA_2048`. */
  readonly label: string;
  readonly operation: 'Sign' | 'Verify' | 'GenerateMac';
  readonly keySpec: KeySpec & ('RSA_2048' | 'ECC_NIST_P256' | 'ECC_NIST_EDWARDS25519' | 'HMAC_256');
  readonly keyUsage: 'SIGN_VERIFY' | 'GENERATE_VERIFY_MAC';
  readonly algorithm: SigningAlgorithmSpec | MacAlgorithmSpec;
  /** Where the service keeps keys of this spec with SoftHSM, and where the raw loop runs. */
  readonly tier: 'token' | 'software';
  /** What the raw loop exercises, for the report. */
  readonly rawDescription: string;
}

export const ASYMMETRIC_TARGETS: Readonly<Record<AsymmetricTargetId, AsymmetricTarget>> = {
  'sign-rsa': {
    id: 'sign-rsa', label: 'Sign RSA_2048', operation: 'Sign', keySpec: 'RSA_2048', keyUsage: 'SIGN_VERIFY',
    algorithm: 'RSASSA_PKCS1_V1_5_SHA_256', tier: 'token', rawDescription: 'token tier: SHA-256 in Node, CKM_RSA_PKCS sign in PKCS#11',
  },
  'sign-ecdsa': {
    id: 'sign-ecdsa', label: 'Sign ECC_NIST_P256', operation: 'Sign', keySpec: 'ECC_NIST_P256', keyUsage: 'SIGN_VERIFY',
    algorithm: 'ECDSA_SHA_256', tier: 'token', rawDescription: 'token tier: SHA-256 in Node, CKM_ECDSA sign in PKCS#11, DER encoding',
  },
  'sign-ed25519': {
    id: 'sign-ed25519', label: 'Sign ECC_NIST_EDWARDS25519', operation: 'Sign', keySpec: 'ECC_NIST_EDWARDS25519', keyUsage: 'SIGN_VERIFY',
    algorithm: 'ED25519_SHA_512', tier: 'software',
    rawDescription: 'SOFTWARE tier: key unsealed with PKCS#11 AES-GCM, then pure Ed25519 with OpenSSL through node:crypto',
  },
  'verify-ecdsa': {
    id: 'verify-ecdsa', label: 'Verify ECC_NIST_P256', operation: 'Verify', keySpec: 'ECC_NIST_P256', keyUsage: 'SIGN_VERIFY',
    algorithm: 'ECDSA_SHA_256', tier: 'token', rawDescription: 'token tier: SHA-256 in Node, CKM_ECDSA verify in PKCS#11 with the imported public key',
  },
  'mac-hmac': {
    id: 'mac-hmac', label: 'GenerateMac HMAC_256', operation: 'GenerateMac', keySpec: 'HMAC_256', keyUsage: 'GENERATE_VERIFY_MAC',
    algorithm: 'HMAC_SHA_256', tier: 'token', rawDescription: 'token tier: CKM_SHA256_HMAC in PKCS#11',
  },
};

export class AsymmetricSetupFailure extends Error {}

/** Sends one signed request and returns its parsed JSON output; throws unless HTTP 200 and `check` passes. */
export type Probe = (request: ReplayRequest, what: string, check: (output: Record<string, unknown>) => boolean) => Promise<Record<string, unknown>>;

interface VerifyCase {
  readonly message: string;
  readonly signature: string;
}

const isBase64 = (value: unknown): value is string => typeof value === 'string' && value.length > 0;

/** Keys and request factories for the asymmetric targets, on the service. */
export class AsymmetricKmsTargets {
  readonly #signer: RequestSigner;
  readonly #probe: Probe;
  readonly #count: number;
  readonly #keyIds: ReadonlyMap<AsymmetricTargetId, string>;
  readonly #verifyCases: readonly VerifyCase[];

  private constructor(signer: RequestSigner, probe: Probe, count: number, keyIds: ReadonlyMap<AsymmetricTargetId, string>, verifyCases: readonly VerifyCase[]) {
    this.#signer = signer;
    this.#probe = probe;
    this.#count = count;
    this.#keyIds = keyIds;
    this.#verifyCases = verifyCases;
  }

  /**
   * Creates one key per target through the API (the Verify target gets its own P-256 key) and,
   * for Verify, `count` messages signed through the API.
   */
  static async create(signer: RequestSigner, probe: Probe, targets: readonly AsymmetricTarget[], count: number): Promise<AsymmetricKmsTargets> {
    const keyIds = new Map<AsymmetricTargetId, string>();
    for (const target of targets) {
      const created = await probe(
        await signer.sign('CreateKey', { Description: `benchmark ${target.label}`, KeySpec: target.keySpec, KeyUsage: target.keyUsage }),
        `CreateKey ${target.keySpec}`,
        (out) => {
          const metadata = out['KeyMetadata'] as Record<string, unknown> | undefined;
          return typeof metadata?.['KeyId'] === 'string' && metadata['KeySpec'] === target.keySpec;
        },
      );
      keyIds.set(target.id, String((created['KeyMetadata'] as Record<string, unknown>)['KeyId']));
    }
    const verifyCases: VerifyCase[] = [];
    const verifyKey = keyIds.get('verify-ecdsa');
    if (verifyKey !== undefined) {
      const algorithm = ASYMMETRIC_TARGETS['verify-ecdsa'].algorithm;
      for (const message of randomPlaintexts(count, MESSAGE_BYTES)) {
        const signed = await probe(
          await signer.sign('Sign', { KeyId: verifyKey, Message: message, MessageType: 'RAW', SigningAlgorithm: algorithm }),
          'Sign (setup of Verify)',
          (out) => isBase64(out['Signature']),
        );
        verifyCases.push({ message, signature: String(signed['Signature']) });
      }
    }
    return new AsymmetricKmsTargets(signer, probe, count, keyIds, verifyCases);
  }

  keyId(target: AsymmetricTargetId): string {
    const keyId = this.#keyIds.get(target);
    if (keyId === undefined) throw new AsymmetricSetupFailure(`no key was created for ${target}`);
    return keyId;
  }

  /** Freshly signed requests for one cell, the first of them checked end to end. */
  async requestsFor(target: AsymmetricTarget): Promise<ReplayRequest[]> {
    const n = this.#count;
    const keyId = this.keyId(target.id);
    let requests: ReplayRequest[];
    let check: (output: Record<string, unknown>) => boolean;
    switch (target.operation) {
      case 'Sign': {
        const messages = randomPlaintexts(n, MESSAGE_BYTES);
        requests = await this.#signer.signMany('Sign', n, (i) => ({ KeyId: keyId, Message: messages[i], MessageType: 'RAW', SigningAlgorithm: target.algorithm }));
        check = (out) => isBase64(out['Signature']) && out['SigningAlgorithm'] === target.algorithm;
        break;
      }
      case 'Verify': {
        const cases = this.#verifyCases;
        requests = await this.#signer.signMany('Verify', n, (i) => {
          const one = cases[i % cases.length];
          return { KeyId: keyId, Message: one?.message, MessageType: 'RAW', Signature: one?.signature, SigningAlgorithm: target.algorithm };
        });
        check = (out) => out['SignatureValid'] === true;
        break;
      }
      case 'GenerateMac': {
        const messages = randomPlaintexts(n, MESSAGE_BYTES);
        requests = await this.#signer.signMany('GenerateMac', n, (i) => ({ KeyId: keyId, Message: messages[i], MacAlgorithm: target.algorithm }));
        check = (out) => isBase64(out['Mac']) && Buffer.from(out['Mac'], 'base64').length === 32;
        break;
      }
    }
    const first = requests[0];
    if (first !== undefined) await this.#probe(first, target.label, check);
    return requests;
  }
}
