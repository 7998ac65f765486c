import { execFile } from 'node:child_process';
import { createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidCiphertextException, KMSInternalException } from '../../../src/models/kms/generated/errors.js';
import type { SealedData, WrappedKeyRef } from '../../../src/core/ports/index.js';
import { Pkcs11KeyMaterial } from '../../../src/adapters/pkcs11/pkcs11-key-material.js';
import { ensureSoftHsmToken } from '../../../src/local/softhsm-token.js';
import type { SoftHsmTokenConfig } from '../../../src/local/softhsm-token.js';

const runNode = promisify(execFile);
const utf8 = (text: string) => new TextEncoder().encode(text);
const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

/** A copy of `bytes` with bit 0 of byte `index` flipped. */
function flipped(bytes: Uint8Array, index: number): Uint8Array {
  const copy = Uint8Array.from(bytes);
  copy[index] = (copy[index] ?? 0) ^ 1;
  return copy;
}

/**
 * Runs `body` in a separate Node process whose SoftHSM uses `dataDir` (SoftHSM reads its
 * configuration once per process), after waiting until `env.START_AT` (epoch ms) when given.
 * `body` sees `config`, `Pkcs11KeyMaterial` and `hex`; returns stdout.
 */
async function runInOtherProcess(dataDir: string, body: string, env: Record<string, string> = {}): Promise<string> {
  const tokenModule = new URL('../../../src/local/softhsm-token.ts', import.meta.url).href;
  const materialModule = new URL('../../../src/adapters/pkcs11/pkcs11-key-material.ts', import.meta.url).href;
  const script = `
    import { ensureSoftHsmToken } from ${JSON.stringify(tokenModule)};
    import { Pkcs11KeyMaterial } from ${JSON.stringify(materialModule)};
    const hex = (bytes) => Buffer.from(bytes).toString('hex');
    if (process.env.START_AT) await new Promise((done) => setTimeout(done, Number(process.env.START_AT) - Date.now()));
    const config = await ensureSoftHsmToken({ dataDir: process.env.CHILD_DATA_DIR });
    ${body}`;
  const { stdout } = await runNode(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    env: { ...process.env, ...env, CHILD_DATA_DIR: dataDir },
  });
  return stdout.trim();
}

const GENERATE_WRAPPED_KEY = `
  const material = await Pkcs11KeyMaterial.open(config);
  process.stdout.write(hex(await material.generateSymmetricKey()));
  await material.close();`;

describe('Pkcs11KeyMaterial', () => {
  let dataDir: string;
  let config: SoftHsmTokenConfig;
  let material: Pkcs11KeyMaterial;
  let backingKey: WrappedKeyRef;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'kms-pkcs11-'));
    config = await ensureSoftHsmToken({ dataDir });
    material = await Pkcs11KeyMaterial.open(config);
    backingKey = { backingKeyId: 'bk-main', wrappedMaterial: await material.generateSymmetricKey() };
  }, 30_000);

  afterAll(async () => {
    await material?.close();
    if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true });
  });

  it('returns the plaintext when a ciphertext is decrypted with the same key and AAD', async () => {
    // Prepare
    const aad = utf8('context');
    // Act
    const sealed = await material.encrypt(backingKey, utf8('hello, token'), aad);
    const plaintext = await material.decrypt(backingKey, sealed, aad);
    // Assess
    expect(sealed.iv).toHaveLength(12);
    expect(sealed.ciphertext).toHaveLength('hello, token'.length + 16);
    expect(text(plaintext)).toBe('hello, token');
  });

  it('returns an empty plaintext when an empty message is encrypted and decrypted', async () => {
    // Prepare
    const aad = utf8('empty');
    // Act
    const sealed = await material.encrypt(backingKey, new Uint8Array(0), aad);
    const plaintext = await material.decrypt(backingKey, sealed, aad);
    // Assess
    expect(sealed.ciphertext).toHaveLength(16);
    expect(plaintext).toHaveLength(0);
  });

  it('returns a fresh IV for every encryption', async () => {
    // Prepare
    const plaintext = utf8('same message');
    // Act
    const first = await material.encrypt(backingKey, plaintext, new Uint8Array(0));
    const second = await material.encrypt(backingKey, plaintext, new Uint8Array(0));
    // Assess
    expect(Buffer.from(first.iv).equals(Buffer.from(second.iv))).toBe(false);
    expect(Buffer.from(first.ciphertext).equals(Buffer.from(second.ciphertext))).toBe(false);
  });

  it('throws InvalidCiphertextException when the AAD differs', async () => {
    // Prepare
    const sealed = await material.encrypt(backingKey, utf8('secret'), utf8('aad-1'));
    // Act
    const result = material.decrypt(backingKey, sealed, utf8('aad-2'));
    // Assess
    await expect(result).rejects.toBeInstanceOf(InvalidCiphertextException);
  });

  it.each([
    ['ciphertext', (s: SealedData) => ({ iv: s.iv, ciphertext: flipped(s.ciphertext, 0) })],
    ['tag', (s: SealedData) => ({ iv: s.iv, ciphertext: flipped(s.ciphertext, s.ciphertext.length - 1) })],
    ['IV', (s: SealedData) => ({ iv: flipped(s.iv, 5), ciphertext: s.ciphertext })],
    ['length of the IV', (s: SealedData) => ({ iv: s.iv.subarray(0, 11), ciphertext: s.ciphertext })],
    ['length of the ciphertext', (s: SealedData) => ({ iv: s.iv, ciphertext: s.ciphertext.subarray(0, 15) })],
  ])('throws InvalidCiphertextException when the %s is tampered with', async (_part, tamper) => {
    // Prepare
    const aad = utf8('aad');
    const sealed = await material.encrypt(backingKey, utf8('secret message'), aad);
    // Act
    const result = material.decrypt(backingKey, tamper(sealed), aad);
    // Assess
    await expect(result).rejects.toBeInstanceOf(InvalidCiphertextException);
    expect(text(await material.decrypt(backingKey, sealed, aad))).toBe('secret message');
  });

  it('returns distinct 40-byte blobs when backing keys are generated', async () => {
    // Act
    const first = await material.generateSymmetricKey();
    const second = await material.generateSymmetricKey();
    // Assess
    expect(first).toHaveLength(40);
    expect(Buffer.from(first).equals(Buffer.from(second))).toBe(false);
  });

  it('decrypts old ciphertext when a second instance in the same process opens the token', async () => {
    // Prepare
    const sealed = await material.encrypt(backingKey, utf8('shared'), utf8('aad'));
    // Act
    const second = await Pkcs11KeyMaterial.open(config);
    const plaintext = await second.decrypt(backingKey, sealed, utf8('aad'));
    await second.close();
    // Assess
    expect(text(plaintext)).toBe('shared');
    expect(text(await material.decrypt(backingKey, sealed, utf8('aad')))).toBe('shared');
  });

  it('decrypts old ciphertext and secrets when the token is reopened after every instance closed', async () => {
    // Prepare
    const sealed = await material.encrypt(backingKey, utf8('durable'), utf8('aad'));
    const sealedSecret = await material.sealSecret(utf8('durable secret'), utf8('aad'));
    await material.close();
    // Act
    material = await Pkcs11KeyMaterial.open(config);
    const plaintext = await material.decrypt(backingKey, sealed, utf8('aad'));
    const secret = await material.openSecret(sealedSecret, utf8('aad'));
    // Assess
    expect(text(plaintext)).toBe('durable');
    expect(text(secret)).toBe('durable secret');
  });

  it('throws KMSInternalException when the wrapped key comes from another token', async () => {
    // Prepare
    const otherDir = await mkdtemp(join(tmpdir(), 'kms-pkcs11-other-'));
    const foreignHex = await runInOtherProcess(otherDir, GENERATE_WRAPPED_KEY);
    const foreign = { backingKeyId: 'bk-foreign', wrappedMaterial: Uint8Array.from(Buffer.from(foreignHex, 'hex')) };
    await rm(otherDir, { recursive: true, force: true });
    // Act
    const result = material.encrypt(foreign, utf8('data'), new Uint8Array(0));
    // Assess
    expect(foreign.wrappedMaterial).toHaveLength(40);
    await expect(result).rejects.toBeInstanceOf(KMSInternalException);
  }, 30_000);

  it('throws KMSInternalException when the wrapped key is damaged', async () => {
    // Prepare
    const damaged = { backingKeyId: 'bk-damaged', wrappedMaterial: flipped(backingKey.wrappedMaterial, 20) };
    // Act
    const result = material.decrypt(damaged, { iv: new Uint8Array(12), ciphertext: new Uint8Array(16) }, new Uint8Array(0));
    // Assess
    await expect(result).rejects.toBeInstanceOf(KMSInternalException);
  });

  it('leaves Node able to parse PKCS#8 and SPKI keys when a token call has just failed', async () => {
    // Prepare
    const pair = generateKeyPairSync('ed25519');
    const pkcs8 = pair.privateKey.export({ type: 'pkcs8', format: 'der' });
    const spki = pair.publicKey.export({ type: 'spki', format: 'der' });
    const damaged = { backingKeyId: 'bk-openssl-queue', wrappedMaterial: flipped(backingKey.wrappedMaterial, 20) };
    await expect(material.encrypt(damaged, utf8('x'), new Uint8Array(0))).rejects.toBeInstanceOf(KMSInternalException);
    // Act
    const parse = () => [createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' }), createPublicKey({ key: spki, format: 'der', type: 'spki' })];
    // Assess
    expect(parse).not.toThrow();
  });

  it('returns the secret when a sealed secret is opened with the same AAD', async () => {
    // Prepare
    const aad = utf8('AKIAEXAMPLE');
    // Act
    const sealed = await material.sealSecret(utf8('wJalrXUtnFEMI/K7MDENG'), aad);
    const secret = await material.openSecret(sealed, aad);
    // Assess
    expect(text(secret)).toBe('wJalrXUtnFEMI/K7MDENG');
    await expect(material.openSecret(sealed, utf8('AKIAOTHER'))).rejects.toBeInstanceOf(InvalidCiphertextException);
  });

  it('throws InvalidCiphertextException when a data key ciphertext is opened as a sealed secret', async () => {
    // Prepare
    const sealed = await material.encrypt(backingKey, utf8('not a secret'), new Uint8Array(0));
    // Act
    const result = material.openSecret(sealed, new Uint8Array(0));
    // Assess
    await expect(result).rejects.toBeInstanceOf(InvalidCiphertextException);
  });

  it.each([0, 1, 12, 32, 1024])('returns %i random bytes when asked for that many', async (length) => {
    // Act
    const bytes = await material.generateRandom(length);
    // Assess
    expect(bytes).toHaveLength(length);
  });

  it('returns different bytes when random bytes are asked for twice', async () => {
    // Act
    const first = await material.generateRandom(32);
    const second = await material.generateRandom(32);
    // Assess
    expect(Buffer.from(first).equals(Buffer.from(second))).toBe(false);
  });

  it('decrypts under every key when the handle cache holds fewer keys than are in use', async () => {
    // Prepare
    const small = await Pkcs11KeyMaterial.open({ ...config, handleCacheSize: 2 });
    try {
      const keys = await Promise.all(
        Array.from({ length: 5 }, async (_, i) => ({ backingKeyId: `bk-${i}`, wrappedMaterial: await small.generateSymmetricKey() })),
      );
      const sealed = await Promise.all(keys.map((key, i) => small.encrypt(key, utf8(`message ${i}`), utf8(key.backingKeyId))));
      // Act
      const forward = await Promise.all(keys.map((key, i) => small.decrypt(key, sealed[i]!, utf8(key.backingKeyId))));
      const backward = await Promise.all(keys.map((key, i) => small.decrypt(key, sealed[i]!, utf8(key.backingKeyId))).reverse());
      // Assess
      expect(forward.map(text)).toEqual(['message 0', 'message 1', 'message 2', 'message 3', 'message 4']);
      expect(backward.map(text)).toEqual(['message 4', 'message 3', 'message 2', 'message 1', 'message 0']);
    } finally {
      await small.close();
    }
  });

  it('uses one token and one root key when two processes start on a fresh data directory at once', async () => {
    // Prepare
    const raceDir = await mkdtemp(join(tmpdir(), 'kms-pkcs11-race-'));
    try {
      const startAt = String(Date.now() + 2_000);
      // Act
      const wrapped = await Promise.all([
        runInOtherProcess(raceDir, GENERATE_WRAPPED_KEY, { START_AT: startAt }),
        runInOtherProcess(raceDir, GENERATE_WRAPPED_KEY, { START_AT: startAt }),
      ]);
      const check = await runInOtherProcess(
        raceDir,
        `const material = await Pkcs11KeyMaterial.open(config);
         for (const [i, wrappedHex] of process.env.WRAPPED.split(',').entries()) {
           const key = { backingKeyId: 'bk-' + i, wrappedMaterial: Buffer.from(wrappedHex, 'hex') };
           await material.decrypt(key, await material.encrypt(key, Buffer.from('x'), Buffer.alloc(0)), Buffer.alloc(0));
         }
         await material.close();
         process.stdout.write('both unwrap');`,
        { WRAPPED: wrapped.join(',') },
      );
      // Assess
      expect(check).toBe('both unwrap');
    } finally {
      await rm(raceDir, { recursive: true, force: true });
    }
  }, 30_000);

  it('rejects every operation when the instance has been closed', async () => {
    // Prepare
    const closing = await Pkcs11KeyMaterial.open(config);
    await closing.close();
    // Act
    const result = closing.generateRandom(8);
    // Assess
    await expect(result).rejects.toThrow(/closed/);
    await expect(closing.close()).resolves.toBeUndefined();
  });
});

describe('ensureSoftHsmToken', () => {
  /** Runs `script` (an ES module body) in a fresh Node process and returns its stdout. */
  async function node(script: string, env: Record<string, string> = {}): Promise<string> {
    const { stdout } = await runNode(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { env: { ...process.env, ...env } });
    return stdout.trim();
  }
  const moduleUrl = (path: string) => JSON.stringify(new URL(`../../../src/${path}`, import.meta.url).href);

  it('spawns no child process, so no PIN is ever on a command line, when it initialises a new token', async () => {
    // Prepare
    const dataDir = await mkdtemp(join(tmpdir(), 'kms-softhsm-spawn-'));
    const script = `
      import { createRequire, syncBuiltinESMExports } from 'node:module';
      const childProcess = createRequire(import.meta.url)('node:child_process');
      const spawned = [];
      for (const name of ['spawn', 'spawnSync', 'exec', 'execSync', 'execFile', 'execFileSync', 'fork']) {
        const original = childProcess[name];
        childProcess[name] = (...args) => { spawned.push([name, ...args.filter((a) => typeof a === 'string' || Array.isArray(a))]); return original(...args); };
      }
      syncBuiltinESMExports();
      const { ensureSoftHsmToken } = await import(${moduleUrl('local/softhsm-token.ts')});
      const { Pkcs11KeyMaterial } = await import(${moduleUrl('adapters/pkcs11/pkcs11-key-material.ts')});
      const config = await ensureSoftHsmToken({ dataDir: process.env.CHILD_DATA_DIR });
      const material = await Pkcs11KeyMaterial.open(config);
      const sealed = await material.sealSecret(Buffer.from('x'), Buffer.alloc(0));
      await material.close();
      process.stdout.write(JSON.stringify({ spawned, sealed: sealed.ciphertext.length }));`;
    try {
      // Act
      const result = JSON.parse(await node(script, { CHILD_DATA_DIR: dataDir })) as { spawned: unknown[]; sealed: number };
      const stored = JSON.parse(await readFile(join(dataDir, 'token.json'), 'utf8')) as { pin: string; soPin: string };
      // Assess
      expect(result).toEqual({ spawned: [], sealed: 17 });
      expect(stored.pin).toMatch(/^[0-9a-f]{32}$/);
      expect(stored.soPin).toMatch(/^[0-9a-f]{32}$/);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 30_000);

  it('adopts the pending PIN file and sets the user PIN when a set-up stopped right after C_InitToken', async () => {
    // Prepare
    const dataDir = await mkdtemp(join(tmpdir(), 'kms-softhsm-crash-'));
    const tokens = { tokenLabel: 'kms', pin: 'a'.repeat(32), soPin: 'b'.repeat(32) };
    await mkdir(join(dataDir, 'tokens'), { mode: 0o700 });
    await writeFile(join(dataDir, 'softhsm2.conf'), `directories.tokendir = ${join(dataDir, 'tokens')}\nobjectstore.backend = file\nlog.level = ERROR\n`);
    await writeFile(join(dataDir, 'token.json.pending'), JSON.stringify(tokens), { mode: 0o600 });
    // What the interrupted run had done: C_InitToken, and no C_InitPIN.
    await node(`
      const { acquireModule, releaseModule } = await import(${moduleUrl('adapters/pkcs11/module-registry.ts')});
      const module = acquireModule('/usr/lib/softhsm/libsofthsm2.so');
      const slot = module.getSlots(true).items(0);
      slot.lib.C_InitToken(slot.handle, ${JSON.stringify(tokens.soPin)}, 'kms'.padEnd(32, ' '));
      releaseModule('/usr/lib/softhsm/libsofthsm2.so');`, { SOFTHSM2_CONF: join(dataDir, 'softhsm2.conf') });
    try {
      // Act
      const opened = await node(`
        const { ensureSoftHsmToken } = await import(${moduleUrl('local/softhsm-token.ts')});
        const config = await ensureSoftHsmToken({ dataDir: process.env.CHILD_DATA_DIR });
        process.stdout.write(config.pin);`, { CHILD_DATA_DIR: dataDir });
      // Assess
      expect(opened).toBe(tokens.pin);
      expect(JSON.parse(await readFile(join(dataDir, 'token.json'), 'utf8'))).toEqual(tokens);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 30_000);

  it('returns the same PIN and keeps token.json owner-only when called again for the same directory', async () => {
    // Prepare
    const dataDir = await mkdtemp(join(tmpdir(), 'kms-softhsm-'));
    try {
      // Act
      const first = await ensureSoftHsmToken({ dataDir });
      const second = await ensureSoftHsmToken({ dataDir });
      const mode = (await stat(join(dataDir, 'token.json'))).mode & 0o777;
      // Assess
      expect(second.pin).toBe(first.pin);
      expect(first.tokenLabel).toBe('kms');
      expect(first.softhsmConfPath).toBe(join(dataDir, 'softhsm2.conf'));
      expect(mode).toBe(0o600);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('throws an install hint when the module is missing', async () => {
    // Act
    const result = ensureSoftHsmToken({ dataDir: tmpdir(), modulePath: '/nonexistent/libsofthsm2.so' });
    // Assess
    await expect(result).rejects.toThrow(/Debian package softhsm2/);
  });
});
