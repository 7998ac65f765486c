/**
 * Published test vectors through the token tier: RFC 4231 HMAC-SHA-2 MACs from known keys wrapped
 * under the HMAC wrapping key, and Wycheproof RSASSA-PSS and RSASSA-PKCS1-v1_5 verification with imported
 * public keys. Expected values are exactly as published; nothing is recomputed here.
 *
 * The known MAC keys are wrapped with RFC 5649 outside the token, under an HMAC wrapping key whose
 * value the test chose (created with the same attributes and unwrap template the service gives its
 * own). Wrapping them with the token's own C_WrapKey would not do: SoftHSM 2.6.1 zero-pads the
 * key value to a multiple of 8 bytes before CKM_AES_KEY_WRAP_PAD, so the 131-byte RFC 4231 key
 * would come back as 136 bytes and, being longer than the hash block, give other MACs.
 */
import { createCipheriv } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MacAlgorithmSpec, SigningAlgorithmSpec } from '../../../src/models/kms/generated/shapes.js';
import type { HmacKeySpec } from '../../../src/core/kms/keys/key-specs.js';
import type { StoredKeyRef } from '../../../src/core/ports/index.js';
import { Pkcs11AsymmetricKeyMaterial } from '../../../src/adapters/pkcs11/asymmetric/pkcs11-asymmetric-key-material.js';
import { withAttributeArray } from '../../../src/adapters/pkcs11/attribute-array.js';
import { CKA, UNWRAP_TEMPLATES, keyLabel, tokenKeyTemplate } from '../../../src/adapters/pkcs11/key-templates.js';
import { Pkcs11KeyMaterial } from '../../../src/adapters/pkcs11/pkcs11-key-material.js';
import { ensureSoftHsmToken } from '../../../src/local/softhsm-token.js';

interface HmacFixture {
  readonly source: string;
  readonly tests: readonly {
    readonly testCase: number;
    readonly key: string;
    readonly data: string;
    readonly mac: Readonly<Record<'HMAC_SHA_224' | 'HMAC_SHA_256' | 'HMAC_SHA_384' | 'HMAC_SHA_512', string>>;
  }[];
}

type WycheproofResult = 'valid' | 'invalid' | 'acceptable';

interface RsaSignatureFixture {
  readonly source: string;
  readonly algorithm: SigningAlgorithmSpec;
  readonly keySpec: 'RSA_2048';
  readonly testGroups: readonly {
    readonly publicKeyDer: string;
    readonly tests: readonly {
      readonly tcId: number;
      readonly comment: string;
      readonly flags: readonly string[];
      readonly msg: string;
      readonly sig: string;
      readonly result: WycheproofResult;
    }[];
  }[];
}

async function fixture<T>(name: string): Promise<T> {
  return JSON.parse(await readFile(new URL(`../../fixtures/vectors/${name}`, import.meta.url), 'utf8')) as T;
}

/** The RFC 5649 alternative initial value, with which `id-aes256-wrap-pad` is CKM_AES_KEY_WRAP_PAD. */
const RFC5649_IV = Buffer.from('a65959a6', 'hex');
const LABEL_PREFIX = 'published-vectors';
const WRAPPING_KEY_VALUE = Buffer.from('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f', 'hex');

const RFC4231 = await fixture<HmacFixture>('rfc4231-hmac-sha2.json');
const PSS = await fixture<RsaSignatureFixture>('wycheproof-rsa-pss-2048-sha256-mgf1-32.json');
const PKCS1 = await fixture<RsaSignatureFixture>('wycheproof-rsa-pkcs1-2048-sha256.json');

const HMAC_SPECS = [
  ['HMAC_224', 'HMAC_SHA_224'],
  ['HMAC_256', 'HMAC_SHA_256'],
  ['HMAC_384', 'HMAC_SHA_384'],
  ['HMAC_512', 'HMAC_SHA_512'],
] as const satisfies readonly (readonly [HmacKeySpec, MacAlgorithmSpec])[];

const HMAC_CASES = RFC4231.tests.flatMap((test) => HMAC_SPECS.map(([spec, algorithm]) => ({
  testCase: test.testCase, spec, algorithm, key: test.key, data: test.data, mac: test.mac[algorithm],
})));

/**
 * What `verify` must answer for a Wycheproof result. "acceptable" cases (here only PKCS#1 v1.5
 * with the NULL hash parameter missing from DigestInfo) are expected to be rejected: the token
 * compares the exact DER DigestInfo that AWS KMS signatures carry, as OpenSSL does.
 */
function expectedVerification(result: WycheproofResult): boolean {
  return result === 'valid';
}

function signatureCases(vectors: RsaSignatureFixture, name: string) {
  return vectors.testGroups.flatMap((group, index) => group.tests.map((test) => ({
    ...test,
    expected: expectedVerification(test.result),
    key: {
      backingKeyId: `bk-wycheproof-${name}-${index}`, keySpec: vectors.keySpec, tier: 'token' as const,
      wrappedMaterial: new Uint8Array(0), publicKey: Buffer.from(group.publicKeyDer, 'hex'),
    },
  })));
}

describe('Pkcs11AsymmetricKeyMaterial with published test vectors', () => {
  let dataDir: string;
  let material: Pkcs11KeyMaterial;
  let asymmetric: Pkcs11AsymmetricKeyMaterial;

  /** A stored MAC key whose value the vector gives, wrapped (RFC 5649) under the known HMAC wrapping key. */
  function knownMacKey(backingKeyId: string, spec: HmacKeySpec, value: Buffer): StoredKeyRef {
    const cipher = createCipheriv('id-aes256-wrap-pad', WRAPPING_KEY_VALUE, RFC5649_IV);
    const wrappedMaterial = new Uint8Array(Buffer.concat([cipher.update(value), cipher.final()]));
    return { backingKeyId, keySpec: spec, tier: 'token', wrappedMaterial };
  }

  /** Imports an HMAC wrapping key of known value, as an operator could, and opens the token with it. */
  async function openWithKnownWrappingKey(config: Awaited<ReturnType<typeof ensureSoftHsmToken>>): Promise<Pkcs11KeyMaterial> {
    const bootstrap = await Pkcs11KeyMaterial.open(config);
    try {
      const label = keyLabel(LABEL_PREFIX, 'hmac');
      const template = tokenKeyTemplate('hmac', label, Buffer.from(label))
        .filter((attribute) => attribute.type !== CKA.VALUE_LEN)
        .map((attribute) => ({ ...attribute }));
      bootstrap.tokenAccess().withObjectSession((session) => withAttributeArray(UNWRAP_TEMPLATES.hmac, (array) =>
        session.lib.C_CreateObject(session.handle, [
          { type: CKA.VALUE, value: WRAPPING_KEY_VALUE }, { type: CKA.UNWRAP_TEMPLATE, value: array }, ...template,
        ])));
    } finally {
      await bootstrap.close();
    }
    return Pkcs11KeyMaterial.open({ ...config, keyLabelPrefix: LABEL_PREFIX });
  }

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'kms-pkcs11-vectors-'));
    material = await openWithKnownWrappingKey(await ensureSoftHsmToken({ dataDir }));
    asymmetric = Pkcs11AsymmetricKeyMaterial.create(material);
  }, 30_000);

  afterAll(async () => {
    await material?.close();
    if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true });
  });

  describe(`generateMac with ${RFC4231.source}`, () => {
    it.each(HMAC_CASES)(
      'returns the published MAC when the key of test case $testCase is wrapped into the token and the algorithm is $algorithm',
      async ({ testCase, spec, algorithm, key, data, mac }) => {
        // Prepare
        const stored = knownMacKey(`bk-rfc4231-${testCase}-${spec}`, spec, Buffer.from(key, 'hex'));
        // Act
        const result = await asymmetric.generateMac(stored, algorithm, Buffer.from(data, 'hex'));
        // Assess
        expect(Buffer.from(result).toString('hex')).toBe(mac);
      },
    );
  });

  describe.each([
    ['RSASSA-PSS', PSS, 'pss'],
    ['RSASSA-PKCS1-v1_5', PKCS1, 'pkcs1'],
  ] as const)('verify with %s vectors', (_scheme, vectors, name) => {
    describe(`${vectors.source}, ${vectors.algorithm}, MessageType RAW`, () => {
      it.each(signatureCases(vectors, name))(
        'returns $expected when tcId $tcId ($comment) is published as $result',
        async ({ tcId, msg, sig, expected, key }) => {
          // Prepare
          const input = { messageType: 'RAW' as const, message: Buffer.from(msg, 'hex') };
          // Act
          const verified = await asymmetric.verify(key, vectors.algorithm, input, Buffer.from(sig, 'hex'));
          // Assess
          expect(verified, `tcId ${tcId}`).toBe(expected);
        },
      );
    });
  });
});
