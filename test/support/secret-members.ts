/**
 * Every secret member of every operation's input, read from the generated schema (blobs and
 * members the model marks sensitive, at any depth), and request bodies that carry a
 * recognisable secret through one of them in malformed and in well-formed form.
 */
import { OPERATIONS, SHAPES } from '../../src/models/kms/generated/schema.js';
import type { OperationName } from '../../src/models/kms/generated/operations.js';

export interface SecretMember {
  readonly operation: OperationName;
  /** Member names from the input structure down to the secret one. */
  readonly path: readonly string[];
  readonly type: 'blob' | 'string';
}

/** Recognisable, and not base64 (`=` before the end, `!`). */
export const SECRET = 'MyDbPassword=hunter2!';

/** What a log must never contain for `secret`: the text itself and its base64. */
export function secretForms(secret: string): string[] {
  return [secret, Buffer.from(secret).toString('base64')];
}

function membersOf(shapeName: string, prefix: readonly string[], operation: OperationName, out: SecretMember[], seen: Set<string>): void {
  const shape = SHAPES[shapeName];
  if (shape === undefined || seen.has(shapeName)) return;
  const inner = new Set(seen).add(shapeName);
  for (const [member, target] of Object.entries(shape.members ?? {})) {
    const targetShape = SHAPES[target];
    if (targetShape === undefined) continue;
    const path = [...prefix, member];
    if (targetShape.type === 'blob') out.push({ operation, path, type: 'blob' });
    else if (targetShape.sensitive === true) out.push({ operation, path, type: 'string' });
    else if (targetShape.type === 'structure') membersOf(target, path, operation, out, inner);
  }
}

export const SECRET_MEMBERS: readonly SecretMember[] = (Object.keys(OPERATIONS) as OperationName[]).sort().flatMap((operation) => {
  const found: SecretMember[] = [];
  membersOf(OPERATIONS[operation].input, [], operation, found, new Set());
  return found;
});

/** `value` placed at `path` inside otherwise empty JSON objects. */
function nest(path: readonly string[], value: unknown): Record<string, unknown> {
  return path.reduceRight<unknown>((inner, name) => ({ [name]: inner }), value) as Record<string, unknown>;
}

/** A base64-looking text of `length` characters ending in `B==`, whose last character has bits set that padding forbids. */
function badLastCharacter(secret: string): string {
  const letters = secret.replace(/[^A-Za-z0-9]/g, '');
  return `${letters.padEnd(21, 'x').slice(0, 21)}B==`;
}

export interface SecretBody {
  readonly form: string;
  readonly body: string;
  /** The texts no log may carry after this request. */
  readonly secrets: readonly string[];
}

/** Bodies carrying `secret` through `member`: malformed in every way the decoder tells apart, and well formed. */
export function secretBodies(member: SecretMember, secret: string = SECRET): SecretBody[] {
  const at = (value: unknown) => JSON.stringify(nest(member.path, value));
  const forms: SecretBody[] = [
    { form: 'as a list', body: at([secret]), secrets: [secret] },
    { form: 'inside a map', body: at({ hidden: secret }), secrets: [secret] },
  ];
  if (member.type === 'blob') {
    const lastCharacter = badLastCharacter(secret);
    forms.push(
      { form: 'not base64 (length)', body: at(secret), secrets: [secret] },
      { form: 'not base64 (character)', body: at(`${secret}!!!`), secrets: [secret] },
      { form: 'not base64 (escaped in JSON)', body: at(secret).replace('hunter', '\\u0068unter'), secrets: [secret] },
      { form: 'not base64 (last character)', body: at(lastCharacter), secrets: [lastCharacter] },
      { form: 'well formed', body: at(Buffer.from(secret).toString('base64')), secrets: secretForms(secret) },
    );
  } else {
    forms.push(
      { form: 'well formed', body: at(secret), secrets: [secret] },
      { form: 'too long', body: at(secret.repeat(4)), secrets: [secret] },
    );
  }
  return forms;
}
