/** RSAES-OAEP encryption with a public key: no secret is involved, so Node's OpenSSL does it. */
import { constants, publicEncrypt } from 'node:crypto';
import { ValidationException } from '../../../models/kms/generated/errors.js';
import type { OaepHash } from './oaep.js';
import { parseSpki } from './public-keys.js';
import { say } from '../../../core/kms/messages.js';

export function rsaOaepEncrypt(publicKey: Uint8Array, hash: OaepHash, plaintext: Uint8Array): Uint8Array {
  const key = parseSpki(publicKey);
  try {
    return new Uint8Array(publicEncrypt({ key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: hash }, plaintext));
  } catch {
    // The only input-dependent failure left is a plaintext too long for the key and hash.
    throw new ValidationException(say('plaintextTooLargeForKey'));
  }
}
