/** Decode → operation → encode: the part of the pipeline every function shares. */
import { UnsupportedOperationException } from '../core/generated/errors.js';
import type { OperationIO, OperationName } from '../core/generated/operations.js';
import { OPERATION_HANDLERS } from '../core/operations/registry.js';
import type { RequestContext } from '../core/principal.js';
import { TouchedResources, type CoreDeps, type OperationHandler } from '../core/service.js';
import { decodeInput } from '../protocol/decode-input.js';
import { encodeOutput } from '../protocol/encode-output.js';

export function handlerFor<Op extends OperationName>(operation: Op): OperationHandler<Op> {
  const handler = OPERATION_HANDLERS[operation] as OperationHandler<Op> | undefined;
  if (handler === undefined) {
    throw new UnsupportedOperationException(`${operation} is not supported by this service yet.`);
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
