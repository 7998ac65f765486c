// Runs inside an arm64 Node.js (scripts/check-pkcs11-layer.sh starts it under qemu, compiled to
// CommonJS by esbuild with the packages left external) with NODE_PATH set to the binding layer's
// node_modules, as Lambda sets it to /opt/nodejs/node_modules:
//
//   node pkcs11-layer-check.cjs <libsofthsm2.so>
//
// It loads koffi, pkcs11js and graphene-pk11 from the layer (with require, and their ES entry
// points with import), opens the given SoftHSM library, initialises a token in a temporary folder
// and uses it as the service does: an AES key whose unwrap template the service's own
// withAttributeArray lays out with koffi (src/adapters/pkcs11/attribute-array.ts),
// C_GenerateKey, C_Encrypt and C_Decrypt with AES-GCM,
// RSA and EC signatures, then a second C_Initialize after C_Finalize and dlclose that finds the
// stored key again. Prints what it did and `OK`; exits non-zero on any failure.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import koffi from 'koffi';
import * as pkcs11js from 'pkcs11js';
import * as g from 'graphene-pk11';
import { withAttributeArray } from '../src/adapters/pkcs11/attribute-array.js';

const CKA_CLASS = 0x0;
const CKA_TOKEN = 0x1;
const CKA_LABEL = 0x3;
const CKA_KEY_TYPE = 0x100;
const CKA_ENCRYPT = 0x104;
const CKA_DECRYPT = 0x105;
const CKA_UNWRAP = 0x107;
const CKA_VALUE_LEN = 0x161;
const CKA_EXTRACTABLE = 0x162;
const CKA_UNWRAP_TEMPLATE = 0x40000212;
const CKO_SECRET_KEY = 0x4;
const CKK_AES = 0x1f;
const LABEL = 'open-kms';

async function main(): Promise<void> {
  const modulePath = process.argv[2];
  if (modulePath === undefined) throw new Error('usage: node pkcs11-layer-check.cjs <libsofthsm2.so>');
  console.log(`node ${process.version} ${process.arch}, Node-API ${process.versions.napi}`);

  for (const name of ['koffi', 'pkcs11js', 'graphene-pk11']) console.log(`require('${name}') -> ${require.resolve(name)}`);
  // The functions' bundles import the packages as ES modules: the same entry points, by path.
  const koffiEsm = (await import(pathToFileURL(path.join(path.dirname(require.resolve('koffi')), 'index.js')).href)) as { default: typeof koffi };
  const grapheneEsm = (await import(pathToFileURL(require.resolve('graphene-pk11')).href)) as typeof g;
  assert.equal(typeof koffiEsm.default.struct, 'function');
  assert.equal(typeof grapheneEsm.Module.load, 'function');
  assert.equal(typeof pkcs11js.PKCS11, 'function');
  console.log('import of koffi and graphene-pk11: ok');

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pkcs11-layer-'));
  try {
    fs.writeFileSync(path.join(dir, 'softhsm2.conf'), `directories.tokendir = ${dir}\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n`);
    process.env['SOFTHSM2_CONF'] = path.join(dir, 'softhsm2.conf');
    useToken(modulePath, 1);
    useToken(modulePath, 2);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  console.log('OK');
}

function slotsOf(module: g.Module): g.Slot[] {
  const list = module.getSlots(true);
  return Array.from({ length: list.length }, (_, i) => list.items(i));
}

function findToken(module: g.Module): g.Slot {
  const slot = slotsOf(module).find((s) => s.getToken().label.trim() === LABEL);
  assert.ok(slot, `the token "${LABEL}" is found`);
  return slot;
}

function useToken(modulePath: string, round: number): void {
  const module = g.Module.load(modulePath, 'SoftHSM');
  module.initialize();
  try {
    console.log(`round ${round}: C_Initialize: ${module.manufacturerID.trim()} ${module.libraryDescription.trim()} ` +
      `${module.libraryVersion.major}.${module.libraryVersion.minor}`);
    if (round === 1) {
      const free = slotsOf(module)[0];
      assert.ok(free, 'SoftHSM offers a free slot');
      free.lib.C_InitToken(free.handle, 'so-pin-1234', LABEL.padEnd(32, ' '));
      const slot = findToken(module);
      const so = slot.open(g.SessionFlag.RW_SESSION | g.SessionFlag.SERIAL_SESSION);
      so.login('so-pin-1234', g.UserType.SO);
      so.initPin('user-pin-5678');
      so.logout();
      so.close();
      console.log(`round ${round}: C_InitToken and C_InitPIN: token "${LABEL}"`);
    }
    const slot = findToken(module);
    const session = slot.open(g.SessionFlag.RW_SESSION | g.SessionFlag.SERIAL_SESSION);
    session.login('user-pin-5678', g.UserType.USER);
    try {
      let key: g.SecretKey;
      if (round === 1) {
        const lib = session.lib;
        // The service's own layout of an array attribute (bundled in by esbuild; koffi comes from the layer).
        const { handle, templateBytes } = withAttributeArray([
          { type: CKA_CLASS, value: CKO_SECRET_KEY }, { type: CKA_KEY_TYPE, value: CKK_AES }, { type: CKA_EXTRACTABLE, value: false },
        ], (array) => ({
          handle: lib.C_GenerateKey(session.handle, { mechanism: g.MechanismEnum.AES_KEY_GEN }, [
            { type: CKA_CLASS, value: CKO_SECRET_KEY }, { type: CKA_TOKEN, value: true },
            { type: CKA_LABEL, value: Buffer.from('check-key') }, { type: CKA_VALUE_LEN, value: 32 },
            { type: CKA_ENCRYPT, value: true }, { type: CKA_DECRYPT, value: true }, { type: CKA_UNWRAP, value: true },
            { type: CKA_UNWRAP_TEMPLATE, value: array },
          ]),
          templateBytes: array.length,
        }));
        const [stored] = lib.C_GetAttributeValue(session.handle, handle, [{ type: CKA_UNWRAP_TEMPLATE }]);
        const bytes = stored?.value;
        assert.ok(Buffer.isBuffer(bytes) && bytes.length === templateBytes, 'the token keeps the three-attribute unwrap template');
        console.log(`round ${round}: C_GenerateKey AES-256 with a ${bytes.length}-byte CKA_UNWRAP_TEMPLATE laid out by koffi`);
        const object = session.getObject<g.SecretKey>(handle);
        assert.ok(object);
        key = object.toType<g.SecretKey>();
      } else {
        key = session.find({ class: g.ObjectClass.SECRET_KEY, label: 'check-key' }).items(0).toType<g.SecretKey>();
        console.log(`round ${round}: C_FindObjects: the stored key is there after C_Finalize, dlclose and a new C_Initialize`);
      }
      const params = new g.AesGcm240Params(Buffer.alloc(12, round), Buffer.from('aad'), 128);
      const plaintext = Buffer.from(`round ${round} on ${process.arch}`);
      const ciphertext = session.createCipher({ name: 'AES_GCM', params }, key).once(plaintext, Buffer.alloc(64));
      const decrypted = session.createDecipher({ name: 'AES_GCM', params }, key).once(ciphertext, Buffer.alloc(64));
      assert.deepEqual(decrypted, plaintext);
      console.log(`round ${round}: C_Encrypt/C_Decrypt AES-GCM: ${ciphertext.length} bytes, round trip ok`);
      const rsa = session.generateKeyPair(g.KeyGenMechanism.RSA,
        { keyType: g.KeyType.RSA, modulusBits: 2048, publicExponent: Buffer.from([1, 0, 1]), token: false, verify: true },
        { keyType: g.KeyType.RSA, token: false, sign: true });
      const digestInfo = Buffer.concat([Buffer.from('3031300d060960864801650304020105000420', 'hex'), Buffer.alloc(32, 7)]);
      const rsaSignature = session.createSign('RSA_PKCS', rsa.privateKey).once(digestInfo);
      assert.ok(session.createVerify('RSA_PKCS', rsa.publicKey).once(digestInfo, rsaSignature));
      const ec = session.generateKeyPair(g.KeyGenMechanism.EC,
        { keyType: g.KeyType.EC, paramsEC: Buffer.from('06082a8648ce3d030107', 'hex'), token: false, verify: true },
        { keyType: g.KeyType.EC, token: false, sign: true });
      const ecSignature = session.createSign('ECDSA', ec.privateKey).once(Buffer.alloc(32, 7));
      assert.ok(session.createVerify('ECDSA', ec.publicKey).once(Buffer.alloc(32, 7), ecSignature));
      console.log(`round ${round}: RSA-2048 PKCS#1 v1.5 and ECDSA P-256 sign and verify: ok`);
    } finally {
      session.logout();
      session.close();
    }
  } finally {
    module.finalize();
    module.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
