/**
 * MessageType DIGEST (and ML-DSA's EXTERNAL_MU): a hash computed outside the service and signed
 * must verify over the original message exactly like a RAW signature does, which is what a JWT
 * signer relies on. Tokens are checked with `jose`, a standard JWS verifier.
 */
import { CreateKeyCommand, GetPublicKeyCommand, SignCommand, VerifyCommand, type KeyMetadata, type KeySpec, type MessageType, type SigningAlgorithmSpec } from '@aws-sdk/client-kms';
import { constants, createHash, createPublicKey, verify as nodeVerify, type KeyObject } from 'node:crypto';
import { ed25519, ed25519ph } from '@noble/curves/ed25519.js';
import { ml_dsa44 } from '@noble/post-quantum/ml-dsa.js';
import { importSPKI, jwtVerify } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { patternBytes, required, utf8 } from './support/assertions.js';
import { useLocalService } from './support/local-service.js';
import { base64Url, ecdsaDerToJose, parseSpki, toPem } from './support/public-key-der.js';

const e2e = useLocalService();

type Hash = 'sha256' | 'sha384' | 'sha512';
const HASH_BYTES: Readonly<Record<Hash, number>> = { sha256: 32, sha384: 48, sha512: 64 };

const SPECS = ['RSA_2048', 'ECC_NIST_P256', 'ECC_NIST_P384', 'ECC_NIST_P521', 'ECC_SECG_P256K1', 'ECC_NIST_EDWARDS25519', 'ML_DSA_44'] as const;
type Spec = (typeof SPECS)[number];

const keys = new Map<KeySpec, { metadata: KeyMetadata; spki: Uint8Array }>();

function keyOf(spec: Spec): { metadata: KeyMetadata; spki: Uint8Array } {
  return required(keys.get(spec), `${spec} key`);
}

function nodeKey(spec: Spec): KeyObject {
  return createPublicKey({ key: Buffer.from(keyOf(spec).spki), format: 'der', type: 'spki' });
}

async function sign(spec: Spec, algorithm: SigningAlgorithmSpec, messageType: MessageType, message: Uint8Array): Promise<Uint8Array> {
  const response = await e2e.kms.send(new SignCommand({ KeyId: keyOf(spec).metadata.KeyId, SigningAlgorithm: algorithm, MessageType: messageType, Message: message }));
  return required(response.Signature, 'Signature');
}

async function kmsVerify(spec: Spec, algorithm: SigningAlgorithmSpec, messageType: MessageType, message: Uint8Array, signature: Uint8Array): Promise<boolean | undefined> {
  const response = await e2e.kms.send(new VerifyCommand({
    KeyId: keyOf(spec).metadata.KeyId, SigningAlgorithm: algorithm, MessageType: messageType, Message: message, Signature: signature,
  }));
  return response.SignatureValid;
}

const digestOf = (hash: Hash, data: Uint8Array | string): Uint8Array => new Uint8Array(createHash(hash).update(data).digest());

beforeAll(async () => {
  await Promise.all(SPECS.map(async (spec) => {
    const metadata = required((await e2e.kms.send(new CreateKeyCommand({ KeySpec: spec, KeyUsage: 'SIGN_VERIFY' }))).KeyMetadata, 'KeyMetadata');
    const spki = required((await e2e.kms.send(new GetPublicKeyCommand({ KeyId: metadata.KeyId }))).PublicKey, 'PublicKey');
    keys.set(spec, { metadata, spki });
  }));
});

describe('MessageType DIGEST with RSA and ECDSA', () => {
  const message = Uint8Array.of(...utf8('hashed outside the service: '), ...patternBytes(500, 11));

  const cases = [
    ...(['256', '384', '512'] as const).flatMap((bits) => [
      { spec: 'RSA_2048', algorithm: `RSASSA_PKCS1_V1_5_SHA_${bits}`, hash: `sha${bits}`, scheme: 'pkcs1' },
      { spec: 'RSA_2048', algorithm: `RSASSA_PSS_SHA_${bits}`, hash: `sha${bits}`, scheme: 'pss' },
    ] as const),
    { spec: 'ECC_NIST_P256', algorithm: 'ECDSA_SHA_256', hash: 'sha256', scheme: 'ecdsa' },
    { spec: 'ECC_NIST_P384', algorithm: 'ECDSA_SHA_384', hash: 'sha384', scheme: 'ecdsa' },
    { spec: 'ECC_NIST_P521', algorithm: 'ECDSA_SHA_512', hash: 'sha512', scheme: 'ecdsa' },
    { spec: 'ECC_SECG_P256K1', algorithm: 'ECDSA_SHA_256', hash: 'sha256', scheme: 'ecdsa' },
  ] as const;

  function nodeVerifies(spec: Spec, hash: Hash, scheme: 'pkcs1' | 'pss' | 'ecdsa', signature: Uint8Array): boolean {
    const key = nodeKey(spec);
    const options = scheme === 'pss' ? { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: HASH_BYTES[hash] }
      : scheme === 'pkcs1' ? { key, padding: constants.RSA_PKCS1_PADDING }
        : { key, dsaEncoding: 'der' as const };
    return nodeVerify(hash, message, options, signature);
  }

  it.each(cases)('returns a signature Node verifies over the message when a $spec key signs its $hash digest with $algorithm', async ({ spec, algorithm, hash, scheme }) => {
    // Prepare
    const digest = digestOf(hash, message);

    // Act
    const fromDigest = await sign(spec, algorithm, 'DIGEST', digest);
    const fromMessage = await sign(spec, algorithm, 'RAW', message);

    // Assess
    expect(nodeVerifies(spec, hash, scheme, fromDigest)).toBe(true);
    expect(nodeVerifies(spec, hash, scheme, fromMessage)).toBe(true);
    // PKCS#1 v1.5 is deterministic: both requests sign the same encoded hash.
    if (scheme === 'pkcs1') expect(fromDigest).toEqual(fromMessage);
  });

  it.each(cases)('accepts either signature either way when Verify checks $algorithm with RAW and DIGEST ($spec)', async ({ spec, algorithm, hash }) => {
    // Prepare
    const digest = digestOf(hash, message);
    const fromDigest = await sign(spec, algorithm, 'DIGEST', digest);
    const fromMessage = await sign(spec, algorithm, 'RAW', message);

    // Act
    const results = [
      await kmsVerify(spec, algorithm, 'RAW', message, fromDigest),
      await kmsVerify(spec, algorithm, 'DIGEST', digest, fromMessage),
    ];

    // Assess
    expect(results).toEqual([true, true]);
  });
});

describe('MessageType DIGEST with Ed25519ph and EXTERNAL_MU with ML-DSA', () => {
  const message = utf8('prehashed for Ed25519ph and ML-DSA');

  it('returns an Ed25519ph signature over the given 64 bytes when an ECC_NIST_EDWARDS25519 key signs a SHA-512 digest with ED25519_PH_SHA_512', async () => {
    // Prepare
    const digest = digestOf('sha512', message);
    const rawPublicKey = parseSpki(keyOf('ECC_NIST_EDWARDS25519').spki).publicKey;

    // Act
    const signature = await sign('ECC_NIST_EDWARDS25519', 'ED25519_PH_SHA_512', 'DIGEST', digest);

    // Assess
    // AWS documents that KMS still applies the Ed25519ph SHA-512 prehash to the digest it is
    // given (FIPS 186-5 §7.8.1 step 1): the signed message is the 64-byte digest. OpenSSL 3.0 has
    // no Ed25519ph, so noble checks it.
    expect(ed25519ph.verify(signature, digest, rawPublicKey)).toBe(true);
    expect(ed25519.verify(signature, message, rawPublicKey)).toBe(false);
    expect(await kmsVerify('ECC_NIST_EDWARDS25519', 'ED25519_PH_SHA_512', 'DIGEST', digest, signature)).toBe(true);
  });

  it('returns a signature noble verifies over the message when an ML_DSA_44 key signs the external mu computed outside', async () => {
    // Prepare
    const rawPublicKey = parseSpki(keyOf('ML_DSA_44').spki).publicKey;
    // FIPS 204 §6.2 with an empty context: mu = SHAKE256(SHAKE256(pk, 64) || 0x00 || 0x00 || M, 64).
    const tr = createHash('shake256', { outputLength: 64 }).update(rawPublicKey).digest();
    const mu = new Uint8Array(createHash('shake256', { outputLength: 64 }).update(tr).update(Uint8Array.of(0, 0)).update(message).digest());

    // Act
    const signature = await sign('ML_DSA_44', 'ML_DSA_SHAKE_256', 'EXTERNAL_MU', mu);

    // Assess
    expect(ml_dsa44.verify(signature, message, rawPublicKey)).toBe(true);
    expect(await kmsVerify('ML_DSA_44', 'ML_DSA_SHAKE_256', 'RAW', message, signature)).toBe(true);
  });
});

describe('a JWT signer that hashes the signing input itself', () => {
  const tokenCases = [
    { alg: 'ES256', spec: 'ECC_NIST_P256', algorithm: 'ECDSA_SHA_256', hash: 'sha256', joseSize: 32 },
    { alg: 'ES384', spec: 'ECC_NIST_P384', algorithm: 'ECDSA_SHA_384', hash: 'sha384', joseSize: 48 },
    { alg: 'ES512', spec: 'ECC_NIST_P521', algorithm: 'ECDSA_SHA_512', hash: 'sha512', joseSize: 66 },
    { alg: 'RS256', spec: 'RSA_2048', algorithm: 'RSASSA_PKCS1_V1_5_SHA_256', hash: 'sha256', joseSize: undefined },
    { alg: 'RS384', spec: 'RSA_2048', algorithm: 'RSASSA_PKCS1_V1_5_SHA_384', hash: 'sha384', joseSize: undefined },
    { alg: 'RS512', spec: 'RSA_2048', algorithm: 'RSASSA_PKCS1_V1_5_SHA_512', hash: 'sha512', joseSize: undefined },
    { alg: 'PS256', spec: 'RSA_2048', algorithm: 'RSASSA_PSS_SHA_256', hash: 'sha256', joseSize: undefined },
    { alg: 'PS384', spec: 'RSA_2048', algorithm: 'RSASSA_PSS_SHA_384', hash: 'sha384', joseSize: undefined },
    { alg: 'PS512', spec: 'RSA_2048', algorithm: 'RSASSA_PSS_SHA_512', hash: 'sha512', joseSize: undefined },
  ] as const;

  /** A compact JWS: `header.payload` hashed here, the hash signed by KMS with MessageType DIGEST. */
  async function signToken(spec: Spec, algorithm: SigningAlgorithmSpec, alg: string, hash: Hash, joseSize: number | undefined, claims: object): Promise<string> {
    const signingInput = `${base64Url(JSON.stringify({ alg, typ: 'JWT', kid: keyOf(spec).metadata.KeyId }))}.${base64Url(JSON.stringify(claims))}`;
    const signature = await sign(spec, algorithm, 'DIGEST', digestOf(hash, signingInput));
    return `${signingInput}.${base64Url(joseSize === undefined ? signature : ecdsaDerToJose(signature, joseSize))}`;
  }

  it.each(tokenCases)('returns a token jose verifies when a $spec key signs an $alg JWT through MessageType DIGEST', async ({ alg, spec, algorithm, hash, joseSize }) => {
    // Prepare
    const claims = { sub: 'user-1234', iss: 'https://issuer.example', aud: 'kms-e2e', iat: 1_700_000_000, scope: alg };
    const verificationKey = await importSPKI(toPem(keyOf(spec).spki, 'PUBLIC KEY'), alg);

    // Act
    const token = await signToken(spec, algorithm, alg, hash, joseSize, claims);

    // Assess
    const { payload, protectedHeader } = await jwtVerify(token, verificationKey, { issuer: 'https://issuer.example', audience: 'kms-e2e', algorithms: [alg] });
    expect(protectedHeader).toEqual({ alg, typ: 'JWT', kid: keyOf(spec).metadata.KeyId });
    expect(payload).toEqual(claims);
  });

  // ES256K (secp256k1, RFC 8812) is not offered by jose 6, which verifies through WebCrypto only;
  // the secp256k1 DIGEST signature is still verified with Node above.
  it.skip('returns a token jose verifies when an ECC_SECG_P256K1 key signs an ES256K JWT through MessageType DIGEST', () => {});
});
