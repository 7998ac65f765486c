/**
 * The functions' esbuild settings (BUNDLING in lib/constructs/service-function.ts) minify the
 * bundles: what identifies an error on the wire and in the code must survive that. A fixture
 * bundled with the same settings as `cdk synth` is loaded and asked.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUNDLING, SERVICE_RUNTIME } from '../../lib/constructs/service-function.js';
import { esbuildOptionsFor } from '../../scripts/cold-start/bundle-options.js';
import type * as Fixture from '../fixtures/bundled-names.js';

const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url));
let outDir: string;
let bundle: typeof Fixture;
let text: string;

beforeAll(async () => {
  outDir = mkdtempSync(path.join(tmpdir(), 'kms-bundling-'));
  const options = esbuildOptionsFor(BUNDLING, SERVICE_RUNTIME, { projectRoot: PROJECT_ROOT, entry: 'test/fixtures/bundled-names.ts', outDir });
  await build(options);
  const file = options.outfile ?? '';
  text = readFileSync(file, 'utf8');
  bundle = (await import(pathToFileURL(file).href)) as typeof Fixture;
});

afterAll(() => {
  rmSync(outDir, { recursive: true, force: true });
});

const classesOf = (registry: Readonly<Record<string, new (message?: string) => Error>>) => Object.entries(registry);

describe('a function bundle, minified with the functions\' settings', () => {
  it('is minified: the fixture\'s functions lost their source names in the code', () => {
    // Prepare / Act / Assess
    expect(BUNDLING.minify).toBe(true);
    expect(text).not.toContain('function isErrorNamed(');
  });

  it('keeps the wire name of every KMS, IAM and STS error in its name, its error type header and its body', () => {
    // Prepare
    const registries = [bundle.KMS_ERRORS, bundle.IAM_ERRORS, bundle.STS_ERRORS];

    // Act
    const wrong = registries.flatMap((registry) => classesOf(registry)).flatMap(([name, ErrorClass]) => {
      const error = new ErrorClass('message') as Parameters<typeof bundle.errorResponse>[0];
      const response = bundle.errorResponse(error, 'request');
      const body = JSON.parse(response.body) as { __type: string };
      return error.name === name && response.headers?.['x-amzn-ErrorType'] === name && body.__type === name ? [] : [name];
    });

    // Assess
    expect(classesOf(bundle.KMS_ERRORS).length).toBeGreaterThan(50);
    expect(wrong).toEqual([]);
  });

  it('answers an IAM error over Query with its own code', () => {
    // Prepare
    const NoSuchEntity = bundle.IAM_ERRORS['NoSuchEntity'] ?? Error;

    // Act
    const answer = bundle.queryErrorOf(new NoSuchEntity('no such user'));

    // Assess
    expect(answer).toMatchObject({ code: 'NoSuchEntity', status: 404, sender: true });
  });

  it('still recognises an SDK exception by its name', () => {
    // Prepare
    const error = new bundle.ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });

    // Act / Assess
    expect(bundle.isErrorNamed(error, 'ConditionalCheckFailedException')).toBe(true);
  });

  it('keeps class names the SDK compares: its default logger is still a NoOpLogger', () => {
    // Prepare
    const client = new bundle.DynamoDBClient({ region: 'eu-west-1' });

    // Act
    const loggerClass = (client.config.logger as object).constructor.name;
    client.destroy();

    // Assess
    expect(loggerClass).toBe('NoOpLogger');
  });
});
