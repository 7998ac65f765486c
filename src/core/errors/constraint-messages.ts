/**
 * The wording of a broken model constraint, as AWS's front end words it for every service
 * (`1 validation error detected: Value 'x' at 'keySpec' failed to satisfy constraint: Member must
 * satisfy enum value set: [...]`): the sentence and its parts, written once for the AWS JSON
 * validator, the Query decoder and the few constraints the core checks itself.
 */
import { speaker, type WordingSource } from './message-templates.js';

const RECORDED: WordingSource = {
  aws: 'LocalStack tests/aws/services/kms/test_kms.snapshot.json (recorded against AWS): test_invalid_generate_mac, test_create_key_with_invalid_tag_key, test_generate_random_invalid_number_of_bytes',
};
const QUERY_ONLY: WordingSource = { ours: 'No public recording of a Query parameter that is not of its member type.' };

export const CONSTRAINT_MESSAGES = {
  constraintSummary: { exception: 'ValidationException', text: '{count} validation {errors} detected: {violations}', source: RECORDED },
  constraintViolation: { exception: 'ValidationException', text: "{value} at '{path}' failed to satisfy constraint: {constraint}", source: RECORDED },
  mustNotBeNull: { exception: 'ValidationException', text: 'Member must not be null', source: RECORDED },
  minLength: { exception: 'ValidationException', text: 'Member must have length greater than or equal to {bound}', source: RECORDED },
  maxLength: { exception: 'ValidationException', text: 'Member must have length less than or equal to {bound}', source: RECORDED },
  minValue: { exception: 'ValidationException', text: 'Member must have value greater than or equal to {bound}', source: RECORDED },
  maxValue: { exception: 'ValidationException', text: 'Member must have value less than or equal to {bound}', source: RECORDED },
  mustMatchPattern: { exception: 'ValidationException', text: 'Member must satisfy regular expression pattern: {pattern}', source: RECORDED },
  mustBeInEnum: { exception: 'ValidationException', text: 'Member must satisfy enum value set: [{values}]', source: RECORDED },
  mustBeNumber: { exception: 'ValidationError', text: 'Member must be a number', source: QUERY_ONLY },
  mustBeBoolean: { exception: 'ValidationError', text: 'Member must be a boolean', source: QUERY_ONLY },
} as const;

export type ConstraintMessageName = keyof typeof CONSTRAINT_MESSAGES;

/** One constraint's words (`Member must …`) with its placeholders filled in. */
export const sayConstraint = speaker(CONSTRAINT_MESSAGES);

/** `Value 'x'` for a value given, `Value null` for one missing, as AWS shows them. */
export function shownValue(value: string | undefined): string {
  return value === undefined ? 'Value null' : `Value '${value}'`;
}

/** One violation: the value shown, where it is, and the constraint it breaks. */
export function constraintViolation(value: string, path: string, constraint: string): string {
  return sayConstraint('constraintViolation', { value, path, constraint });
}

/** The message of a validation error listing `violations`. */
export function validationSummary(violations: readonly string[]): string {
  const count = violations.length;
  return sayConstraint('constraintSummary', { count, errors: count === 1 ? 'error' : 'errors', violations: violations.join('; ') });
}
