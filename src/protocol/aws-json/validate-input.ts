import { SHAPES } from '../../models/kms/generated/schema.js';
import type { ShapeSchema } from '../../models/kms/generated/schema.js';
import { constraintViolation, sayConstraint, shownValue, validationSummary } from '../../core/errors/constraint-messages.js';

/** AWS stops listing constraint violations after this many. */
const MAX_VIOLATIONS = 10;

const patterns = new Map<string, RegExp>();

/** Model patterns are Java regular expressions that must match the whole value (`String.matches`). */
function wholeMatch(pattern: string): RegExp {
  let regex = patterns.get(pattern);
  if (regex === undefined) {
    regex = new RegExp(`^(?:${pattern})$`);
    patterns.set(pattern, regex);
  }
  return regex;
}

export function shapeSchema(name: string): ShapeSchema {
  const shape = SHAPES[name];
  if (shape === undefined) throw new Error(`Shape ${name} is not in the schema`);
  return shape;
}

export function lowerFirst(name: string): string {
  return name.charAt(0).toLowerCase() + name.slice(1);
}

/** Renders a value the way the Java service prints it inside a validation message. */
function javaString(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(javaString).join(', ')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.entries(value)
      .map(([k, v]) => `${k}=${javaString(v)}`)
      .join(', ')}}`;
  }
  return String(value);
}

/**
 * The "Value ... at" prefix. AWS never echoes sensitive members (not even null) and prints no value
 * for a present blob; everything else is quoted in its Java string form.
 */
function valuePrefix(shape: ShapeSchema, value: unknown): string {
  if (shape.sensitive === true) return 'Value';
  if (value === undefined) return shownValue(undefined);
  if (shape.type === 'blob') return 'Value';
  return shownValue(javaString(value));
}

function lengthOf(shape: ShapeSchema, value: unknown): number | undefined {
  if (shape.type === 'string' && typeof value === 'string') return value.length;
  if (shape.type === 'blob' && value instanceof Uint8Array) return value.length;
  if (shape.type === 'list' && Array.isArray(value)) return value.length;
  if (shape.type === 'map' && value !== null && typeof value === 'object') return Object.keys(value).length;
  return undefined;
}

/** The constraint texts that `value` (present) breaks, in the order AWS reports them. */
function brokenConstraints(shape: ShapeSchema, value: unknown): string[] {
  const broken: string[] = [];
  const length = lengthOf(shape, value);
  if (length !== undefined) {
    if (shape.min !== undefined && length < shape.min) {
      broken.push(sayConstraint('minLength', { bound: shape.min }));
    }
    if (shape.max !== undefined && length > shape.max) {
      broken.push(sayConstraint('maxLength', { bound: shape.max }));
    }
  }
  if (typeof value === 'number') {
    if (shape.min !== undefined && value < shape.min) {
      broken.push(sayConstraint('minValue', { bound: shape.min }));
    }
    if (shape.max !== undefined && value > shape.max) {
      broken.push(sayConstraint('maxValue', { bound: shape.max }));
    }
  }
  if (typeof value === 'string') {
    if (shape.pattern !== undefined && !wholeMatch(shape.pattern).test(value)) {
      broken.push(sayConstraint('mustMatchPattern', { pattern: shape.pattern }));
    }
    if (shape.enum !== undefined && !shape.enum.includes(value)) {
      broken.push(sayConstraint('mustBeInEnum', { values: shape.enum.join(', ') }));
    }
  }
  return broken;
}

function checkValue(shapeName: string, value: unknown, path: string, violations: string[]): void {
  const shape = shapeSchema(shapeName);
  for (const constraint of brokenConstraints(shape, value)) {
    violations.push(constraintViolation(valuePrefix(shape, value), path, constraint));
  }
  if (shape.type === 'structure') {
    checkStructure(shape, value as Record<string, unknown>, `${path}.`, violations);
  } else if (shape.type === 'list' && shape.member !== undefined && Array.isArray(value)) {
    const member = shape.member;
    value.forEach((element, index) => checkValue(member, element, `${path}.${index + 1}.member`, violations));
  } else if (shape.type === 'map' && shape.value !== undefined && value !== null && typeof value === 'object') {
    const valueShape = shape.value;
    for (const [key, entry] of Object.entries(value)) checkValue(valueShape, entry, `${path}.${key}.member`, violations);
  }
}

function checkStructure(
  shape: ShapeSchema,
  value: Readonly<Record<string, unknown>>,
  prefix: string,
  violations: string[],
): void {
  const required = new Set(shape.required ?? []);
  for (const [member, target] of Object.entries(shape.members ?? {})) {
    const memberValue = value[member];
    const path = `${prefix}${lowerFirst(member)}`;
    if (memberValue === undefined) {
      if (required.has(member)) {
        violations.push(constraintViolation(valuePrefix(shapeSchema(target), undefined), path, sayConstraint('mustNotBeNull')));
      }
      continue;
    }
    checkValue(target, memberValue, path, violations);
  }
}

/**
 * Checks every model constraint of a decoded structure and returns the violation texts, worded as
 * AWS words them (`Value 'FOO' at 'keySpec' failed to satisfy constraint: ...`), in member order.
 */
export function constraintViolations(shapeName: string, value: Readonly<Record<string, unknown>>): string[] {
  const violations: string[] = [];
  checkStructure(shapeSchema(shapeName), value, '', violations);
  return violations.slice(0, MAX_VIOLATIONS);
}

/** Joins violations into the message of a ValidationException. */
export function validationMessage(violations: readonly string[]): string {
  return validationSummary(violations);
}
