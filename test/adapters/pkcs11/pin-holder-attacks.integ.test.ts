/**
 * What someone who holds only the token PIN (and a copy of the table) can do, tried with
 * graphene-pk11 directly against SoftHSM 2.6.1, as such an attacker would: every way to get a
 * stored key's value out in the clear must be refused by the token itself. The one thing the PIN
 * does give, by design, is the use of the keys (and so the opening of sealed secrets, which the
 * service itself must be able to open); the last cases pin that down as well.
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EcKdf, KeyType, MechParams, ObjectClass, SessionFlag, UserType } from 'graphene-pk11';
import type { Session } from 'graphene-pk11';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asymmetricMaterialFor } from '../../../src/composition/asymmetric-material.js';
import { CKA, KEY_ROLES, UNWRAP_TEMPLATES, keyLabel, tokenKeyTemplate } from '../../../src/adapters/pkcs11/key-templates.js';
import type { KeyRole, WrapRole } from '../../../src/adapters/pkcs11/key-templates.js';
import { acquireModule, releaseModule } from '../../../src/adapters/pkcs11/module-registry.js';
import { Pkcs11KeyMaterial } from '../../../src/adapters/pkcs11/pkcs11-key-material.js';
import { ensureSoftHsmToken, type SoftHsmTokenConfig } from '../../../src/local/softhsm-token.js';

type Handle = Buffer;
type Template = { type: number; value: number | boolean | Buffer }[];

const CKM = {
  AES_KEY_GEN: 0x1080, AES_ECB: 0x1081, AES_GCM: 0x1087, AES_KEY_WRAP: 0x2109, AES_KEY_WRAP_PAD: 0x210a,
  AES_ECB_ENCRYPT_DATA: 0x1104, ECDH1_DERIVE: 0x1050, GENERIC_SECRET_KEY_GEN: 0x350, SHA256_HMAC: 0x251,
} as const;
const CKR: Readonly<Record<number, string>> = {
  0x1b: 'ACTION_PROHIBITED', 0x10: 'ATTRIBUTE_READ_ONLY', 0x11: 'ATTRIBUTE_SENSITIVE', 0x12: 'ATTRIBUTE_TYPE_INVALID',
  0x68: 'KEY_FUNCTION_NOT_PERMITTED', 0x6a: 'KEY_UNEXTRACTABLE', 0x63: 'KEY_TYPE_INCONSISTENT', 0x70: 'MECHANISM_INVALID',
  0xd1: 'TEMPLATE_INCONSISTENT', 0xf0: 'UNWRAPPING_KEY_HANDLE_INVALID', 0x110: 'WRAPPED_KEY_INVALID', 0x05: 'GENERAL_ERROR',
  0x40: 'ENCRYPTED_DATA_INVALID', 0x07: 'ARGUMENTS_BAD',
};

/** `refused (<CKR name>)` when the token refuses, `allowed` when it does what was asked. */
function attempt(action: () => unknown): string {
  try {
    action();
    return 'allowed';
  } catch (error) {
    // pkcs11js leaves `code` unset for results it has no name for (CKR_ACTION_PROHIBITED is newer
    // than its table) and reports them as CKR_VENDOR_DEFINED:<decimal value>.
    const named = (error as { code?: unknown }).code;
    const vendor = /^CKR_VENDOR_DEFINED:(\d+)$/.exec(error instanceof Error ? error.message : '')?.[1];
    const code = typeof named === 'number' ? named : vendor === undefined ? undefined : Number(vendor);
    if (code === undefined) throw error;
    return `refused (${CKR[code] ?? `0x${code.toString(16)}`})`;
  }
}

/** A loaded key the way the attacker can get one: with exactly the unwrap template of its class. */
const conforming = (role: WrapRole): Template => [...UNWRAP_TEMPLATES[role]];
const replaced = (role: WrapRole, type: number, value: boolean | number): Template =>
  conforming(role).map((attribute) => (attribute.type === type ? { type, value } : attribute));
const minimal = (role: WrapRole): Template => conforming(role).filter((attribute) => attribute.type === CKA.CLASS || attribute.type === CKA.KEY_TYPE);

describe('an attacker holding only the PIN', () => {
  let dataDir: string;
  let config: SoftHsmTokenConfig;
  let session: Session;
  /** Blobs as the table holds them. */
  const blobs = {} as Record<WrapRole, Uint8Array>;
  let sealed: { iv: Uint8Array; ciphertext: Uint8Array };

  const unwrap = (role: WrapRole, template: Template, blob: Uint8Array = blobs[role], key: Handle = tokenKey(role)): Handle =>
    session.lib.C_UnwrapKey(session.handle, { mechanism: CKM.AES_KEY_WRAP_PAD }, key, Buffer.from(blob), template);
  const tokenKey = (role: KeyRole): Handle => {
    const found = session.find({ class: ObjectClass.SECRET_KEY, label: keyLabel('kms', role) });
    if (found.length !== 1) throw new Error(`expected one ${role} key`);
    return found.items(0).handle;
  };
  /** A key the attacker made and knows: extractable, able to wrap. */
  const attackerKey = (): Handle => session.lib.C_GenerateKey(session.handle, { mechanism: CKM.AES_KEY_GEN }, [
    { type: CKA.CLASS, value: ObjectClass.SECRET_KEY }, { type: CKA.KEY_TYPE, value: KeyType.AES }, { type: CKA.VALUE_LEN, value: 32 },
    { type: CKA.TOKEN, value: false }, { type: CKA.WRAP, value: true }, { type: CKA.UNWRAP, value: true }, { type: CKA.EXTRACTABLE, value: true },
  ]);

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'kms-attack-'));
    config = await ensureSoftHsmToken({ dataDir });
    const material = await Pkcs11KeyMaterial.open(config);
    try {
      const asymmetric = asymmetricMaterialFor(material);
      blobs.aes = await material.generateSymmetricKey();
      blobs.hmac = (await asymmetric.generateMacKey('HMAC_256')).wrappedMaterial;
      blobs.rsa = (await asymmetric.generateKeyPair('RSA_2048')).wrappedMaterial;
      blobs.ec = (await asymmetric.generateKeyPair('ECC_NIST_P256')).wrappedMaterial;
      sealed = await material.sealSecret(new TextEncoder().encode('secret'), new TextEncoder().encode('aad'));
    } finally {
      await material.close();
    }
    const module = acquireModule(config.modulePath);
    const slots = module.getSlots(true);
    const slot = Array.from({ length: slots.length }, (_, i) => slots.items(i)).find((s) => s.getToken().label.trim() === config.tokenLabel);
    session = slot!.open(SessionFlag.RW_SESSION | SessionFlag.SERIAL_SESSION);
    try {
      session.login(config.pin, UserType.USER);
    } catch {
      // Already logged in through another session of this process.
    }
  }, 60_000);

  afterAll(async () => {
    session?.close();
    if (config !== undefined) releaseModule(config.modulePath);
    if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true });
  });

  describe.each(['aes', 'hmac', 'rsa', 'ec'] as const)('a stored %s key', (role) => {
    it.each([
      ['an extractable template', () => replaced(role, CKA.EXTRACTABLE, true)],
      ['a non-sensitive template', () => replaced(role, CKA.SENSITIVE, false)],
      ['a modifiable template', () => replaced(role, CKA.MODIFIABLE, true)],
      ['a copyable template', () => replaced(role, CKA.COPYABLE, true)],
      ['only class and key type (whatever the token defaults to)', () => minimal(role)],
      ['the template plus a second CKA_EXTRACTABLE true', () => [...conforming(role), { type: CKA.EXTRACTABLE, value: true }]],
      ['another class: a derivable generic secret', () => [
        { type: CKA.CLASS, value: ObjectClass.SECRET_KEY }, { type: CKA.KEY_TYPE, value: KeyType.GENERIC_SECRET }, { type: CKA.DERIVE, value: true },
        { type: CKA.SENSITIVE, value: false }, { type: CKA.EXTRACTABLE, value: true },
      ]],
      ...(role === 'ec' ? [] : [['a derivable template', () => replaced(role, CKA.DERIVE, true)] as const]),
      ...(role === 'aes' || role === 'hmac' ? [['a template that may wrap', () => replaced(role, CKA.WRAP, true)] as const] : []),
    ] as const)('is refused when unwrapped with %s', (_case, template) => {
      // Act
      const result = attempt(() => unwrap(role, template()));
      // Assess
      expect(result).toBe('refused (TEMPLATE_INCONSISTENT)');
    });

    it('is refused when unwrapped under another class\'s wrapping key', () => {
      // Prepare
      const other: WrapRole = role === 'aes' ? 'hmac' : 'aes';
      // Act
      const result = attempt(() => unwrap(other, conforming(other), blobs[role], tokenKey(other)));
      // Assess
      expect(result).not.toBe('allowed');
    });

    it('loads only as a key whose value cannot be read, wrapped out, changed, copied or derived from', () => {
      // Prepare
      const loaded = unwrap(role, conforming(role));
      const outside = attackerKey();
      // Act
      const results = {
        // The secret part: CKA_VALUE, or CKA_PRIVATE_EXPONENT of an RSA key.
        read: attempt(() => session.lib.C_GetAttributeValue(session.handle, loaded, [{ type: role === 'rsa' ? 0x123 : CKA.VALUE }])),
        wrapOut: attempt(() => session.lib.C_WrapKey(session.handle, { mechanism: CKM.AES_KEY_WRAP_PAD }, outside, loaded, Buffer.alloc(4096))),
        makeExtractable: attempt(() => session.lib.C_SetAttributeValue(session.handle, loaded, [{ type: CKA.EXTRACTABLE, value: true }])),
        makeDerivable: attempt(() => session.lib.C_SetAttributeValue(session.handle, loaded, [{ type: CKA.DERIVE, value: true }])),
        copyExtractable: attempt(() => session.lib.C_CopyObject(session.handle, loaded, [{ type: CKA.EXTRACTABLE, value: true }])),
        copyAsIs: attempt(() => session.lib.C_CopyObject(session.handle, loaded, [])),
      };
      // Assess
      expect(results).toEqual({
        read: 'refused (ATTRIBUTE_SENSITIVE)',
        wrapOut: 'refused (KEY_UNEXTRACTABLE)',
        makeExtractable: 'refused (ACTION_PROHIBITED)',
        makeDerivable: 'refused (ACTION_PROHIBITED)',
        copyExtractable: 'refused (ACTION_PROHIBITED)',
        copyAsIs: 'refused (ACTION_PROHIBITED)',
      });
    });
  });

  it('cannot derive an extractable key from a loaded AES backing key (CKM_AES_ECB_ENCRYPT_DATA)', () => {
    // Prepare
    const loaded = unwrap('aes', conforming('aes'));
    // A NULL CK_KEY_DERIVATION_STRING_DATA: the token refuses before it would read it.
    const parameter = Buffer.alloc(16);
    // Act
    const result = attempt(() => session.lib.C_DeriveKey(session.handle, { mechanism: CKM.AES_ECB_ENCRYPT_DATA, parameter }, loaded, [
      { type: CKA.CLASS, value: ObjectClass.SECRET_KEY }, { type: CKA.KEY_TYPE, value: KeyType.GENERIC_SECRET },
      { type: CKA.SENSITIVE, value: false }, { type: CKA.EXTRACTABLE, value: true },
    ]));
    // Assess
    expect(result).toMatch(/^refused/);
  });

  it('gets from a loaded EC key, which must derive for ECDH, only ECDH shared secrets, never a symmetric derivation of it', () => {
    // Prepare
    const loaded = unwrap('ec', conforming('ec'));
    const peer = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).publicKey.export({ format: 'jwk' });
    const point = Buffer.concat([Buffer.of(4), Buffer.from(peer.x ?? '', 'base64url'), Buffer.from(peer.y ?? '', 'base64url')]);
    const secretTemplate: Template = [
      { type: CKA.CLASS, value: ObjectClass.SECRET_KEY }, { type: CKA.KEY_TYPE, value: KeyType.GENERIC_SECRET },
      { type: CKA.SENSITIVE, value: false }, { type: CKA.EXTRACTABLE, value: true }, { type: CKA.TOKEN, value: false },
    ];
    const symmetric = { mechanism: CKM.AES_ECB_ENCRYPT_DATA, parameter: Buffer.alloc(16) };
    // Act
    const ecdhMechanism = { mechanism: CKM.ECDH1_DERIVE, parameter: { type: MechParams.EcDH, kdf: EcKdf.NULL, publicData: point } };
    const ecdh = attempt(() => session.lib.C_DeriveKey(session.handle, ecdhMechanism, loaded, secretTemplate));
    const symmetricDerivation = attempt(() => session.lib.C_DeriveKey(session.handle, symmetric, loaded, secretTemplate));
    // Assess
    expect(ecdh).toBe('allowed');
    expect(symmetricDerivation).toBe('refused (KEY_TYPE_INCONSISTENT)');
  });

  describe.each(['aes', 'hmac', 'rsa', 'ec'] as const)('the %s wrapping key', (role) => {
    it('cannot be read, wrapped out, decrypt with AES-ECB (RFC 5649 by hand), use unpadded key wrap, or be changed or copied to do so', () => {
      // Prepare
      const key = tokenKey(role);
      const outside = attackerKey();
      // Act
      const results = {
        read: attempt(() => session.lib.C_GetAttributeValue(session.handle, key, [{ type: CKA.VALUE }])),
        wrapOut: attempt(() => session.lib.C_WrapKey(session.handle, { mechanism: CKM.AES_KEY_WRAP_PAD }, outside, key, Buffer.alloc(64))),
        ecbDecrypt: attempt(() => session.lib.C_DecryptInit(session.handle, { mechanism: CKM.AES_ECB }, key)),
        unpaddedUnwrap: attempt(() => session.lib.C_UnwrapKey(session.handle, { mechanism: CKM.AES_KEY_WRAP }, key, Buffer.from(blobs[role]), conforming(role))),
        enableDecrypt: attempt(() => session.lib.C_SetAttributeValue(session.handle, key, [{ type: CKA.DECRYPT, value: true }])),
        dropTemplate: attempt(() => session.lib.C_SetAttributeValue(session.handle, key, [{ type: CKA.UNWRAP_TEMPLATE, value: Buffer.alloc(0) }])),
        copyWithDecrypt: attempt(() => session.lib.C_CopyObject(session.handle, key, [{ type: CKA.DECRYPT, value: true }])),
      };
      // Assess
      expect(results).toEqual({
        read: 'refused (ATTRIBUTE_SENSITIVE)',
        wrapOut: 'refused (KEY_UNEXTRACTABLE)',
        ecbDecrypt: 'refused (KEY_FUNCTION_NOT_PERMITTED)',
        unpaddedUnwrap: 'refused (MECHANISM_INVALID)',
        enableDecrypt: 'refused (ACTION_PROHIBITED)',
        dropTemplate: 'refused (ACTION_PROHIBITED)',
        copyWithDecrypt: 'refused (ACTION_PROHIBITED)',
      });
    });
  });

  it('cannot make the sealing key wrap, unwrap or run another mode than AES-GCM', () => {
    // Prepare
    const key = tokenKey('seal');
    const victim = attackerKey();
    // Act
    const results = {
      wrap: attempt(() => session.lib.C_WrapKey(session.handle, { mechanism: CKM.AES_KEY_WRAP_PAD }, key, victim, Buffer.alloc(64))),
      unwrap: attempt(() => unwrap('aes', conforming('aes'), blobs.aes, key)),
      ecb: attempt(() => session.lib.C_DecryptInit(session.handle, { mechanism: CKM.AES_ECB }, key)),
      enableUnwrap: attempt(() => session.lib.C_SetAttributeValue(session.handle, key, [{ type: CKA.UNWRAP, value: true }])),
    };
    // Assess
    expect(results).toEqual({
      wrap: 'refused (KEY_FUNCTION_NOT_PERMITTED)',
      unwrap: 'refused (KEY_FUNCTION_NOT_PERMITTED)',
      ecb: 'refused (MECHANISM_INVALID)',
      enableUnwrap: 'refused (ACTION_PROHIBITED)',
    });
  });

  it('cannot read the integrity key, wrap it out, use it with another mechanism than HMAC-SHA256, or make it wrap or decrypt', () => {
    // Prepare
    const key = tokenKey('integrity');
    const aes = tokenKey('aes');
    // Act
    const results = {
      read: attempt(() => session.lib.C_GetAttributeValue(session.handle, key, [{ type: CKA.VALUE }])),
      wrapOut: attempt(() => session.lib.C_WrapKey(session.handle, { mechanism: CKM.AES_KEY_WRAP_PAD }, aes, key, Buffer.alloc(64))),
      decrypt: attempt(() => session.lib.C_DecryptInit(session.handle, { mechanism: CKM.AES_ECB }, key)),
      enableDecrypt: attempt(() => session.lib.C_SetAttributeValue(session.handle, key, [{ type: CKA.DECRYPT, value: true }])),
    };
    // Assess
    expect(results).toEqual({
      read: 'refused (ATTRIBUTE_SENSITIVE)',
      wrapOut: 'refused (KEY_UNEXTRACTABLE)',
      decrypt: expect.stringMatching(/^refused \((KEY_FUNCTION_NOT_PERMITTED|MECHANISM_INVALID|KEY_TYPE_INCONSISTENT)\)$/),
      enableDecrypt: 'refused (ACTION_PROHIBITED)',
    });
  });

  it('can open a sealed secret with AES-GCM under the sealing key, as the service must (what the PIN does give)', () => {
    // Prepare
    const key = tokenKey('seal');
    const parameter = { type: MechParams.AesGCMv240, iv: Buffer.from(sealed.iv), ivBits: 96, aad: Buffer.from('aad'), tagBits: 128 };
    // Act
    session.lib.C_DecryptInit(session.handle, { mechanism: CKM.AES_GCM, parameter }, key);
    const plaintext = session.lib.C_Decrypt(session.handle, Buffer.from(sealed.ciphertext), Buffer.alloc(sealed.ciphertext.length));
    // Assess
    expect(plaintext.toString()).toBe('secret');
  });

  it.each(KEY_ROLES)('makes the service refuse to start when a %s key without the unwrap template was planted under the label', async (role) => {
    // Prepare
    const prefix = `planted-${role}`;
    const label = keyLabel(prefix, role);
    const weak = tokenKeyTemplate(role, label, Buffer.from(label)).map((attribute) =>
      attribute.type === CKA.MODIFIABLE ? { type: CKA.MODIFIABLE, value: true } : attribute);
    const planted = session.lib.C_GenerateKey(session.handle, { mechanism: role === 'integrity' ? CKM.GENERIC_SECRET_KEY_GEN : CKM.AES_KEY_GEN }, weak);
    // Act
    const result = Pkcs11KeyMaterial.open({ ...config, keyLabelPrefix: prefix });
    // Assess
    await expect(result).rejects.toThrow(`The token key "${label}"`);
    session.lib.C_DestroyObject(session.handle, planted);
  });

  it('makes the service refuse to start when a wrapping key with all the right flags but no unwrap template was planted', async () => {
    // Prepare
    const prefix = 'planted-template';
    const label = keyLabel(prefix, 'aes');
    const planted = session.lib.C_GenerateKey(session.handle, { mechanism: CKM.AES_KEY_GEN }, tokenKeyTemplate('aes', label, Buffer.from(label)));
    // Act
    const result = Pkcs11KeyMaterial.open({ ...config, keyLabelPrefix: prefix });
    // Assess
    await expect(result).rejects.toThrow(/does not enforce CKA_UNWRAP_TEMPLATE|unwraps keys as extractable/);
    session.lib.C_DestroyObject(session.handle, planted);
  });
});
