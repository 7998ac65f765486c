/**
 * C_WrapKey and C_UnwrapKey under the service's wrapping keys (CKM_AES_KEY_WRAP_PAD, RFC 5649),
 * always with the unwrap template of the key class, which the token requires (`key-templates.ts`).
 */
import type { Session } from 'graphene-pk11';
import { asBuffer } from './aes-gcm.js';
import { CKA, UNWRAP_TEMPLATES, WRAP_MECHANISM } from './key-templates.js';
import type { WrapRole } from './key-templates.js';

type Handle = Buffer;

/** Room for the largest wrapped key: the PKCS#8 encoding of an RSA-4096 private key is about 2.4 KB. */
const MAX_WRAPPED_BYTES = 8192;

/** Wraps the (extractable) object `key` under `wrappingKey`. */
export function wrapUnder(session: Session, wrappingKey: Handle, key: Handle): Uint8Array {
  const wrapped = session.lib.C_WrapKey(session.handle, { mechanism: WRAP_MECHANISM }, wrappingKey, key, Buffer.alloc(MAX_WRAPPED_BYTES));
  return new Uint8Array(wrapped);
}

/** Loads `blob` as a session object of `role`'s class: sensitive, non-extractable, not modifiable. */
export function unwrapUnder(session: Session, wrappingKey: Handle, role: WrapRole, blob: Uint8Array): Handle {
  return session.lib.C_UnwrapKey(session.handle, { mechanism: WRAP_MECHANISM }, wrappingKey, asBuffer(blob), [...UNWRAP_TEMPLATES[role]]);
}

/**
 * Creates `template` (which holds a key value given in the clear) as an extractable session
 * object, wraps it under `wrappingKey` and destroys it: how a key imported in the clear gets the
 * same at-rest form as one generated in the token.
 */
export function importUnder(session: Session, wrappingKey: Handle, template: Parameters<Session['lib']['C_CreateObject']>[1]): Uint8Array {
  const key = session.lib.C_CreateObject(session.handle, [
    ...template, { type: CKA.TOKEN, value: false }, { type: CKA.SENSITIVE, value: true }, { type: CKA.EXTRACTABLE, value: true },
  ]);
  try {
    return wrapUnder(session, wrappingKey, key);
  } finally {
    session.lib.C_DestroyObject(session.handle, key);
  }
}
