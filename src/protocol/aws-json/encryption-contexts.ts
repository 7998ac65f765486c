/**
 * Every encryption context in a request is checked before any operation runs: it must be
 * well-formed Unicode and within the size limit, because it is bound into AAD (and, later, grant
 * constraints). The rule itself lives with the canonical form in the core.
 */
import { encryptionContextProblem, type EncryptionContext } from '../../core/kms/crypto/encryption-context.js';
import { lowerFirst, shapeSchema } from './validate-input.js';

const ENCRYPTION_CONTEXT_SHAPE = 'EncryptionContextType';

/** The first encryption context problem in a decoded `value` of shape `shapeName`, named by its member path. */
export function encryptionContextProblemIn(shapeName: string, value: unknown, path = ''): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (shapeName === ENCRYPTION_CONTEXT_SHAPE) return encryptionContextProblem(value as EncryptionContext, path);
  const shape = shapeSchema(shapeName);
  if (shape.type === 'structure') {
    for (const [member, target] of Object.entries(shape.members ?? {})) {
      const memberPath = path === '' ? lowerFirst(member) : `${path}.${lowerFirst(member)}`;
      const problem = encryptionContextProblemIn(target, (value as Record<string, unknown>)[member], memberPath);
      if (problem !== undefined) return problem;
    }
  }
  if (shape.type === 'list' && shape.member !== undefined && Array.isArray(value)) {
    const member = shape.member;
    for (const [index, element] of value.entries()) {
      const problem = encryptionContextProblemIn(member, element, `${path}.${index + 1}.member`);
      if (problem !== undefined) return problem;
    }
  }
  return undefined;
}
