/**
 * Reads a Query-protocol request (`Action=…&Version=…&Tags.member.1.Key=…`) into the input
 * structure of its operation, as the service's model describes it, and validates it against the
 * model's constraints with the messages AWS gives (`1 validation error detected: Value 'x' at
 * 'userName' failed to satisfy constraint: …`).
 */
import type { QueryServiceSchema, QueryShapeSchema } from '../../models/query-schema.js';
import { ValidationError } from '../../models/iam/generated/errors.js';
import { constraintViolation, sayConstraint, shownValue, validationSummary } from '../../core/errors/constraint-messages.js';

export type QueryParams = ReadonlyMap<string, string>;

/** The parameters of a form-encoded body (or query string); a repeated name keeps its first value. */
export function parseQueryParams(text: string): QueryParams {
  const params = new Map<string, string>();
  for (const [name, value] of new URLSearchParams(text)) if (!params.has(name)) params.set(name, value);
  return params;
}

/** Longest list a Query request may spell out; far above any model's own list bounds. */
const MAX_LIST_MEMBERS = 1000;

const patternCache = new Map<string, RegExp>();

function patternOf(pattern: string): RegExp {
  let compiled = patternCache.get(pattern);
  if (compiled === undefined) {
    compiled = new RegExp(`^(?:${pattern})$`, 'u');
    patternCache.set(pattern, compiled);
  }
  return compiled;
}

const lowerFirst = (name: string): string => name.charAt(0).toLowerCase() + name.slice(1);

class Decoder {
  readonly problems: string[] = [];

  constructor(
    private readonly schema: QueryServiceSchema<string>,
    private readonly params: QueryParams,
  ) {}

  shape(name: string): QueryShapeSchema {
    const shape = this.schema.shapes[name];
    if (shape === undefined) throw new Error(`unknown shape ${name}`);
    return shape;
  }

  structure(shapeName: string, prefix: string, path: string): Record<string, unknown> {
    const shape = this.shape(shapeName);
    const out: Record<string, unknown> = {};
    for (const [member, target] of Object.entries(shape.members ?? {})) {
      const memberPath = path === '' ? lowerFirst(member) : `${path}.${lowerFirst(member)}`;
      const value = this.value(target, `${prefix}${member}`, memberPath);
      if (value !== undefined) out[member] = value;
      else if (shape.required?.includes(member) === true) {
        this.problems.push(constraintViolation(shownValue(undefined), memberPath, sayConstraint('mustNotBeNull')));
      }
    }
    return out;
  }

  value(shapeName: string, name: string, path: string): unknown {
    const shape = this.shape(shapeName);
    switch (shape.type) {
      case 'structure':
        return [...this.params.keys()].some((key) => key.startsWith(`${name}.`)) ? this.structure(shapeName, `${name}.`, path) : undefined;
      case 'list':
        return this.list(shape, name, path);
      case 'map':
        throw new Error('maps are not in the Query subset');
      default:
        return this.scalar(shape, this.params.get(name), path);
    }
  }

  list(shape: QueryShapeSchema, name: string, path: string): unknown[] | undefined {
    const member = shape.member ?? '';
    const memberShape = this.shape(member);
    const present = (index: number): boolean => memberShape.type === 'structure'
      ? [...this.params.keys()].some((key) => key.startsWith(`${name}.member.${index}.`))
      : this.params.has(`${name}.member.${index}`);
    // `Tags=` (empty) is how the SDKs send an empty list.
    if (!present(1)) return this.params.has(name) ? [] : undefined;
    const items: unknown[] = [];
    for (let index = 1; index <= MAX_LIST_MEMBERS && present(index); index++) {
      items.push(this.value(member, `${name}.member.${index}`, `${path}.${index}.member`));
    }
    this.bounds(shape, items.length, path);
    return items;
  }

  scalar(shape: QueryShapeSchema, text: string | undefined, path: string): unknown {
    if (text === undefined) return undefined;
    switch (shape.type) {
      case 'string': {
        this.bounds(shape, [...text].length, path, text);
        if (shape.pattern !== undefined && !patternOf(shape.pattern).test(text)) {
          this.problems.push(constraintViolation(shownValue(text), path, sayConstraint('mustMatchPattern', { pattern: shape.pattern })));
        }
        if (shape.enum !== undefined && !shape.enum.includes(text)) {
          this.problems.push(constraintViolation(shownValue(text), path, sayConstraint('mustBeInEnum', { values: shape.enum.join(', ') })));
        }
        return text;
      }
      case 'integer':
      case 'long': {
        const value = /^-?\d{1,15}$/.test(text) ? Number(text) : Number.NaN;
        if (Number.isNaN(value)) {
          this.problems.push(constraintViolation(shownValue(text), path, sayConstraint('mustBeNumber')));
          return undefined;
        }
        if (shape.min !== undefined && value < shape.min) {
          this.problems.push(constraintViolation(shownValue(String(value)), path, sayConstraint('minValue', { bound: shape.min })));
        }
        if (shape.max !== undefined && value > shape.max) {
          this.problems.push(constraintViolation(shownValue(String(value)), path, sayConstraint('maxValue', { bound: shape.max })));
        }
        return value;
      }
      case 'boolean':
        if (text !== 'true' && text !== 'false') {
          this.problems.push(constraintViolation(shownValue(text), path, sayConstraint('mustBeBoolean')));
          return undefined;
        }
        return text === 'true';
      default:
        throw new Error(`shape type ${shape.type} is not in the Query subset`);
    }
  }

  /** The length bounds of a list (`text` undefined: shown as `Value`) or of a string. */
  bounds(shape: QueryShapeSchema, length: number, path: string, text?: string): void {
    const shown = text === undefined ? 'Value' : shownValue(text);
    if (shape.min !== undefined && length < shape.min) {
      this.problems.push(constraintViolation(shown, path, sayConstraint('minLength', { bound: shape.min })));
    }
    if (shape.max !== undefined && length > shape.max) {
      // A long value is not repeated in full: a 130 KB policy would fill the message.
      const quoted = text !== undefined && text.length > 256 ? 'Value' : shown;
      this.problems.push(constraintViolation(quoted, path, sayConstraint('maxLength', { bound: shape.max })));
    }
  }
}

/** The decoded and validated input of `operation`; a ValidationError lists every problem. */
export function decodeQueryInput<Op extends string>(schema: QueryServiceSchema<Op>, operation: Op, params: QueryParams): Record<string, unknown> {
  const decoder = new Decoder(schema, params);
  const input = decoder.structure(schema.operations[operation].input, '', '');
  const { problems } = decoder;
  /* Precondition: the input satisfies the model's constraints. */
  if (problems.length > 0) {
    throw new ValidationError(validationSummary(problems));
  }
  return input;
}
