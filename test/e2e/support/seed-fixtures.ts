/**
 * Seed files in local-kms's format for tests: fixed key IDs and AES keys, freshly generated PEM
 * private keys (PKCS#8 for RSA, SEC1 for ECC as local-kms's README shows them).
 */
import { generateKeyPairSync } from 'node:crypto';
import type { KeyObject } from 'node:crypto';

export const SEED_IDS = {
  aes: 'bc436485-5092-42b8-92a3-0aa8b93536dc',
  rotated: '49c5492b-b1bc-42a8-9a5c-b2015e810c1c',
  rsa: 'ff275b92-0def-4dfc-b0f6-87c96b26c6c7',
  ecc: '800d5768-3fd7-4edd-a4b8-4c81c3e4c147',
  ed25519: '6a1f5c2e-3b4d-4e5f-8a9b-0c1d2e3f4a5b',
  hmac: '0d2c3b4a-5e6f-4a7b-8c9d-0e1f2a3b4c5d',
} as const;

export const AES_KEYS = {
  single: '5cdaead27fe7da2de47945d73cd6d79e36494e73802f3cd3869f1d2cb0b5d7a9',
  old: '34743777217A25432A46294A404E635266556A586E3272357538782F413F4428',
  current: '614E645267556B58703273357638792F423F4528472B4B6250655368566D5971',
} as const;

export const HMAC_KEY = 'a1'.repeat(32);

export interface SeedKeys {
  readonly rsa: KeyObject;
  readonly ecc: KeyObject;
  readonly ed25519: KeyObject;
}

export function generateSeedKeys(): SeedKeys {
  return {
    rsa: generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey,
    ecc: generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey,
    ed25519: generateKeyPairSync('ed25519').privateKey,
  };
}

function indented(pem: string, spaces: number): string {
  return pem.trim().split('\n').map((line) => `${' '.repeat(spaces)}${line}`).join('\n');
}

/** A seed file using every section: AES (one rotated), RSA, ECC, Ed25519, HMAC, tags, a policy and aliases. */
export function fullSeed(keys: SeedKeys): string {
  const rsaPem = keys.rsa.export({ type: 'pkcs8', format: 'pem' }).toString();
  const eccPem = keys.ecc.export({ type: 'sec1', format: 'pem' }).toString();
  const edPem = keys.ed25519.export({ type: 'pkcs8', format: 'pem' }).toString();
  return `Keys:
  Symmetric:
    Aes:
      - Metadata:
          KeyId: ${SEED_IDS.aes}
          Description: seeded AES key
          Tags:
            - TagKey: team
              TagValue: payments
        BackingKeys:
          - ${AES_KEYS.single}
      - Metadata:
          KeyId: ${SEED_IDS.rotated}
        BackingKeys:
          - ${AES_KEYS.old}
          - ${AES_KEYS.current}
    Hmac:
      - Metadata:
          KeyId: ${SEED_IDS.hmac}
          KeySpec: HMAC_256
        KeyMaterial: ${HMAC_KEY}
  Asymmetric:
    Rsa:
      - Metadata:
          KeyId: ${SEED_IDS.rsa}
          KeyUsage: SIGN_VERIFY
          Description: RSA key with 2048 bits
        PrivateKeyPem: |
${indented(rsaPem, 10)}
    Ecc:
      - Metadata:
          KeyId: ${SEED_IDS.ecc}
          KeyUsage: SIGN_VERIFY
          Policy: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"kms:*","Resource":"*"}]}'
        PrivateKeyPem: |
${indented(eccPem, 10)}
      - Metadata:
          KeyId: ${SEED_IDS.ed25519}
        PrivateKeyPem: |
${indented(edPem, 10)}

Aliases:
  - AliasName: alias/testing
    TargetKeyId: ${SEED_IDS.aes}
  - AliasName: alias/signing
    TargetKeyId: arn:aws:kms:us-east-1:111122223333:key/${SEED_IDS.rsa}
`;
}

/** A seed with one AES key whose backing keys are `hexKeys` (the last one current). */
export function aesSeed(keyId: string, hexKeys: readonly string[], aliasName?: string): string {
  const aliases = aliasName === undefined ? '' : `Aliases:\n  - AliasName: ${aliasName}\n    TargetKeyId: ${keyId}\n`;
  return `Keys:\n  Symmetric:\n    Aes:\n      - Metadata:\n          KeyId: ${keyId}\n        BackingKeys:\n${hexKeys.map((hex) => `          - ${hex}\n`).join('')}${aliases}`;
}
