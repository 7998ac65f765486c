import { SerializationException, ValidationException } from '../../models/kms/generated/errors.js';
import type { OperationIO, OperationName } from '../../models/kms/generated/operations.js';
import { OPERATIONS } from '../../models/kms/generated/schema.js';
import type { ShapeSchema } from '../../models/kms/generated/schema.js';
import { encryptionContextProblemIn } from './encryption-contexts.js';
import { constraintViolations, shapeSchema, validationMessage } from './validate-input.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });

const BOOLEAN_WORDS: Readonly<Record<string, boolean>> = {
  true: true,
  yes: true,
  y: true,
  t: true,
  '1': true,
  false: false,
  no: false,
  n: false,
  f: false,
  '0': false,
};

/** The Java type name AWS uses in "... can not be converted to a(n) X" messages. */
const TARGET_NAMES: Readonly<Record<string, string>> = {
  string: 'a String',
  integer: 'an Integer',
  long: 'a Long',
  boolean: 'an Boolean',
  blob: 'a Blob',
  timestamp: 'a Timestamp',
};

function fail(message: string, reason?: string): never {
  throw new SerializationException(message, reason === undefined ? {} : { reason });
}

/** The message AWS gives when a JSON value of the wrong kind meets a scalar member. */
function mismatch(shape: ShapeSchema, value: unknown): never {
  if (Array.isArray(value)) fail('Start of list found where not expected');
  if (typeof value === 'object') fail('Start of structure or map found where not expected.');
  const kind = typeof value === 'number' ? 'NUMBER' : typeof value === 'string' ? 'STRING' : value === true ? 'TRUE' : 'FALSE';
  // AWS writes "an Boolean" only after STRING_VALUE.
  const target = shape.type === 'boolean' && kind !== 'STRING' ? 'a Boolean' : TARGET_NAMES[shape.type];
  fail(`${kind}_VALUE can not be converted to ${target ?? shape.type}`);
}

/** Strict base64 as the Java service reads it, with its wording (typo included) for each defect. */
function decodeBase64(text: string): Uint8Array {
  const prefix = `'${text}' can not be converted to a Blob: `;
  if (text.length % 4 !== 0) {
    fail(`${prefix}Base64 encoded length is expected a multiple of 4 bytes but found: ${text.length}`);
  }
  const invalid = /[^a-zA-Z0-9+/=]|=[^=]/.exec(text);
  if (invalid !== null) fail(`${prefix}Invalid Base64 character: '${invalid[0].charAt(0)}'`);
  const bytes = Buffer.from(text, 'base64');
  if (bytes.toString('base64') !== text) fail(`${prefix}Invalid last non-pad Base64 character dectected`);
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length);
}

function readScalar(shape: ShapeSchema, value: unknown): unknown {
  switch (shape.type) {
    case 'string':
      return typeof value === 'string' ? value : mismatch(shape, value);
    case 'integer':
    case 'long':
      // Jackson truncates a fractional number given for an integral member.
      return typeof value === 'number' ? Math.trunc(value) : mismatch(shape, value);
    case 'boolean': {
      if (typeof value === 'boolean') return value;
      const word = typeof value === 'string' ? BOOLEAN_WORDS[value.toLowerCase()] : undefined;
      return word ?? mismatch(shape, value);
    }
    case 'blob':
      return typeof value === 'string' ? decodeBase64(value) : mismatch(shape, value);
    case 'timestamp':
      return typeof value === 'number' ? new Date(value * 1000) : mismatch(shape, value);
    default:
      throw new Error(`Unexpected shape type ${shape.type}`);
  }
}

function readStructure(shape: ShapeSchema, value: unknown): Record<string, unknown> {
  if (Array.isArray(value)) fail('Start of list found where not expected');
  if (typeof value !== 'object' || value === null) fail('Expected null');
  const source = value as Record<string, unknown>;
  const result: Record<string, unknown> = {};
  // Members the model does not know are ignored, as AWS ignores them.
  for (const [member, target] of Object.entries(shape.members ?? {})) {
    const read = readValue(target, source[member]);
    if (read !== undefined) result[member] = read;
  }
  return result;
}

/** Converts one JSON value to its model type; JSON `null` counts as absent. */
function readValue(shapeName: string, value: unknown): unknown {
  if (value === null || value === undefined) return undefined;
  const shape = shapeSchema(shapeName);
  switch (shape.type) {
    case 'structure':
      return readStructure(shape, value);
    case 'list': {
      if (!Array.isArray(value)) {
        fail(typeof value === 'object' ? 'Start of structure or map found where not expected.' : 'Expected list or null');
      }
      const member = shape.member ?? '';
      return value.map((element) => readValue(member, element)).filter((element) => element !== undefined);
    }
    case 'map': {
      if (Array.isArray(value)) fail('Start of list found where not expected');
      if (typeof value !== 'object') fail('Expected map or null');
      const entries = Object.entries(value as Record<string, unknown>)
        .map(([key, entry]) => [key, readValue(shape.value ?? '', entry)] as const)
        .filter(([, entry]) => entry !== undefined);
      return Object.fromEntries(entries);
    }
    default:
      return readScalar(shape, value);
  }
}

function parseBody(body: string | Uint8Array): unknown {
  let text: string;
  try {
    text = typeof body === 'string' ? body : utf8.decode(body);
  } catch {
    fail('', 'The request body is not UTF-8.');
  }
  // AWS answers an empty or unparsable body with a SerializationException that carries no message.
  if (text.trim() === '') fail('', 'The request body is empty.');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    fail('', 'The request body is not JSON.');
  }
}

/**
 * Decodes an AWS JSON 1.1 request body into the typed input of `operation`: blobs from base64,
 * timestamps from epoch seconds, unknown members dropped.
 *
 * @throws SerializationException when the body is not JSON or a member has the wrong JSON type
 *   (an empty message means AWS sends none).
 * @throws ValidationException listing every violated model constraint, worded as AWS words it,
 *   or naming an encryption context that is not well-formed Unicode or too large.
 */
export function decodeInput<Op extends OperationName>(
  operation: Op,
  body: string | Uint8Array,
): OperationIO[Op]['input'] {
  const inputShape = OPERATIONS[operation].input;
  const parsed = parseBody(body);
  if (parsed === null) fail('');
  const input = readStructure(shapeSchema(inputShape), parsed);
  const violations = constraintViolations(inputShape, input);
  if (violations.length > 0) throw new ValidationException(validationMessage(violations));
  const contextProblem = encryptionContextProblemIn(inputShape, input);
  if (contextProblem !== undefined) throw new ValidationException(contextProblem);
  return input;
}
