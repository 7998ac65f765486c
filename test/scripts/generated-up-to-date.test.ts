import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { generateModel } from '../../scripts/generate-model.js';
import { generateQueryModels } from '../../scripts/generate-query-model.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const committedDirectory = join(repoRoot, 'src', 'models', 'kms', 'generated');

describe('generated model files', () => {
  const outputDirectory = mkdtempSync(join(tmpdir(), 'generated-model-'));
  afterAll(() => rmSync(outputDirectory, { recursive: true, force: true }));

  it('returns the committed files when the generator runs on the committed model', () => {
    // Prepare
    const modelPath = join(repoRoot, 'model', 'kms-2014-11-01.service.json');

    // Act
    generateModel(modelPath, outputDirectory);

    // Assess
    const generated = readdirSync(outputDirectory).sort();
    expect(generated).toEqual(['errors.ts', 'operations.ts', 'schema.ts', 'shapes.ts']);
    for (const file of generated) {
      const committed = readFileSync(join(committedDirectory, file), 'utf8');
      expect(readFileSync(join(outputDirectory, file), 'utf8'), `${file} is stale: run npm run generate`).toBe(committed);
    }
  });
});

describe('generated IAM and STS models', () => {
  const outputRoot = mkdtempSync(join(tmpdir(), 'generated-query-model-'));
  afterAll(() => rmSync(outputRoot, { recursive: true, force: true }));

  it('returns the committed files when the generator runs on the committed models', () => {
    // Act
    generateQueryModels(join(repoRoot, 'model'), outputRoot);

    // Assess
    for (const service of ['iam', 'sts']) {
      for (const file of ['errors.ts', 'schema.ts']) {
        const committed = readFileSync(join(repoRoot, 'src', 'models', service, 'generated', file), 'utf8');
        expect(readFileSync(join(outputRoot, service, 'generated', file), 'utf8'), `${service}/${file} is stale: run npm run generate:query`).toBe(committed);
      }
    }
  });
});
