/** Checks of a Sign or Verify input that every software-tier algorithm shares. */
import type { MessageType, SigningAlgorithmSpec } from '../../models/kms/generated/shapes.js';
import type { SigningInput } from '../../core/ports/index.js';
import { ValidationException } from '../../models/kms/generated/errors.js';
import { say } from '../../core/kms/messages.js';

/** Throws `ValidationException` unless the input's message type is one `algorithm` accepts. */
export function requireMessageType(algorithm: SigningAlgorithmSpec, input: SigningInput, allowed: readonly MessageType[]): void {
  if (!allowed.includes(input.messageType)) {
    throw new ValidationException(say('messageTypeNotValid', { messageType: input.messageType, algorithm }));
  }
}

/** Throws `ValidationException` unless the message has exactly `length` bytes. */
export function requireLength(algorithm: SigningAlgorithmSpec, input: SigningInput, length: number): void {
  if (input.message.length !== length) {
    throw new ValidationException(say('messageLength', { messageType: input.messageType, algorithm, length, actual: input.message.length }));
  }
}
