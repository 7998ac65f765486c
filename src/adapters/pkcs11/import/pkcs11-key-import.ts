/**
 * Importing key material in the token. GetParametersForImport's RSA wrapping key pair is generated
 * in the token and rests wrapped under the import wrapping key (`../key-templates.ts`), inside the
 * import token. ImportKeyMaterial's payload is unwrapped by the token into an extractable session
 * object, checked against the KMS key's spec, wrapped under the wrapping key of its class exactly
 * as a generated key would be, and destroyed:
 *
 * - RSAES_OAEP_SHA_*: C_UnwrapKey with CKM_RSA_PKCS_OAEP straight into the key;
 * - RSA_AES_KEY_WRAP_SHA_*: C_UnwrapKey with CKM_RSA_PKCS_OAEP into a one-time AES key, then
 *   C_UnwrapKey with CKM_AES_KEY_WRAP_PAD (RFC 5649) into the key, as CKM_RSA_AES_KEY_WRAP does.
 *
 * Tokens without OAEP over SHA-256 (SoftHSM 2.6 has SHA-1 only) run the raw RSA operation in the
 * token and the OAEP decoding here (`../asymmetric/oaep.ts`). With RSA_AES_KEY_WRAP_SHA_256 that
 * decodes only the one-time AES key, which then becomes a session object, so the material still
 * never leaves the token; with RSAES_OAEP_SHA_256 the material itself is in this process for the
 * moment it takes to hand it to the token (see docs/key-material.md).
 *
 * The token derives an imported private key's public key: RSA from CKA_MODULUS and
 * CKA_PUBLIC_EXPONENT; EC as the x coordinate of ECDH with the curve's generator (d·G), the y of the
 * two candidates being the one that verifies a signature the key makes.
 */
import { ECDH, createCipheriv, createECDH, createHash, createPublicKey, randomBytes, verify as nodeVerify } from 'node:crypto';
import { EcKdf, KeyGenMechanism, KeyType, MechanismEnum, MechParams, ObjectClass } from '../graphene.js';
import type { Session } from 'graphene-pk11';
import { IncorrectKeyMaterialException, InvalidCiphertextException, UnsupportedOperationException } from '../../../models/kms/generated/errors.js';
import type { AlgorithmSpec, KeySpec, WrappingKeySpec } from '../../../models/kms/generated/shapes.js';
import type { EncryptedImport, ImportedMaterial, KeyImport, WrappingKeyPair } from '../../../core/ports/index.js';
import { WRAPPING_MODULUS_BYTES, splitKeyWrapPayload } from '../../../core/kms/import/wrapped-material.js';
import { isHmacSpec } from '../../../core/kms/keys/key-specs.js';
import { say } from '../../../core/kms/messages.js';
import { asBuffer, gcmEncrypt } from '../aes-gcm.js';
import { CKA, WRAP_MECHANISM } from '../key-templates.js';
import type { WrapRole } from '../key-templates.js';
import type { Pkcs11KeyMaterial } from '../pkcs11-key-material.js';
import { wrapUnder } from '../wrapping.js';
import { CURVES, RSA_BITS, isEccSpec, isRsaSpec } from '../asymmetric/curves.js';
import type { Curve } from '../asymmetric/curves.js';
import { decodeOaep, oaepMechanism, RAW_RSA } from '../asymmetric/oaep.js';
import type { OaepHash } from '../asymmetric/oaep.js';
import { ecSpki, rsaSpki } from '../asymmetric/public-keys.js';
import { generateKeyPairOffLoop } from '../asymmetric/key-generation.js';
import type { Handle, TokenAccess } from '../asymmetric/token-access.js';
import { HMAC_SPECS } from '../asymmetric/token-support.js';
import { isUnsupportedParameter } from '../asymmetric/token-results.js';

const CKA_MODULUS = 0x120;
const CKA_PUBLIC_EXPONENT = 0x122;
const CKA_EC_PARAMS = 0x180;
/** 65537, the public exponent of the wrapping keys. */
const F4 = Buffer.from([0x01, 0x00, 0x01]);
/** RFC 5649's alternative initial value, which Node's `id-aes256-wrap-pad` expects explicitly. */
const RFC5649_IV = Buffer.from('a65959a6', 'hex');
const RSA_WRAPPING_BITS: Readonly<Partial<Record<WrappingKeySpec, number>>> = { RSA_2048: 2048, RSA_3072: 3072, RSA_4096: 4096 };
const AES_KEY_BYTES = 32;
const KEY_WRAP_OVERHEAD = 8;

type Attribute = { readonly type: number; readonly value: number | boolean | Buffer };

const sessionKey = (...specific: readonly Attribute[]): Attribute[] => [
  ...specific, { type: CKA.TOKEN, value: false }, { type: CKA.SENSITIVE, value: true },
];

/** What the unwrapped material is loaded as, per class of key; extractable so it can be wrapped for storage. */
function targetTemplate(keySpec: KeySpec): { readonly role: WrapRole; readonly template: Attribute[] } {
  const extractable = { type: CKA.EXTRACTABLE, value: true } as const;
  if (keySpec === 'SYMMETRIC_DEFAULT') {
    return { role: 'aes', template: sessionKey({ type: CKA.CLASS, value: ObjectClass.SECRET_KEY }, { type: CKA.KEY_TYPE, value: KeyType.AES }, { type: CKA.ENCRYPT, value: true }, extractable) };
  }
  if (isHmacSpec(keySpec)) {
    return { role: 'hmac', template: sessionKey({ type: CKA.CLASS, value: ObjectClass.SECRET_KEY }, { type: CKA.KEY_TYPE, value: KeyType.GENERIC_SECRET }, { type: CKA.SIGN, value: true }, extractable) };
  }
  if (isRsaSpec(keySpec)) {
    return { role: 'rsa', template: sessionKey({ type: CKA.CLASS, value: ObjectClass.PRIVATE_KEY }, { type: CKA.KEY_TYPE, value: KeyType.RSA }, { type: CKA.SIGN, value: true }, extractable) };
  }
  if (isEccSpec(keySpec)) {
    return { role: 'ec', template: sessionKey({ type: CKA.CLASS, value: ObjectClass.PRIVATE_KEY }, { type: CKA.KEY_TYPE, value: KeyType.EC }, { type: CKA.SIGN, value: true }, { type: CKA.DERIVE, value: true }, extractable) };
  }
  throw new UnsupportedOperationException(say('importNotOffered', { keySpec }));
}

/** The one-time AES key of the RSA_AES_KEY_WRAP algorithms: it can only unwrap, and only once. */
const EPHEMERAL_TEMPLATE = sessionKey(
  { type: CKA.CLASS, value: ObjectClass.SECRET_KEY }, { type: CKA.KEY_TYPE, value: KeyType.AES },
  { type: CKA.UNWRAP, value: true }, { type: CKA.ENCRYPT, value: false }, { type: CKA.DECRYPT, value: false }, { type: CKA.EXTRACTABLE, value: false },
);

function hashOf(algorithm: AlgorithmSpec): OaepHash {
  return algorithm.endsWith('SHA_1') ? 'sha1' : 'sha256';
}

const incorrect = (keySpec: KeySpec) => new IncorrectKeyMaterialException(say('importedMaterialInvalid', { keySpec }));

export class Pkcs11KeyImport implements KeyImport {
  readonly #token: TokenAccess;
  /** Cleared the first time the token refuses OAEP with SHA-256 (SoftHSM 2.6 knows only SHA-1). */
  #oaepSha256InToken = true;

  private constructor(token: TokenAccess) {
    this.#token = token;
  }

  /** Shares the sessions and wrapping keys of an open `Pkcs11KeyMaterial`; valid until it closes. */
  static create(material: Pkcs11KeyMaterial): Pkcs11KeyImport {
    return new Pkcs11KeyImport(material.tokenAccess());
  }

  async generateWrappingKeyPair(spec: WrappingKeySpec): Promise<WrappingKeyPair> {
    const modulusBits = RSA_WRAPPING_BITS[spec];
    if (modulusBits === undefined) throw new UnsupportedOperationException(say('wrappingKeySpecNotOffered', { parameter: 'WrappingKeySpec', value: spec }));
    return this.#token.generateOffLoop(async (session, destroy) => {
      const pair = await generateKeyPairOffLoop(session, KeyGenMechanism.RSA,
        { token: false, class: ObjectClass.PUBLIC_KEY, keyType: KeyType.RSA, modulusBits, publicExponent: F4, encrypt: true, wrap: true },
        { token: false, class: ObjectClass.PRIVATE_KEY, keyType: KeyType.RSA, private: true, sensitive: true, extractable: true, unwrap: true, decrypt: true, sign: false });
      try {
        const numbers = pair.publicKey.getAttribute({ modulus: null, publicExponent: null }) as { modulus: Buffer; publicExponent: Buffer };
        return { publicKey: rsaSpki(numbers), wrappedPrivateKey: wrapUnder(session, this.#token.wrappingKeys.import, pair.privateKey.handle) };
      } finally {
        destroy(pair.privateKey.handle);
        destroy(pair.publicKey.handle);
      }
    });
  }

  async unwrapKeyMaterial(request: EncryptedImport): Promise<ImportedMaterial> {
    const modulusBytes = WRAPPING_MODULUS_BYTES[request.wrappingKeySpec];
    if (modulusBytes === undefined) throw new UnsupportedOperationException(say('wrappingKeySpecNotOffered', { parameter: 'WrappingKeySpec', value: request.wrappingKeySpec }));
    const { role, template } = targetTemplate(request.keySpec);
    return this.#token.withObjectSession((session) => {
      const privateKey = this.#token.unwrap(session, 'import', request.wrappedPrivateKey);
      try {
        const key = this.#unwrapTarget(session, privateKey, request, modulusBytes, template);
        try {
          return this.#stored(session, key, role, request);
        } finally {
          this.#token.destroyObject(key);
        }
      } finally {
        this.#token.destroyObject(privateKey);
      }
    });
  }

  /** The imported key as an extractable session object. */
  #unwrapTarget(session: Session, privateKey: Handle, request: EncryptedImport, modulusBytes: number, template: Attribute[]): Handle {
    const hash = hashOf(request.algorithm);
    if (request.algorithm.startsWith('RSA_AES_KEY_WRAP_')) {
      const payload = splitKeyWrapPayload(request.encryptedKeyMaterial, modulusBytes);
      if (payload === undefined) throw new InvalidCiphertextException('');
      const ephemeral = this.#oaepUnwrap(session, privateKey, hash, payload.encryptedAesKey, modulusBytes, EPHEMERAL_TEMPLATE)
        ?? this.#transportKey(session, this.#rawOaepDecrypt(session, privateKey, hash, payload.encryptedAesKey, modulusBytes));
      try {
        return this.#keyWrapUnwrap(session, ephemeral, asBuffer(payload.wrappedMaterial), template, request.keySpec);
      } finally {
        this.#token.destroyObject(ephemeral);
      }
    }
    if (request.encryptedKeyMaterial.length !== modulusBytes) throw new InvalidCiphertextException('');
    const direct = this.#oaepUnwrap(session, privateKey, hash, request.encryptedKeyMaterial, modulusBytes, template);
    if (direct !== undefined) return direct;
    // The token cannot unwrap with this hash: decode here, and hand the material over under a one-time key.
    const material = this.#rawOaepDecrypt(session, privateKey, hash, request.encryptedKeyMaterial, modulusBytes);
    const transport = randomBytes(AES_KEY_BYTES);
    try {
      const cipher = createCipheriv('id-aes256-wrap-pad', transport, RFC5649_IV);
      const wrapped = Buffer.concat([cipher.update(material), cipher.final()]);
      const transportKey = this.#transportKey(session, transport);
      try {
        return this.#keyWrapUnwrap(session, transportKey, wrapped, template, request.keySpec);
      } finally {
        this.#token.destroyObject(transportKey);
      }
    } finally {
      material.fill(0);
      transport.fill(0);
    }
  }

  /** C_UnwrapKey with RSAES-OAEP; undefined when the token does not do OAEP with `hash`. */
  #oaepUnwrap(session: Session, privateKey: Handle, hash: OaepHash, encrypted: Uint8Array, modulusBytes: number, template: Attribute[]): Handle | undefined {
    if (hash === 'sha256' && !this.#oaepSha256InToken) return undefined;
    if (encrypted.length !== modulusBytes) throw new InvalidCiphertextException('');
    try {
      return session.lib.C_UnwrapKey(session.handle, oaepMechanism(hash), privateKey, asBuffer(encrypted), template);
    } catch (error) {
      if (hash === 'sha256' && isUnsupportedParameter(error)) {
        this.#oaepSha256InToken = false;
        return undefined;
      }
      throw new InvalidCiphertextException('');
    }
  }

  /** The raw RSA private-key operation in the token, OAEP-decoded here. Every failure is the same InvalidCiphertextException. */
  #rawOaepDecrypt(session: Session, privateKey: Handle, hash: OaepHash, encrypted: Uint8Array, modulusBytes: number): Buffer {
    if (encrypted.length !== modulusBytes) throw new InvalidCiphertextException('');
    let block: Buffer;
    try {
      session.lib.C_DecryptInit(session.handle, RAW_RSA, privateKey);
      block = session.lib.C_Decrypt(session.handle, asBuffer(encrypted), Buffer.alloc(modulusBytes));
    } catch {
      throw new InvalidCiphertextException('');
    }
    return decodeOaep(hash, block, modulusBytes);
  }

  /** A one-time AES unwrapping key of the value `value` (zeroed here). */
  #transportKey(session: Session, value: Buffer): Handle {
    try {
      /* Precondition: the one-time key of RSA_AES_KEY_WRAP is an AES-256 key. */
      if (value.length !== AES_KEY_BYTES) throw new InvalidCiphertextException('');
      return session.lib.C_CreateObject(session.handle, [...EPHEMERAL_TEMPLATE, { type: CKA.VALUE, value: Buffer.from(value) }]);
    } finally {
      value.fill(0);
    }
  }

  /** C_UnwrapKey with CKM_AES_KEY_WRAP_PAD; material that does not unwrap as `template` is not key material of the spec. */
  #keyWrapUnwrap(session: Session, unwrappingKey: Handle, wrapped: Buffer, template: Attribute[], keySpec: KeySpec): Handle {
    try {
      return session.lib.C_UnwrapKey(session.handle, { mechanism: WRAP_MECHANISM }, unwrappingKey, wrapped, template);
    } catch {
      throw incorrect(keySpec);
    } finally {
      wrapped.fill(0);
    }
  }

  /** Checks the unwrapped key against `keySpec` and wraps it for storage. */
  #stored(session: Session, key: Handle, role: WrapRole, { keySpec, keyArn }: EncryptedImport): ImportedMaterial {
    const publicKey = this.#checkedPublicKey(session, key, keySpec);
    const wrappedMaterial = wrapUnder(session, this.#token.wrappingKeys[role], key);
    if (publicKey === undefined) this.#checkSecretLength(session, key, keySpec, wrappedMaterial);
    // RFC 5649 is deterministic, so the same secret wraps to the same bytes under the same key.
    const fingerprint = new Uint8Array(createHash('sha256').update(`${keyArn}\n`).update(publicKey ?? wrappedMaterial).digest());
    return { wrappedMaterial, tier: 'token', fingerprint, ...(publicKey === undefined ? {} : { publicKey }) };
  }

  /**
   * The token does not report the length of an unwrapped secret, but RFC 5649 output is the
   * length rounded up to 8 bytes plus 8: that settles HMAC keys to within 8 bytes and, with one
   * AES-GCM encryption that only a 16, 24 or 32-byte key survives, a symmetric key exactly.
   */
  #checkSecretLength(session: Session, key: Handle, keySpec: KeySpec, wrapped: Uint8Array): void {
    const bytes = keySpec === 'SYMMETRIC_DEFAULT' ? AES_KEY_BYTES : isHmacSpec(keySpec) ? HMAC_SPECS[keySpec].keyBytes : 0;
    if (wrapped.length !== Math.ceil(bytes / KEY_WRAP_OVERHEAD) * KEY_WRAP_OVERHEAD + KEY_WRAP_OVERHEAD) throw incorrect(keySpec);
    if (keySpec !== 'SYMMETRIC_DEFAULT') return;
    try {
      gcmEncrypt(session.lib, session.handle, key, Buffer.alloc(12), Buffer.alloc(0), Buffer.alloc(0));
    } catch {
      throw incorrect(keySpec);
    }
  }

  /** The DER public key of an imported private key, after checking it is of `keySpec`; undefined for secrets. */
  #checkedPublicKey(session: Session, key: Handle, keySpec: KeySpec): Uint8Array | undefined {
    if (isRsaSpec(keySpec)) {
      const [modulus, publicExponent] = attributes(session, key, [CKA_MODULUS, CKA_PUBLIC_EXPONENT]);
      if (modulus === undefined || publicExponent === undefined) throw incorrect(keySpec);
      const significant = modulus.subarray(modulus.findIndex((byte) => byte !== 0));
      if (significant.length * 8 !== RSA_BITS[keySpec] || ((significant[0] ?? 0) & 0x80) === 0) throw incorrect(keySpec);
      return rsaSpki({ modulus: significant, publicExponent });
    }
    if (isEccSpec(keySpec)) {
      const curve = CURVES[keySpec];
      const [params] = attributes(session, key, [CKA_EC_PARAMS]);
      if (params === undefined || !params.equals(curve.ecParams)) throw incorrect(keySpec);
      return ecPublicKey(session, key, curve);
    }
    return undefined;
  }
}

function attributes(session: Session, key: Handle, types: readonly number[]): (Buffer | undefined)[] {
  const values = session.lib.C_GetAttributeValue(session.handle, key, types.map((type) => ({ type }))) as { type: number; value?: Buffer }[];
  return types.map((type) => values.find((attribute) => attribute.type === type)?.value);
}

const generators = new Map<string, Buffer>();

/** The curve's generator G, uncompressed: the public key of the private key 1. */
function generatorOf(curve: Curve): Buffer {
  let generator = generators.get(curve.nodeName);
  if (generator === undefined) {
    const ecdh = createECDH(curve.nodeName);
    ecdh.setPrivateKey(Buffer.concat([Buffer.alloc(curve.fieldBytes - 1), Buffer.from([1])]));
    generator = ecdh.getPublicKey();
    generators.set(curve.nodeName, generator);
  }
  return generator;
}

/** d·G for the private key d in the token: its x by ECDH with G, its y by a signature that verifies. */
function ecPublicKey(session: Session, key: Handle, curve: Curve): Uint8Array {
  const mechanism = { mechanism: MechanismEnum.ECDH1_DERIVE, parameter: { type: MechParams.EcDH, kdf: EcKdf.NULL, publicData: generatorOf(curve) } };
  const derived = session.lib.C_DeriveKey(session.handle, mechanism, key, [
    { type: CKA.CLASS, value: ObjectClass.SECRET_KEY }, { type: CKA.KEY_TYPE, value: KeyType.GENERIC_SECRET },
    { type: CKA.TOKEN, value: false }, { type: CKA.SENSITIVE, value: false }, { type: CKA.EXTRACTABLE, value: true },
    { type: CKA.VALUE_LEN, value: curve.fieldBytes },
  ]);
  let x: Buffer | undefined;
  try {
    // The x coordinate of the public key is public: reading it reveals nothing of d.
    [x] = attributes(session, derived, [CKA.VALUE]);
  } finally {
    session.lib.C_DestroyObject(session.handle, derived);
  }
  if (x?.length !== curve.fieldBytes) throw new Error('ECDH with the generator gave no x coordinate.');
  const message = Buffer.from('imported key material public key check');
  const digest = createHash('sha256').update(message).digest();
  session.lib.C_SignInit(session.handle, { mechanism: MechanismEnum.ECDSA }, key);
  const signature = session.lib.C_Sign(session.handle, digest, Buffer.alloc(2 * curve.fieldBytes));
  for (const prefix of [0x02, 0x03]) {
    const point = ECDH.convertKey(Buffer.concat([Buffer.from([prefix]), x]), curve.nodeName, undefined, undefined, 'uncompressed') as Buffer;
    const spki = ecSpki(curve, point);
    const publicKey = createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
    if (nodeVerify('sha256', message, { key: publicKey, dsaEncoding: 'ieee-p1363' }, signature)) return spki;
  }
  throw new Error('Neither point with the derived x verifies the key\'s signature.');
}
