/**
 * What a client does before ImportKeyMaterial (the guide's step 3), with Node's crypto: encrypts
 * the material under the wrapping public key with the wrapping algorithm.
 */
import { constants, createCipheriv, createPublicKey, publicEncrypt, randomBytes } from 'node:crypto';
import type { AlgorithmSpec } from '../../src/models/kms/generated/shapes.js';

/** RFC 5649's alternative initial value, which Node's `id-aes256-wrap-pad` expects explicitly. */
const RFC5649_IV = Buffer.from('a65959a6', 'hex');

export function wrapForImport(publicKeyDer: Uint8Array, algorithm: AlgorithmSpec, material: Uint8Array): Uint8Array {
  const key = createPublicKey({ key: Buffer.from(publicKeyDer), format: 'der', type: 'spki' });
  const oaepHash = algorithm.endsWith('SHA_1') ? 'sha1' : 'sha256';
  const rsa = (data: Uint8Array) => publicEncrypt({ key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash }, data);
  if (!algorithm.startsWith('RSA_AES_KEY_WRAP_')) return new Uint8Array(rsa(material));
  const aesKey = randomBytes(32);
  const cipher = createCipheriv('id-aes256-wrap-pad', aesKey, RFC5649_IV);
  return new Uint8Array(Buffer.concat([rsa(aesKey), cipher.update(material), cipher.final()]));
}
