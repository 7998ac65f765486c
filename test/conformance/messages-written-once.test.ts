/**
 * Wire messages are written once, in the messages modules (src/core/kms/messages.ts,
 * src/authn/messages.ts): no other source file builds an exception's message from a literal.
 * The TypeScript compiler reads every file, so a message split over lines or built with `+`, a
 * template literal or `?:` is found as surely as a one-line string.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SRC = join(ROOT, 'src');


function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'generated' ? [] : sourceFiles(path);
    return entry.name.endsWith('.ts') && entry.name !== 'messages.ts' ? [path] : [];
  });
}

/** Whether `node` writes (part of) a message out: a non-empty string, a template, a `+` or `?:` of them. */
function writesText(node: ts.Expression): boolean {
  if (ts.isParenthesizedExpression(node) || ts.isAsExpression(node)) return writesText(node.expression);
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return node.text !== '';
  if (ts.isTemplateExpression(node)) return true;
  if (ts.isBinaryExpression(node)) return writesText(node.left) || writesText(node.right);
  if (ts.isConditionalExpression(node)) return writesText(node.whenTrue) || writesText(node.whenFalse);
  // A message given as a function (formatted only on failure): what it returns.
  if (ts.isArrowFunction(node) && !ts.isBlock(node.body)) return writesText(node.body);
  return false;
}

/** The wire exception classes: those the models generate (KMS's `…Exception`, IAM's and STS's `…Error` too). */
const SERVICE_ERROR_CLASSES: ReadonlySet<string> = new Set(['kms', 'iam', 'sts'].flatMap((service) =>
  [...readFileSync(join(SRC, 'models', service, 'generated', 'errors.ts'), 'utf8').matchAll(/export class (\w+) extends ServiceError/g)].map((match) => match[1] ?? '')));
const isServiceErrorClass = (name: string): boolean => SERVICE_ERROR_CLASSES.has(name);

const calleeName = (node: ts.Expression): string => (ts.isIdentifier(node) ? node.text : ts.isPropertyAccessExpression(node) ? node.name.text : '');

/** Where `file` writes a wire message itself: `new XException('…')`, `needs(…, '…', …)`, `serviceError(X, '…')`, `const X_MESSAGE = '…'`. */
export function literalMessages(file: string, text: string): string[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const report = (node: ts.Node) => found.push(`${relative(ROOT, file)}:${source.getLineAndCharacterOfPosition(node.getStart()).line + 1}`);
  const visit = (node: ts.Node): void => {
    if (ts.isNewExpression(node) && isServiceErrorClass(calleeName(node.expression))) {
      const message = node.arguments?.[0];
      if (message !== undefined && writesText(message)) report(node);
    } else if (ts.isCallExpression(node) && ['needs', 'serviceError'].includes(calleeName(node.expression))) {
      const message = node.arguments[1];
      if (message !== undefined && writesText(message)) report(node);
    } else if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && /MESSAGE/.test(node.name.text)
      && node.initializer !== undefined && writesText(node.initializer)) {
      report(node);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

const FOUND = sourceFiles(SRC).flatMap((file) => literalMessages(file, readFileSync(file, 'utf8')));

describe('wire messages', () => {
  it('are written only in the messages modules', () => {
    expect(FOUND).toEqual([]);
  });

  it.each([
    ['a one-line string', "throw new ValidationException('Bad input.');", 1],
    ['a template literal split over lines', 'needs(ok,\n  `${arn} is bad.`,\n  ValidationException);', 1],
    ['a concatenation', "throw new NotFoundException('Key ' + arn);", 1],
    ['one branch of a conditional', "throw new NotFoundException(gone ? say('keyDoesNotExist', { arn }) : 'Gone');", 1],
    ['a message constant', "export const GONE_MESSAGE = 'Gone.';", 1],
    ['an IAM error class', "throw new ValidationError(`Bad ${name}.`);", 1],
    ["JavaScript's own error", "throw new TypeError('not a string');", 0],
    ['an internal error class', "throw new DerError('negative INTEGER');", 0],
    ['a template filled by say', "throw new NotFoundException(say('keyDoesNotExist', { arn }));", 0],
    ['no message, with an operator-only reason', "throw new InvalidCiphertextException('', { reason: 'Tampered.' });", 0],
    ['a message function', "needs(ok, () => `${arn} is bad.`, ValidationException);", 1],
    ['a message function filled by say', "needs(ok, () => say('keyDoesNotExist', { arn }), NotFoundException);", 0],
    ['withoutMessage', "needs(ok, withoutMessage('The signature does not verify.'), KMSInvalidSignatureException);", 0],
  ] as const)('finds %s', (_, code, count) => {
    expect(literalMessages(join(SRC, 'example.ts'), code)).toHaveLength(count);
  });
});
