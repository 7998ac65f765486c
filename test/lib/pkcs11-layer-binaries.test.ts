/**
 * The committed PKCS#11 layers (layers/README.md) as files: what layers/MANIFEST.txt lists is
 * what is there; the npm packages are package-lock.json's, for linux/arm64; every ELF file is
 * AArch64 and needs nothing newer than Lambda's nodejs22.x runtime has (Amazon Linux 2023: glibc
 * 2.34, gcc 11's libstdc++ and libgcc_s); the SoftHSM configuration puts the tokens on the EFS
 * mount. readelf comes with binutils, which the project's own `npm ci` needs (it compiles pkcs11js
 * with node-gyp).
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { SOFTHSM_DEFAULTS } from '../../lib/constructs/deployment-context.js';
import { PKCS11_LAYER_DIRS } from '../../lib/constructs/pkcs11.js';
import { NATIVE_MODULES, TOKEN_MOUNT_PATH } from '../../lib/constructs/service-function.js';
import { SOFTHSM_CONF_PATH } from '../../lib/constructs/token-file-system.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const LAYERS = path.join(ROOT, 'layers');

/** The newest symbol version of each kind Lambda's Amazon Linux 2023 provides. */
const NEWEST = { GLIBC: '2.34', GLIBCXX: '3.4.29', CXXABI: '1.3.13', GCC: '7.0.0' } as const;
/** Libraries the runtime has: the C library, and libgcc_s and libstdc++ that its node itself loads. */
const RUNTIME_LIBRARIES = ['libc.so.6', 'ld-linux-aarch64.so.1', 'libm.so.6', 'libdl.so.2', 'libpthread.so.0', 'libgcc_s.so.1', 'libstdc++.so.6'];

const filesUnder = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? filesUnder(full) : [full];
  });

const layerFiles = (): string[] =>
  [PKCS11_LAYER_DIRS.binding, PKCS11_LAYER_DIRS.softhsm].flatMap(filesUnder).map((file) => path.relative(ROOT, file)).sort();

const isElf = (file: string): boolean => readFileSync(path.join(ROOT, file)).subarray(0, 4).equals(Buffer.from([0x7f, 0x45, 0x4c, 0x46]));

const readelf = (...args: string[]): string => execFileSync('readelf', ['-W', ...args], { encoding: 'utf8' });

/** `a` > `b` for dotted version numbers. */
const newer = (a: string, b: string): boolean => {
  const [x, y] = [a.split('.').map(Number), b.split('.').map(Number)];
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) > (y[i] ?? 0);
  }
  return false;
};

interface ElfNeeds {
  readonly machine: string;
  readonly needed: string[];
  /** Symbol versions asked for, e.g. GLIBC_2.34. */
  readonly versions: string[];
  readonly exported: string[];
}

const elfNeeds = (file: string): ElfNeeds => {
  const full = path.join(ROOT, file);
  const machine = /Machine:\s+(.+)/.exec(readelf('-h', full))?.[1]?.trim() ?? '';
  const needed = [...readelf('-d', full).matchAll(/\(NEEDED\)\s+Shared library: \[([^\]]+)\]/g)].map((m) => m[1] ?? '');
  const versionInfo = readelf('--version-info', full);
  const needs = versionInfo.slice(Math.max(0, versionInfo.indexOf('Version needs section')));
  const versions = [...new Set([...needs.matchAll(/Name: ([A-Z]+_[0-9.]+)/g)].map((m) => m[1] ?? ''))].sort();
  const exported = readelf('--dyn-syms', full).split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter((cols) => cols.length >= 8 && cols[6] !== 'UND' && (cols[4] === 'GLOBAL' || cols[4] === 'WEAK') && cols[3] === 'FUNC')
    .map((cols) => (cols[7] ?? '').replace(/@.*/, ''));
  return { machine, needed, versions, exported };
};

/** package-lock.json's packages that the native modules need on linux/arm64, as name → version. */
const lockClosure = (): Map<string, string> => {
  const lock = JSON.parse(readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { version: string; os?: string[]; cpu?: string[]; dependencies?: Record<string, string>; optionalDependencies?: Record<string, string> }>;
  };
  const found = new Map<string, string>();
  const visit = (name: string): void => {
    const entry = lock.packages[`node_modules/${name}`];
    if (found.has(name) || entry === undefined) return;
    if ((entry.os && !entry.os.includes('linux')) || (entry.cpu && !entry.cpu.includes('arm64'))) return;
    found.set(name, entry.version);
    for (const dep of Object.keys({ ...entry.dependencies, ...entry.optionalDependencies })) visit(dep);
  };
  NATIVE_MODULES.forEach(visit);
  return found;
};

describe('the committed PKCS#11 layers', () => {
  it('hold exactly the files layers/MANIFEST.txt lists, with its sizes and checksums', () => {
    const manifest = readFileSync(path.join(LAYERS, 'MANIFEST.txt'), 'utf8').split('\n')
      .filter((line) => /^[0-9a-f]{64} \d+ layers\//.test(line))
      .map((line) => line.split(' ') as [string, string, string]);
    expect(manifest.map(([, , file]) => file)).toEqual(layerFiles());
    for (const [sha256, bytes, file] of manifest) {
      const content = readFileSync(path.join(ROOT, file));
      expect({ file, bytes: statSync(path.join(ROOT, file)).size, sha256: createHash('sha256').update(content).digest('hex') })
        .toEqual({ file, bytes: Number(bytes), sha256 });
    }
  });

  it('carry the npm packages of package-lock.json that the native modules need on linux/arm64, at its versions', () => {
    const modules = path.join(PKCS11_LAYER_DIRS.binding, 'nodejs', 'node_modules');
    const inLayer = new Map<string, string>();
    for (const file of filesUnder(modules).filter((f) => /node_modules\/((@[^/]+\/)?[^/]+)\/package\.json$/.test(f))) {
      const relative = path.relative(modules, path.dirname(file));
      if (relative.split('/').length > (relative.startsWith('@') ? 2 : 1)) continue;
      const manifest = JSON.parse(readFileSync(file, 'utf8')) as { name: string; version: string };
      expect(manifest.name).toBe(relative);
      inLayer.set(manifest.name, manifest.version);
    }
    expect(Object.fromEntries([...inLayer].sort())).toEqual(Object.fromEntries([...lockClosure()].sort()));
    expect([...inLayer.keys()]).toEqual(expect.arrayContaining([...NATIVE_MODULES, '@koromix/koffi-linux-arm64']));
  });

  const elfFiles = layerFiles().filter(isElf);

  it('have the three native libraries the functions load, and no other ELF file', () => {
    expect(elfFiles).toEqual([
      'layers/pkcs11-binding/nodejs/node_modules/@koromix/koffi-linux-arm64/linux_arm64/koffi.node',
      'layers/pkcs11-binding/nodejs/node_modules/pkcs11js/build/Release/pkcs11.node',
      'layers/softhsm/lib/softhsm/libsofthsm2.so',
    ]);
  });

  it.each(elfFiles)('%s is AArch64 and needs nothing newer than Amazon Linux 2023 has', (file) => {
    const { machine, needed, versions } = elfNeeds(file);
    expect(machine).toBe('AArch64');
    expect(needed.filter((library) => !RUNTIME_LIBRARIES.includes(library))).toEqual([]);
    const tooNew = versions.filter((version) => {
      const [kind = '', number = ''] = version.split('_');
      const limit = NEWEST[kind as keyof typeof NEWEST] as string | undefined;
      return limit === undefined || newer(number, limit);
    });
    expect(tooNew).toEqual([]);
  });

  it('link OpenSSL and libstdc++ into what this repository builds: SoftHSM and pkcs11js need only the C library and libgcc_s', () => {
    for (const file of ['layers/softhsm/lib/softhsm/libsofthsm2.so', 'layers/pkcs11-binding/nodejs/node_modules/pkcs11js/build/Release/pkcs11.node']) {
      const { needed, versions } = elfNeeds(file);
      expect(needed.sort()).toEqual(expect.arrayContaining(['libc.so.6', 'libgcc_s.so.1']));
      expect(needed.filter((library) => !['libc.so.6', 'ld-linux-aarch64.so.1', 'libgcc_s.so.1'].includes(library))).toEqual([]);
      expect(versions.filter((version) => /^(GLIBCXX|CXXABI|OPENSSL)_/.test(version))).toEqual([]);
    }
  });

  it('export only the PKCS#11 functions from SoftHSM and only the Node-API entry points from pkcs11js', () => {
    const softhsm = elfNeeds('layers/softhsm/lib/softhsm/libsofthsm2.so').exported;
    expect(softhsm).toContain('C_GetFunctionList');
    expect(softhsm.filter((name) => !name.startsWith('C_'))).toEqual([]);
    expect(elfNeeds('layers/pkcs11-binding/nodejs/node_modules/pkcs11js/build/Release/pkcs11.node').exported.sort())
      .toEqual(['napi_register_module_v1', 'node_api_module_get_api_version_v1']);
  });

  it('put the SoftHSM library and configuration where the functions look, with the tokens on the EFS mount', () => {
    const inLayer = (optPath: string): string => path.join(PKCS11_LAYER_DIRS.softhsm, path.relative('/opt', optPath));
    expect(statSync(inLayer(SOFTHSM_DEFAULTS.modulePath)).isFile()).toBe(true);
    const conf = readFileSync(inLayer(SOFTHSM_CONF_PATH), 'utf8');
    expect(conf).toMatch(new RegExp(`^directories\\.tokendir = ${TOKEN_MOUNT_PATH}$`, 'm'));
    expect(conf).toMatch(/^objectstore\.backend = file$/m);
  });
});
