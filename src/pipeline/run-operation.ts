/** Decode → operation → encode: the part of the pipeline every function shares. */
import { UnsupportedOperationException } from '../models/kms/generated/errors.js';
import type { OperationIO, OperationName } from '../models/kms/generated/operations.js';
import { OPERATION_HANDLERS } from '../core/kms/operations/registry.js';
import type { RequestContext } from '../core/request-context.js';
import { TouchedResources, type CoreDeps, type OperationHandler } from '../core/kms/service.js';
import { decodeInput } from '../protocol/aws-json/decode-input.js';
import { encodeOutput } from '../protocol/aws-json/encode-output.js';
import { say } from '../core/kms/messages.js';

export function handlerFor<Op extends OperationName>(operation: Op): OperationHandler<Op> {
  const handler = OPERATION_HANDLERS[operation];
  if (handler === undefined) {
    throw new UnsupportedOperationException(say('operationNotSupported', { operation }));
  }
  return handler;
}

export async function runOperation<Op extends OperationName>(
  deps: CoreDeps,
  operation: Op,
  input: OperationIO[Op]['input'],
  ctx: RequestContext,
  touched: TouchedResources,
): Promise<string> {
  const output = await handlerFor(operation)({ deps, ctx, input, touched });
  return encodeOutput(operation, output);
}

/** For group functions: decode the body the front already validated, then run. */
export async function runEncodedOperation(
  deps: CoreDeps,
  operation: OperationName,
  body: string,
  ctx: RequestContext,
  touched: TouchedResources,
): Promise<string> {
  return runOperation(deps, operation, decodeInput(operation, body), ctx, touched);
}
