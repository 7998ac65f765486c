/**
 * The esbuild build options the CDK stack's `NodejsFunction` bundling runs, derived from the
 * construct's own {@link BUNDLING} so a measured bundle is the deployed one. The translation
 * follows aws-cdk-lib's `Bundling.buildEsbuildArgs`; a bundling member it does not know is refused
 * rather than ignored, so a setting added to the construct cannot make the two drift apart silently.
 */
import * as path from 'node:path';
import type { BuildOptions } from 'esbuild';
import type { Runtime } from 'aws-cdk-lib/aws-lambda';
import { OutputFormat, SourceMapMode, type BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';

/** The bundling members translated below; `forceDockerBundling` only chooses where esbuild runs. */
const TRANSLATED: ReadonlySet<string> = new Set([
  'forceDockerBundling', 'format', 'mainFields', 'banner', 'externalModules', 'nodeModules',
  'sourceMap', 'sourceMapMode', 'sourcesContent', 'minify', 'keepNames', 'target',
]);

/** What CDK derives from a runtime when no `target` is given (`nodejs22.x` → `node22`). */
export function targetOf(runtime: Runtime): string {
  const major = /^nodejs(\d+)/.exec(runtime.name)?.[1];
  if (major === undefined) throw new Error(`${runtime.name} is not a Node.js runtime`);
  return `node${major}`;
}

/** The file name CDK gives the bundle: `index.mjs` for ESM, `index.js` otherwise. */
export function bundleFileName(bundling: BundlingOptions): string {
  return bundling.format === OutputFormat.ESM ? 'index.mjs' : 'index.js';
}

function sourcemapOf(bundling: BundlingOptions): BuildOptions['sourcemap'] {
  const enabled = bundling.sourceMapMode !== undefined || bundling.sourceMap === true;
  if (!enabled) return false;
  const mode = bundling.sourceMapMode ?? SourceMapMode.DEFAULT;
  // CDK passes `--sourcemap` for the default mode: a linked map beside the bundle.
  return mode === SourceMapMode.DEFAULT ? 'linked' : mode;
}

/**
 * The options of `esbuild.build` that bundle `entry` into `outDir` as the construct does, with
 * `projectRoot` as the working directory (CDK runs esbuild there).
 */
export function esbuildOptionsFor(
  bundling: BundlingOptions,
  runtime: Runtime,
  files: { readonly projectRoot: string; readonly entry: string; readonly outDir: string },
): BuildOptions {
  const unknown = Object.entries(bundling).filter(([name, value]) => value !== undefined && !TRANSLATED.has(name)).map(([name]) => name);
  if (unknown.length > 0) throw new Error(`the construct's bundling sets ${unknown.join(', ')}, which scripts/cold-start/bundle-options.ts does not translate`);
  return {
    absWorkingDir: files.projectRoot,
    entryPoints: [path.resolve(files.projectRoot, files.entry)],
    bundle: true,
    outfile: path.join(files.outDir, bundleFileName(bundling)),
    platform: 'node',
    target: bundling.target ?? targetOf(runtime),
    ...(bundling.format === undefined ? {} : { format: bundling.format }),
    minify: bundling.minify ?? false,
    keepNames: bundling.keepNames ?? false,
    sourcemap: sourcemapOf(bundling),
    sourcesContent: bundling.sourcesContent ?? true,
    // Without explicit externals CDK leaves the runtime's AWS SDK out.
    external: [...(bundling.externalModules ?? ['@aws-sdk/*']), ...(bundling.nodeModules ?? [])],
    ...(bundling.banner === undefined ? {} : { banner: { js: bundling.banner } }),
    ...(bundling.mainFields === undefined ? {} : { mainFields: bundling.mainFields }),
    metafile: true,
    logLevel: 'warning',
  };
}
