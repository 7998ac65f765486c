/**
 * The attributes of the token's own keys and of every key unwrapped under them, as data.
 *
 * Each class of stored key has its own wrapping key, and each wrapping key carries a
 * CKA_UNWRAP_TEMPLATE: the token refuses (CKR_TEMPLATE_INCONSISTENT) any C_UnwrapKey whose template
 * does not contain every one of those attributes with exactly that value. So whoever holds the PIN
 * can load a stored key only as what the service itself loads: sensitive, non-extractable,
 * non-modifiable, non-copyable, of its own class and type, unable to wrap, unwrap or (except EC
 * private keys, which need it for ECDH) derive. One wrapping key per class is needed because an
 * EC private key must be derivable while a secret key must not be: a derivable secret key would
 * give its value away through a derivation into an extractable key.
 *
 * The wrapping keys themselves can only wrap and unwrap with CKM_AES_KEY_WRAP_PAD, the sealing
 * key can only encrypt and decrypt with CKM_AES_GCM, and the integrity key can only sign and verify
 * with CKM_SHA256_HMAC; none of them can be modified or copied, so
 * neither CKA_DECRYPT (AES-ECB under a wrapping key would undo RFC 5649 by hand) nor anything else
 * can be switched on later.
 */
import { KeyType, MechanismEnum, ObjectClass } from './graphene.js';
import type { Attribute } from './attribute-array.js';

/** CKA_* values (PKCS#11 v2.40). */
export const CKA = {
  CLASS: 0x00, TOKEN: 0x01, PRIVATE: 0x02, LABEL: 0x03, VALUE: 0x11, KEY_TYPE: 0x100, ID: 0x102,
  SENSITIVE: 0x103, ENCRYPT: 0x104, DECRYPT: 0x105, WRAP: 0x106, UNWRAP: 0x107, SIGN: 0x108, VERIFY: 0x10a,
  DERIVE: 0x10c, VALUE_LEN: 0x161, EXTRACTABLE: 0x162, MODIFIABLE: 0x170, COPYABLE: 0x171,
  UNWRAP_TEMPLATE: 0x40000212, ALLOWED_MECHANISMS: 0x40000600,
} as const;

/**
 * The class of stored key a wrapping key serves; `import` holds the RSA private keys of the
 * wrapping key pairs GetParametersForImport hands out, which can only unwrap imported key material.
 */
export type WrapRole = 'aes' | 'hmac' | 'rsa' | 'ec' | 'import';
/**
 * Every key the service keeps in the token: the wrapping keys, the sealing key, and `integrity`,
 * the HMAC key that authenticates the table's records (`item-integrity.ts`).
 */
export type KeyRole = WrapRole | 'seal' | 'integrity';

export const WRAP_ROLES: readonly WrapRole[] = ['aes', 'hmac', 'rsa', 'ec', 'import'];
export const KEY_ROLES: readonly KeyRole[] = [...WRAP_ROLES, 'seal', 'integrity'];

export const WRAP_MECHANISM = MechanismEnum.AES_KEY_WRAP_PAD;
export const TOKEN_KEY_BYTES = 32;

const attr = (type: number, value: Attribute['value']): Attribute => ({ type, value });

/**
 * Attributes every loaded key shares. CKA_MODIFIABLE comes last on purpose: SoftHSM 2.6.1 applies
 * a template in order and refuses every attribute after CKA_MODIFIABLE false when unwrapping.
 */
function loaded(...specific: readonly Attribute[]): readonly Attribute[] {
  return [
    attr(CKA.TOKEN, false), attr(CKA.PRIVATE, true), ...specific,
    attr(CKA.SENSITIVE, true), attr(CKA.EXTRACTABLE, false), attr(CKA.COPYABLE, false), attr(CKA.MODIFIABLE, false),
  ];
}

/**
 * The template of every key unwrapped under each wrapping key: stored in the wrapping key as its
 * CKA_UNWRAP_TEMPLATE and passed, identically, by every C_UnwrapKey the service makes.
 */
export const UNWRAP_TEMPLATES: Readonly<Record<WrapRole, readonly Attribute[]>> = {
  aes: loaded(
    attr(CKA.CLASS, ObjectClass.SECRET_KEY), attr(CKA.KEY_TYPE, KeyType.AES),
    attr(CKA.ENCRYPT, true), attr(CKA.DECRYPT, true), attr(CKA.SIGN, false), attr(CKA.VERIFY, false),
    attr(CKA.WRAP, false), attr(CKA.UNWRAP, false), attr(CKA.DERIVE, false),
  ),
  hmac: loaded(
    attr(CKA.CLASS, ObjectClass.SECRET_KEY), attr(CKA.KEY_TYPE, KeyType.GENERIC_SECRET),
    attr(CKA.SIGN, true), attr(CKA.VERIFY, true), attr(CKA.ENCRYPT, false), attr(CKA.DECRYPT, false),
    attr(CKA.WRAP, false), attr(CKA.UNWRAP, false), attr(CKA.DERIVE, false),
  ),
  rsa: loaded(
    attr(CKA.CLASS, ObjectClass.PRIVATE_KEY), attr(CKA.KEY_TYPE, KeyType.RSA),
    attr(CKA.SIGN, true), attr(CKA.DECRYPT, true), attr(CKA.UNWRAP, false), attr(CKA.DERIVE, false),
  ),
  ec: loaded(
    attr(CKA.CLASS, ObjectClass.PRIVATE_KEY), attr(CKA.KEY_TYPE, KeyType.EC),
    attr(CKA.SIGN, true), attr(CKA.DECRYPT, false), attr(CKA.UNWRAP, false), attr(CKA.DERIVE, true),
  ),
  /*
   * An import wrapping key unwraps (RSAES-OAEP) what was encrypted under its public key. CKA_DECRYPT
   * is for tokens without OAEP over SHA-256 (SoftHSM 2.6), where the raw RSA operation runs in the
   * token and the OAEP decoding here (`asymmetric/oaep.ts`); it cannot sign or derive.
   */
  import: loaded(
    attr(CKA.CLASS, ObjectClass.PRIVATE_KEY), attr(CKA.KEY_TYPE, KeyType.RSA),
    attr(CKA.SIGN, false), attr(CKA.DECRYPT, true), attr(CKA.UNWRAP, true), attr(CKA.DERIVE, false),
  ),
};

function mechanismList(...mechanisms: readonly number[]): Buffer {
  const bytes = Buffer.alloc(8 * mechanisms.length);
  mechanisms.forEach((mechanism, i) => bytes.writeBigUInt64LE(BigInt(mechanism), 8 * i));
  return bytes;
}

type Usage = 'wrap' | 'unwrap' | 'encrypt' | 'decrypt' | 'sign' | 'verify';
const WRAPS = { wrap: true, unwrap: true, encrypt: false, decrypt: false, sign: false, verify: false } as const;

/** The usage flags each token key must have, checked on every start as well as set on creation. */
export const USAGE: Readonly<Record<KeyRole, Readonly<Record<Usage, boolean>>>> = {
  aes: WRAPS, hmac: WRAPS, rsa: WRAPS, ec: WRAPS, import: WRAPS,
  seal: { wrap: false, unwrap: false, encrypt: true, decrypt: true, sign: false, verify: false },
  integrity: { wrap: false, unwrap: false, encrypt: false, decrypt: false, sign: true, verify: true },
};

/** The key type of each token key: AES, except the integrity key, an HMAC (generic secret) key. */
export function tokenKeyType(role: KeyRole): number {
  return role === 'integrity' ? KeyType.GENERIC_SECRET : KeyType.AES;
}

/** The one mechanism each token key may be used with. */
function allowedMechanism(role: KeyRole): number {
  if (role === 'seal') return MechanismEnum.AES_GCM;
  return role === 'integrity' ? MechanismEnum.SHA256_HMAC : WRAP_MECHANISM;
}

/**
 * The generation template of a token key (without CKA_UNWRAP_TEMPLATE, which the caller adds as
 * an array attribute). CKA_ALLOWED_MECHANISMS (a plain CK_ULONG array) limits a wrapping key to
 * AES key wrap with padding and the sealing key to AES-GCM.
 */
export function tokenKeyTemplate(role: KeyRole, label: string, id: Buffer): Attribute[] {
  const usage = USAGE[role];
  const allowed = mechanismList(allowedMechanism(role));
  return [
    attr(CKA.CLASS, ObjectClass.SECRET_KEY), attr(CKA.KEY_TYPE, tokenKeyType(role)), attr(CKA.VALUE_LEN, TOKEN_KEY_BYTES),
    attr(CKA.LABEL, Buffer.from(label, 'utf8')), attr(CKA.ID, id),
    attr(CKA.TOKEN, true), attr(CKA.PRIVATE, true), attr(CKA.SENSITIVE, true), attr(CKA.EXTRACTABLE, false),
    attr(CKA.WRAP, usage.wrap), attr(CKA.UNWRAP, usage.unwrap), attr(CKA.ENCRYPT, usage.encrypt), attr(CKA.DECRYPT, usage.decrypt),
    attr(CKA.SIGN, usage.sign), attr(CKA.VERIFY, usage.verify), attr(CKA.DERIVE, false), attr(CKA.COPYABLE, false),
    attr(CKA.ALLOWED_MECHANISMS, allowed), attr(CKA.MODIFIABLE, false),
  ];
}

/** The label of each token key, from the configured prefix (default `kms`): `kms-wrap-aes`, …, `kms-seal`, `kms-integrity`. */
export function keyLabel(prefix: string, role: KeyRole): string {
  return role === 'seal' || role === 'integrity' ? `${prefix}-${role}` : `${prefix}-wrap-${role}`;
}
