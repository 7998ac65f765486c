import { describe, expect, it } from 'vitest';
import { AlgorithmSpecValues, KeySpecValues, WrappingKeySpecValues } from '../../../../src/models/kms/generated/shapes.js';
import {
  allowsWrapping, IMPORT_PARAMETERS_VALIDITY_MS, materialKindOf, MAX_VALID_TO_MS, validToAllowed, WRAPPING_TABLE,
} from '../../../../src/core/kms/import/wrapping-rules.js';

const DAY = 24 * 60 * 60 * 1000;

describe('wrapping rules of imported key material', () => {
  it('every key spec of the model has a row of the guide\'s table', () => {
    for (const spec of KeySpecValues) expect(WRAPPING_TABLE[materialKindOf(spec)]).toBeDefined();
    expect(materialKindOf('SYMMETRIC_DEFAULT')).toBe('symmetric');
    expect(materialKindOf('HMAC_384')).toBe('hmac');
    expect(materialKindOf('RSA_3072')).toBe('rsa');
    expect(materialKindOf('ECC_SECG_P256K1')).toBe('ecc');
    expect(materialKindOf('SM2')).toBe('sm2');
  });

  it('every row\'s algorithms and wrapping key specs are in the API model', () => {
    for (const row of Object.values(WRAPPING_TABLE)) {
      for (const algorithm of row.algorithms) expect(AlgorithmSpecValues).toContain(algorithm);
      for (const spec of row.wrappingKeySpecs) expect(WrappingKeySpecValues).toContain(spec);
    }
  });

  it('RSAES_PKCS1_V1_5 wraps nothing: AWS KMS dropped it on October 10, 2023', () => {
    for (const spec of KeySpecValues) {
      for (const wrapping of WrappingKeySpecValues) expect(allowsWrapping(spec, 'RSAES_PKCS1_V1_5', wrapping)).toBe(false);
    }
  });

  it('symmetric material takes both RSAES_OAEP and both RSA_AES_KEY_WRAP algorithms under every RSA wrapping key', () => {
    for (const algorithm of ['RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256', 'RSA_AES_KEY_WRAP_SHA_1', 'RSA_AES_KEY_WRAP_SHA_256'] as const) {
      for (const wrapping of ['RSA_2048', 'RSA_3072', 'RSA_4096'] as const) expect(allowsWrapping('SYMMETRIC_DEFAULT', algorithm, wrapping)).toBe(true);
      expect(allowsWrapping('SYMMETRIC_DEFAULT', algorithm, 'SM2')).toBe(false);
    }
    expect(allowsWrapping('SYMMETRIC_DEFAULT', 'SM2PKE', 'SM2')).toBe(false);
  });

  it('RSA private keys need an RSA_AES_KEY_WRAP algorithm (too long for RSAES_OAEP)', () => {
    expect(allowsWrapping('RSA_4096', 'RSAES_OAEP_SHA_256', 'RSA_4096')).toBe(false);
    expect(allowsWrapping('RSA_2048', 'RSAES_OAEP_SHA_1', 'RSA_4096')).toBe(false);
    expect(allowsWrapping('RSA_4096', 'RSA_AES_KEY_WRAP_SHA_256', 'RSA_2048')).toBe(true);
    expect(allowsWrapping('RSA_2048', 'SM2PKE', 'SM2')).toBe(true);
  });

  it('refuses ECC_NIST_P521 material, an RSA_2048 wrapping key and an RSAES_OAEP_SHA_* algorithm together, and only that', () => {
    expect(allowsWrapping('ECC_NIST_P521', 'RSAES_OAEP_SHA_256', 'RSA_2048')).toBe(false);
    expect(allowsWrapping('ECC_NIST_P521', 'RSAES_OAEP_SHA_1', 'RSA_2048')).toBe(false);
    expect(allowsWrapping('ECC_NIST_P521', 'RSAES_OAEP_SHA_256', 'RSA_3072')).toBe(true);
    expect(allowsWrapping('ECC_NIST_P521', 'RSA_AES_KEY_WRAP_SHA_1', 'RSA_2048')).toBe(true);
    expect(allowsWrapping('ECC_NIST_P384', 'RSAES_OAEP_SHA_1', 'RSA_2048')).toBe(true);
  });

  it('HMAC material takes RSAES_OAEP and RSA_AES_KEY_WRAP but not SM2PKE', () => {
    expect(allowsWrapping('HMAC_512', 'RSAES_OAEP_SHA_256', 'RSA_2048')).toBe(true);
    expect(allowsWrapping('HMAC_224', 'RSA_AES_KEY_WRAP_SHA_256', 'RSA_3072')).toBe(true);
    expect(allowsWrapping('HMAC_256', 'SM2PKE', 'SM2')).toBe(false);
  });

  it('SM2 material (China Regions) takes no RSA_AES_KEY_WRAP algorithm, which China Regions lack', () => {
    expect(allowsWrapping('SM2', 'RSA_AES_KEY_WRAP_SHA_256', 'RSA_4096')).toBe(false);
    expect(allowsWrapping('SM2', 'RSAES_OAEP_SHA_256', 'RSA_4096')).toBe(true);
    expect(allowsWrapping('SM2', 'SM2PKE', 'SM2')).toBe(true);
  });

  it('an SM2 wrapping key goes only with SM2PKE, and SM2PKE only with an SM2 wrapping key', () => {
    for (const spec of KeySpecValues) {
      for (const algorithm of AlgorithmSpecValues) {
        for (const wrapping of WrappingKeySpecValues) {
          if (allowsWrapping(spec, algorithm, wrapping)) expect(wrapping === 'SM2').toBe(algorithm === 'SM2PKE');
        }
      }
    }
  });

  it('an import token lives 24 hours and ValidTo lies in the future, at most 365 days ahead', () => {
    expect(IMPORT_PARAMETERS_VALIDITY_MS).toBe(DAY);
    expect(MAX_VALID_TO_MS).toBe(365 * DAY);
    const now = Date.UTC(2026, 0, 1);
    expect(validToAllowed(now, now)).toBe(false);
    expect(validToAllowed(now - 1, now)).toBe(false);
    expect(validToAllowed(now + 1, now)).toBe(true);
    expect(validToAllowed(now + 365 * DAY, now)).toBe(true);
    expect(validToAllowed(now + 365 * DAY + 1, now)).toBe(false);
  });
});
