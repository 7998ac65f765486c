/**
 * Base of every error that reaches the wire. Each subclass maps one to one to an AWS KMS (or
 * AWS JSON protocol) exception and carries its wire name, fault side and HTTP status.
 */
export abstract class ServiceError extends Error {
  abstract override readonly name: string;
  abstract readonly $fault: 'client' | 'server';
  abstract readonly httpStatus: number;

  /** The wire body of an AWS JSON 1.1 error. */
  toJSON(): { __type: string; message: string } {
    return { __type: this.name, message: this.message };
  }
}

export type ServiceErrorClass = new (message: string) => ServiceError;

/**
 * States a precondition: throws `ErrorClass(message)` unless `condition` holds.
 *
 * @example
 * needs(key.keyState === 'Enabled', `${key.arn} is disabled.`, DisabledException);
 */
export function needs(condition: unknown, message: string, ErrorClass: ServiceErrorClass): asserts condition {
  if (!condition) throw new ErrorClass(message);
}
