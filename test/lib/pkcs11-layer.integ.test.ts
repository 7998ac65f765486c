/**
 * The committed layers at work on arm64: under qemu, Debian's arm64 Node.js loads the binding
 * layer's packages through NODE_PATH (as Lambda does from /opt/nodejs/node_modules), opens the
 * SoftHSM layer's library and initialises and uses a token (scripts/pkcs11-layer-check.ts).
 *
 * Needs qemu-aarch64-static (qemu-user-static) and the arm64 Node.js that
 * `bash scripts/check-pkcs11-layer.sh` downloads into .build/pkcs11-layer/node-arm64
 * (PKCS11_LAYER_WORK); skipped, saying so, where they are not.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { PKCS11_LAYER_DIRS } from '../../lib/constructs/pkcs11.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SYSROOT = path.join(process.env['PKCS11_LAYER_WORK'] ?? path.join(ROOT, '.build', 'pkcs11-layer'), 'node-arm64');
const NODE = path.join(SYSROOT, 'usr', 'bin', 'node');

const hasQemu = (): boolean => {
  try {
    execFileSync('qemu-aarch64-static', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};

const missing = [
  ...(hasQemu() ? [] : ['qemu-aarch64-static (apt-get install qemu-user-static)']),
  ...(existsSync(NODE) ? [] : [`the arm64 Node.js at ${NODE} (bash scripts/check-pkcs11-layer.sh downloads it)`]),
];
if (missing.length > 0) console.warn(`pkcs11-layer.integ: skipped, missing ${missing.join(' and ')}`);

describe.skipIf(missing.length > 0)('the PKCS#11 layers on arm64 (qemu)', () => {
  it('load in arm64 Node.js from NODE_PATH and drive a SoftHSM token: init, C_GenerateKey, C_Encrypt, signatures, re-initialise', async () => {
    // Outside the repository, so the x86-64 packages in its node_modules are not found first.
    const dir = mkdtempSync(path.join(tmpdir(), 'pkcs11-layer-check-'));
    try {
      const script = path.join(dir, 'pkcs11-layer-check.cjs');
      await build({
        entryPoints: [path.join(ROOT, 'scripts', 'pkcs11-layer-check.ts')], bundle: true, packages: 'external',
        platform: 'node', format: 'cjs', target: 'node18', outfile: script, logLevel: 'warning',
      });
      const output = execFileSync('qemu-aarch64-static', ['-L', SYSROOT, NODE, script, path.join(PKCS11_LAYER_DIRS.softhsm, 'lib', 'softhsm', 'libsofthsm2.so')], {
        encoding: 'utf8',
        env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', NODE_PATH: path.join(PKCS11_LAYER_DIRS.binding, 'nodejs', 'node_modules') },
      });
      expect(output).toContain('arm64');
      expect(output).toContain(`require('pkcs11js') -> ${path.join(PKCS11_LAYER_DIRS.binding, 'nodejs', 'node_modules', 'pkcs11js', 'index.js')}`);
      expect(output).toMatch(/round 1: C_GenerateKey AES-256 with a 72-byte CKA_UNWRAP_TEMPLATE/);
      expect(output).toMatch(/round 2: C_FindObjects: the stored key is there/);
      expect(output.trim().endsWith('OK')).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 240_000);
});
