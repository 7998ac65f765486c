/** Options of a {@link ServiceError} besides its wire message. */
export interface ServiceErrorOptions {
  /**
   * Why the request failed, for operators only: it goes to the audit event's
   * `additionalEventData` and to the debug log, never on the wire. Fixed wording, no request values.
   */
  readonly reason?: string;
}

/**
 * Base of every error that reaches the wire. Each subclass maps one to one to an AWS KMS (or
 * AWS JSON protocol) exception and carries its wire name, fault side and HTTP status.
 *
 * An empty message means AWS's answer has no `message` member at all (InvalidCiphertextException
 * for a wrong encryption context, KMSInvalidSignatureException, …); the body then carries only
 * `__type`, and the {@link ServiceError.reason} says why.
 */
export abstract class ServiceError extends Error {
  abstract override readonly name: string;
  abstract readonly $fault: 'client' | 'server';
  abstract readonly httpStatus: number;
  /** Operator-only reason; see {@link ServiceErrorOptions.reason}. */
  readonly reason: string | undefined;

  constructor(message = '', options: ServiceErrorOptions = {}) {
    super(message);
    this.reason = options.reason;
  }

  /** The wire body of an AWS JSON 1.1 error: no `message` member when AWS sends none. */
  toJSON(): { __type: string; message?: string } {
    return this.message === '' ? { __type: this.name } : { __type: this.name, message: this.message };
  }
}

export type ServiceErrorClass = new (message?: string, options?: ServiceErrorOptions) => ServiceError;

/** The wire carries no message; only operators learn the reason. Built by {@link withoutMessage}. */
export class NoWireMessage {
  constructor(readonly reason: string) {}
}

/** For an error AWS sends without a message: `reason` reaches the audit event and debug log only. */
export function withoutMessage(reason: string): NoWireMessage {
  return new NoWireMessage(reason);
}

/** Builds `ErrorClass` from a wire message, or from {@link withoutMessage}'s operator-only reason. */
export function serviceError(ErrorClass: ServiceErrorClass, message: string | NoWireMessage): ServiceError {
  return message instanceof NoWireMessage ? new ErrorClass('', { reason: message.reason }) : new ErrorClass(message);
}

/**
 * States a precondition: throws `ErrorClass(message)` unless `condition` holds. A message filled
 * from request values is given as a function, so that it is formatted only when the check fails
 * (the checks on every Encrypt and Decrypt hold almost always).
 *
 * @example
 * needs(key.keyState === 'Enabled', () => say('keyDisabled', { arn: key.arn }), DisabledException);
 * needs(valid, withoutMessage('The signature does not verify.'), KMSInvalidSignatureException);
 */
export function needs(
  condition: unknown, message: string | NoWireMessage | (() => string | NoWireMessage), ErrorClass: ServiceErrorClass,
): asserts condition {
  if (!condition) throw serviceError(ErrorClass, typeof message === 'function' ? message() : message);
}
