/**
 * Builds every service function the way `cdk synth` does (the construct's esbuild options) into
 * one folder each, `index.mjs` and its map beside a `node_modules` holding the native modules, and
 * measures what each would upload.
 */
import { mkdir, readFile, readdir, stat, symlink } from 'node:fs/promises';
import * as path from 'node:path';
import { build } from 'esbuild';
import { BUNDLING, NATIVE_MODULES, SERVICE_RUNTIME } from '../../lib/constructs/service-function.js';
import { FIRST_CREDENTIAL_FUNCTION, FRONT_FUNCTION, GROUP_FUNCTIONS, LIFECYCLE_FUNCTION, deployedGroups } from '../../lib/api-groups.js';
import { bundleFileName, esbuildOptionsFor } from './bundle-options.js';

/** A function of the stack by the name the report uses, and its handler file. */
export interface FunctionEntry {
  readonly name: string;
  readonly entry: string;
}

/** Every function the stack deploys: the front, one per deployed group, the lifecycle and first-credential functions. */
export function stackFunctions(): FunctionEntry[] {
  return [
    { name: 'front', entry: FRONT_FUNCTION.entry },
    ...deployedGroups().map((group) => ({ name: group, entry: GROUP_FUNCTIONS[group].entry })),
    { name: 'lifecycle', entry: LIFECYCLE_FUNCTION.entry },
    { name: 'first-credential', entry: FIRST_CREDENTIAL_FUNCTION.entry },
  ];
}

export interface BuiltBundle extends FunctionEntry {
  /** The bundle to import. */
  readonly file: string;
  readonly bundleBytes: number;
  readonly sourceMapBytes: number;
  /** The largest inputs by their bytes in the bundle, grouped by npm package or source folder. */
  readonly largestInputs: readonly { readonly input: string; readonly bytes: number }[];
}

/** The package (`@scope/name`) or the source folder (`src/adapters`) an esbuild input belongs to. */
export function inputGroupOf(input: string): string {
  const inPackage = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
  if (inPackage?.[1] !== undefined) return inPackage[1];
  return input.split('/').slice(0, 2).join('/');
}

async function fileBytes(file: string): Promise<number> {
  try {
    return (await stat(file)).size;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw error;
  }
}

/** Builds `fn` into `<outRoot>/<name>/`, its native modules linked from the project's node_modules. */
async function buildOne(fn: FunctionEntry, projectRoot: string, outRoot: string): Promise<BuiltBundle> {
  const outDir = path.join(outRoot, fn.name);
  const result = await build(esbuildOptionsFor(BUNDLING, SERVICE_RUNTIME, { projectRoot, entry: fn.entry, outDir }));
  const file = path.join(outDir, bundleFileName(BUNDLING));
  const output = Object.entries(result.metafile?.outputs ?? {}).find(([, out]) => out.entryPoint !== undefined)?.[1];
  if (output === undefined) throw new Error(`esbuild reported no output for ${fn.entry}`);
  const groups = new Map<string, number>();
  for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
    const group = inputGroupOf(input);
    groups.set(group, (groups.get(group) ?? 0) + bytesInOutput);
  }
  // Lambda finds the native modules in the PKCS#11 binding layer (arm64); here links to the
  // project's copies (this machine's build) resolve the same versions.
  await mkdir(path.join(outDir, 'node_modules'), { recursive: true });
  for (const name of NATIVE_MODULES) {
    await symlink(path.join(projectRoot, 'node_modules', name), path.join(outDir, 'node_modules', name));
  }
  return {
    ...fn,
    file,
    bundleBytes: await fileBytes(file),
    sourceMapBytes: await fileBytes(`${file}.map`),
    largestInputs: [...groups].map(([input, bytes]) => ({ input, bytes })).sort((a, b) => b.bytes - a.bytes).slice(0, 8),
  };
}

export async function buildBundles(projectRoot: string, outRoot: string, functions = stackFunctions()): Promise<BuiltBundle[]> {
  const built: BuiltBundle[] = [];
  for (const fn of functions) built.push(await buildOne(fn, projectRoot, outRoot));
  return built;
}

async function directoryBytes(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) total += await directoryBytes(full);
    else if (entry.isFile()) total += (await stat(full)).size;
  }
  return total;
}

interface PackageManifest {
  readonly dependencies?: Readonly<Record<string, string>>;
  readonly optionalDependencies?: Readonly<Record<string, string>>;
}

/**
 * The bytes `npm ci` puts in a function's `node_modules` for the native modules: the packages
 * and everything they depend on, as installed in this checkout from the same lock file (optional
 * dependencies for other platforms are not installed, so they are not counted).
 */
export async function nativeModulesBytes(projectRoot: string, roots: readonly string[] = NATIVE_MODULES): Promise<{ packages: string[]; bytes: number }> {
  const seen = new Set<string>();
  const pending = roots.map((name) => ({ name, optional: false }));
  let bytes = 0;
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    if (seen.has(next.name)) continue;
    const dir = path.join(projectRoot, 'node_modules', next.name);
    let manifest: PackageManifest;
    try {
      manifest = JSON.parse(await readFile(path.join(dir, 'package.json'), 'utf8')) as PackageManifest;
    } catch (error) {
      // An optional dependency for another platform is not installed.
      if (next.optional && (error as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw error;
    }
    seen.add(next.name);
    bytes += await directoryBytes(dir);
    pending.push(
      ...Object.keys(manifest.dependencies ?? {}).map((name) => ({ name, optional: false })),
      ...Object.keys(manifest.optionalDependencies ?? {}).map((name) => ({ name, optional: true })),
    );
  }
  return { packages: [...seen].sort(), bytes };
}
