import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

/** The pure core must not reach for an SDK, a PKCS#11 binding, middleware or HTTP. */
const FORBIDDEN = [/^@aws-sdk\//, /^@smithy\//, /^graphene-pk11$/, /^pkcs11js$/, /^@middy\//, /^node:(http|https|net|fs|child_process)/, /^aws-lambda$/];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

function importsOf(path: string): string[] {
  const text = readFileSync(path, 'utf8');
  return [...text.matchAll(/(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)]
    .map((match) => match[1] ?? match[2] ?? '');
}

describe('the core boundary', () => {
  it('keeps AWS SDK, PKCS#11, middy, HTTP and file-system imports out of src/core', () => {
    // Prepare
    const files = sourceFiles('src/core');

    // Act
    const violations = files.flatMap((file) =>
      importsOf(file).filter((spec) => FORBIDDEN.some((rule) => rule.test(spec))).map((spec) => `${relative('.', file)} imports ${spec}`));

    // Assess
    expect(files.length).toBeGreaterThan(10);
    expect(violations).toEqual([]);
  });

  it('keeps src/core from importing anything outside src/core', () => {
    // Prepare
    const files = sourceFiles('src/core');

    // Act
    const escapes = files.flatMap((file) =>
      importsOf(file).filter((spec) => spec.startsWith('.') && !join(file, '..', spec).startsWith('src/core')).map((spec) => `${file} imports ${spec}`));

    // Assess
    expect(escapes).toEqual([]);
  });
});
