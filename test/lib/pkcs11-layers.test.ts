/**
 * The PKCS#11 layers in the stack (lib/constructs/pkcs11.ts): every function gets the committed
 * binding layer, softhsm-efs functions the committed SoftHSM layer (or the user's layer instead),
 * cloudhsm functions the user's CloudHSM layer; and the bundling installs nothing with npm.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { App, AssetStaging, Duration, FileSystem, Stack } from 'aws-cdk-lib';
import { fileURLToPath } from 'node:url';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deploymentFromContext } from '../../lib/constructs/deployment-context.js';
import { PKCS11_LAYER_DIRS } from '../../lib/constructs/pkcs11.js';
import { BUNDLING, NATIVE_MODULES, createServiceFunction } from '../../lib/constructs/service-function.js';
import { CONFIGURATIONS, LAYER_ARN, resourcesOf, synthesize, type Json, type Synthesized } from './synth.js';

/** The stack's own functions (not the VPC's or the custom resource framework's). */
const serviceFunctions = (template: Template): [string, Json][] =>
  Object.entries(template.findResources('AWS::Lambda::Function', { Properties: { Description: Match.stringLikeRegexp('^KMS ') } }));

const layersOf = (fn: Json): unknown => (fn['Properties'] as Json)['Layers'];

const layerIds = (template: Template): { binding: string; softhsm: string | undefined } => {
  const byDescription = (pattern: string): string[] =>
    Object.keys(template.findResources('AWS::Lambda::LayerVersion', { Properties: { Description: Match.stringLikeRegexp(pattern) } }));
  const [binding] = byDescription('pkcs11js');
  if (binding === undefined) throw new Error('no binding layer');
  return { binding, softhsm: byDescription('SoftHSM')[0] };
};

let softhsm: Synthesized;
let softhsmWithUserLayer: Synthesized;
let cloudhsm: Synthesized;

beforeAll(() => {
  softhsm = synthesize(undefined, { pkcs11: { layerArn: undefined } });
  softhsmWithUserLayer = synthesize();
  cloudhsm = synthesize(deploymentFromContext((key) => CONFIGURATIONS['cloudhsm']?.[key]));
}, 120_000);

describe('PKCS#11 layers', () => {
  it('gives every softhsm-efs function the binding layer, then the SoftHSM layer, on arm64', () => {
    const { template } = softhsm;
    const { binding, softhsm: softhsmLayer } = layerIds(template);
    expect(softhsmLayer).toBeDefined();
    const functions = serviceFunctions(template);
    expect(functions.length).toBeGreaterThanOrEqual(4);
    for (const [, fn] of functions) {
      expect(layersOf(fn)).toEqual([{ Ref: binding }, { Ref: softhsmLayer }]);
      expect((fn['Properties'] as Json)['Architectures']).toEqual(['arm64']);
      expect(((fn['Properties'] as Json)['Environment'] as { Variables: Json }).Variables).toMatchObject({ SOFTHSM2_CONF: '/opt/etc/softhsm2.conf' });
    }
  });

  it('ships both layers for arm64 nodejs22.x from the committed folders', () => {
    const { template } = softhsm;
    template.resourceCountIs('AWS::Lambda::LayerVersion', 2);
    template.allResourcesProperties('AWS::Lambda::LayerVersion', {
      CompatibleArchitectures: ['arm64'],
      CompatibleRuntimes: ['nodejs22.x'],
      Content: { S3Bucket: Match.anyValue(), S3Key: Match.stringLikeRegexp('\\.zip$') },
    });
    // The assets are the committed folders as they are: no bundling step, the content's hash.
    const { binding, softhsm: softhsmLayer } = layerIds(template);
    const resources = resourcesOf(template) as Record<string, { Properties: { Content: { S3Key: string } } }>;
    expect(resources[binding]?.Properties.Content.S3Key).toBe(`${FileSystem.fingerprint(PKCS11_LAYER_DIRS.binding)}.zip`);
    expect(resources[softhsmLayer ?? '']?.Properties.Content.S3Key).toBe(`${FileSystem.fingerprint(PKCS11_LAYER_DIRS.softhsm)}.zip`);
    expect(existsSync(path.join(PKCS11_LAYER_DIRS.binding, 'nodejs', 'node_modules', 'pkcs11js', 'build', 'Release', 'pkcs11.node'))).toBe(true);
    expect(existsSync(path.join(PKCS11_LAYER_DIRS.softhsm, 'lib', 'softhsm', 'libsofthsm2.so'))).toBe(true);
  });

  it('puts a user layer given for softhsm-efs in place of the SoftHSM layer, after the binding layer', () => {
    const { template } = softhsmWithUserLayer;
    const { binding, softhsm: softhsmLayer } = layerIds(template);
    expect(softhsmLayer).toBeUndefined();
    for (const [, fn] of serviceFunctions(template)) expect(layersOf(fn)).toEqual([{ Ref: binding }, LAYER_ARN]);
  });

  it('gives cloudhsm functions the binding layer and the CloudHSM library layer, never SoftHSM', () => {
    const { template } = cloudhsm;
    const { binding, softhsm: softhsmLayer } = layerIds(template);
    expect(softhsmLayer).toBeUndefined();
    template.resourceCountIs('AWS::Lambda::LayerVersion', 1);
    for (const [, fn] of serviceFunctions(template)) expect(layersOf(fn)).toEqual([{ Ref: binding }, LAYER_ARN]);
  });

  it('warns when cloudhsm is given no PKCS#11 library layer, and still ships the binding', () => {
    const { stack, template } = synthesize(deploymentFromContext((key) => CONFIGURATIONS['cloudhsm']?.[key]), { pkcs11: { layerArn: undefined } });
    const { binding } = layerIds(template);
    for (const [, fn] of serviceFunctions(template)) expect(layersOf(fn)).toEqual([{ Ref: binding }]);
    const warnings = stack.node.metadata.filter((entry) => entry.type === 'aws:cdk:warning').map((entry) => JSON.stringify(entry.data));
    expect(warnings.some((text) => text.includes('noPkcs11Layer'))).toBe(true);
  });
});

describe('bundling', () => {
  it('leaves the native modules out of the bundle and installs no npm packages', () => {
    expect(BUNDLING.nodeModules).toBeUndefined();
    expect(BUNDLING.externalModules).toEqual([...NATIVE_MODULES]);
  });

  describe('a function synthesized with its real bundling', () => {
    let root: string;
    let assetDir: string;

    beforeAll(() => {
      // Inside the repository (.build/ is ignored) so CDK's `npx --no-install esbuild` finds esbuild.
      const build = fileURLToPath(new URL('../../.build/', import.meta.url));
      mkdirSync(build, { recursive: true });
      root = mkdtempSync(path.join(build, 'kms-bundle-'));
      const project = path.join(root, 'project');
      mkdirSync(path.join(project, 'functions'), { recursive: true });
      writeFileSync(path.join(project, 'package.json'), JSON.stringify({ type: 'module' }));
      // No dependencies in the lock file: an `npm install` of the native modules would fail.
      writeFileSync(path.join(project, 'package-lock.json'), JSON.stringify({ name: 'fixture', lockfileVersion: 3, packages: {} }));
      writeFileSync(path.join(project, 'functions', 'probe.ts'), [
        "import koffi from 'koffi';",
        "import { createRequire } from 'node:module';",
        "const graphene = createRequire(import.meta.url)('graphene-pk11') as { Module: unknown };",
        'export const handler = async () => ({ koffi: typeof koffi, graphene: typeof graphene.Module });',
      ].join('\n'));
      const app = new App({ outdir: path.join(root, 'cdk.out') });
      const stack = new Stack(app, 'Bundled');
      const fn = createServiceFunction(stack, 'Probe', {
        projectRoot: project, entry: 'functions/probe.ts', description: 'KMS bundling probe', memorySize: 128,
        timeout: Duration.seconds(3), environment: {}, layers: [],
      });
      const staging = fn.node.findAll().find((child): child is AssetStaging => child instanceof AssetStaging);
      if (staging === undefined) throw new Error('the function has no asset');
      assetDir = staging.absoluteStagedPath;
    }, 120_000);

    afterAll(() => rmSync(root, { recursive: true, force: true }));

    it('has only the bundle and its source map in the asset: no node_modules, no package.json', () => {
      expect(readdirSync(assetDir).sort()).toEqual(['index.mjs', 'index.mjs.map']);
    });

    it('keeps the imports of the native modules for the layer to answer', () => {
      const bundle = readFileSync(path.join(assetDir, 'index.mjs'), 'utf8');
      expect(bundle).toMatch(/from\s*"koffi"/);
      expect(bundle).toContain('"graphene-pk11"');
    });
  });
});
