/**
 * The parts of scripts/cold-start.ts that can go wrong without a cold start to show it: the esbuild
 * options it derives from the construct's bundling, the phases it reads from a probe's marks and
 * the endpoints' logs, its statistics, and the Secrets Manager endpoint the functions read at start
 * (driven by the stock SDK client).
 */
import { GetSecretValueCommand, PutSecretValueCommand, ResourceNotFoundException, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { Runtime } from 'aws-cdk-lib/aws-lambda';
import { OutputFormat, SourceMapMode } from 'aws-cdk-lib/aws-lambda-nodejs';
import { describe, expect, it } from 'vitest';
import { BUNDLING, NATIVE_MODULES, SERVICE_RUNTIME } from '../../lib/constructs/service-function.js';
import { esbuildOptionsFor, targetOf } from '../../scripts/cold-start/bundle-options.js';
import { inputGroupOf } from '../../scripts/cold-start/build-bundles.js';
import { phasesOf } from '../../scripts/cold-start/run-probe.js';
import { formatBytes, phaseSpreads, spreadOf } from '../../scripts/cold-start/report.js';
import { startSecretsEndpoint } from '../../scripts/cold-start/secrets-endpoint.js';

const FILES = { projectRoot: '/repo', entry: 'functions/front.ts', outDir: '/out/front' };

describe('the esbuild options of the cold-start build', () => {
  it('are the construct\'s bundling settings, for the construct\'s runtime', () => {
    // Prepare / Act
    const options = esbuildOptionsFor(BUNDLING, SERVICE_RUNTIME, FILES);

    // Assess
    expect(options).toMatchObject({
      absWorkingDir: '/repo',
      entryPoints: ['/repo/functions/front.ts'],
      bundle: true,
      outfile: '/out/front/index.mjs',
      platform: 'node',
      target: 'node22',
      format: 'esm',
      mainFields: BUNDLING.mainFields,
      banner: { js: BUNDLING.banner },
      minify: BUNDLING.minify ?? false,
      keepNames: BUNDLING.keepNames ?? false,
      sourcesContent: BUNDLING.sourcesContent ?? true,
      sourcemap: 'linked',
    });
    // The SDK is bundled on purpose (externalModules: []): only the native modules stay outside.
    expect(options.external).toEqual([...NATIVE_MODULES]);
  });

  it('follow CDK\'s defaults where the construct sets nothing', () => {
    // Prepare / Act
    const options = esbuildOptionsFor({ format: OutputFormat.CJS, sourceMapMode: SourceMapMode.INLINE }, Runtime.NODEJS_20_X, FILES);

    // Assess
    expect(options).toMatchObject({ target: 'node20', outfile: '/out/front/index.js', format: 'cjs', sourcemap: 'inline', sourcesContent: true, minify: false });
    expect(options.external).toEqual(['@aws-sdk/*']);
  });

  it('refuses a bundling setting it does not translate, instead of building something else than the stack', () => {
    // Prepare / Act / Assess
    expect(() => esbuildOptionsFor({ ...BUNDLING, define: { DEBUG: 'false' } }, SERVICE_RUNTIME, FILES)).toThrow(/define/);
  });

  it('takes the target from the runtime as CDK does', () => {
    // Prepare / Act / Assess
    expect(targetOf(Runtime.NODEJS_22_X)).toBe('node22');
    expect(() => targetOf(Runtime.PYTHON_3_12)).toThrow(/not a Node.js runtime/);
  });
});

describe('the cold-start report', () => {
  it('places each request in the phase that made it', () => {
    // Prepare
    const report = {
      processStart: 1_000, started: 1_040, imported: 1_300, answered: 1_360,
      cpu: { started: 30, imported: 250, answered: 280 }, answer: { statusCode: 200 },
    };
    const requests = [
      { at: 1_020, target: 'secretsmanager.GetSecretValue' }, // before the probe started: another process's
      { at: 1_180, target: 'secretsmanager.GetSecretValue' },
      { at: 1_150, target: 'secretsmanager.GetSecretValue' },
      { at: 1_320, target: 'DynamoDB_20120810.GetItem' },
      { at: 1_500, target: 'DynamoDB_20120810.GetItem' }, // after the answer
    ];

    // Act
    const phases = phasesOf(1_010, report, requests);

    // Assess
    expect(phases).toMatchObject({
      totalMs: 350, nodeStartMs: 30, loadMs: 110, initMs: 150, firstInvocationMs: 60,
      cpuTotalMs: 280, cpuImportMs: 220, cpuInvocationMs: 30,
      initRequests: ['GetSecretValue', 'GetSecretValue'], invocationRequests: ['GetItem'],
    });
  });

  it('counts the whole import as load when the bundle made no request', () => {
    // Prepare
    const report = { processStart: 0, started: 10, imported: 110, answered: 120, cpu: { started: 5, imported: 90, answered: 95 }, answer: null };

    // Act
    const phases = phasesOf(0, report, []);

    // Assess
    expect(phases.loadMs).toBe(100);
    expect(phases.initMs).toBe(0);
  });

  it.each([
    [[5], { median: 5, min: 5, max: 5 }],
    [[9, 1, 5], { median: 5, min: 1, max: 9 }],
    [[4, 1, 3, 10], { median: 3.5, min: 1, max: 10 }],
  ])('summarizes %j as its median, minimum and maximum', (values, expected) => {
    // Prepare / Act / Assess
    expect(spreadOf(values)).toEqual(expected);
  });

  it('refuses to summarize no rounds', () => {
    // Prepare / Act / Assess
    expect(() => spreadOf([])).toThrow(/no values/);
    expect(() => phaseSpreads([])).toThrow(/no values/);
  });

  it.each([
    ['node_modules/@smithy/core/dist-es/submodules/protocols/HttpProtocol.js', '@smithy/core'],
    ['node_modules/tslib/tslib.es6.mjs', 'tslib'],
    ['src/adapters/pkcs11/token-keys.ts', 'src/adapters'],
  ])('groups the bundle input %s under %s', (input, group) => {
    // Prepare / Act / Assess
    expect(inputGroupOf(input)).toBe(group);
  });

  it('prints sizes in KiB below a MiB and in MiB above', () => {
    // Prepare / Act / Assess
    expect(formatBytes(900 * 1024)).toBe('900 KiB');
    expect(formatBytes(1.75 * 1024 * 1024)).toBe('1.8 MiB');
  });
});

describe('the Secrets Manager endpoint the measured functions read', () => {
  const ARN = 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:pin-AbCdEf';
  const EMPTY = 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:first-AbCdEf';

  async function withEndpoint(test: (client: SecretsManagerClient, log: readonly { target: string }[]) => Promise<void>): Promise<void> {
    const endpoint = await startSecretsEndpoint(new Map([[ARN, 'the-pin'], [EMPTY, undefined]]));
    const client = new SecretsManagerClient({ endpoint: endpoint.url, region: 'eu-west-1', credentials: { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'secret' } });
    try {
      await test(client, endpoint.log);
    } finally {
      client.destroy();
      await endpoint.close();
    }
  }

  it('answers the stock client\'s GetSecretValue with the value, and notes the call', async () => {
    await withEndpoint(async (client, log) => {
      // Act
      const { SecretString } = await client.send(new GetSecretValueCommand({ SecretId: ARN }));

      // Assess
      expect(SecretString).toBe('the-pin');
      expect(log.map(({ target }) => target)).toEqual(['secretsmanager.GetSecretValue']);
    });
  });

  it('answers ResourceNotFoundException for a secret without a value until one is put', async () => {
    await withEndpoint(async (client) => {
      // Act / Assess
      await expect(client.send(new GetSecretValueCommand({ SecretId: EMPTY }))).rejects.toBeInstanceOf(ResourceNotFoundException);
      await client.send(new PutSecretValueCommand({ SecretId: EMPTY, SecretString: '{"accessKeyId":"AKIA"}' }));
      expect((await client.send(new GetSecretValueCommand({ SecretId: EMPTY }))).SecretString).toBe('{"accessKeyId":"AKIA"}');
    });
  });
});
