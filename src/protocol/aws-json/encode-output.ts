import type { OperationIO, OperationName } from '../../models/kms/generated/operations.js';
import { OPERATIONS, SHAPES } from '../../models/kms/generated/schema.js';

function writeValue(shapeName: string, value: unknown): unknown {
  const shape = SHAPES[shapeName];
  if (shape === undefined) throw new Error(`Shape ${shapeName} is not in the schema`);
  switch (shape.type) {
    case 'structure': {
      const source = value as Readonly<Record<string, unknown>>;
      const result: Record<string, unknown> = {};
      for (const [member, target] of Object.entries(shape.members ?? {})) {
        const memberValue = source[member];
        if (memberValue !== undefined && memberValue !== null) result[member] = writeValue(target, memberValue);
      }
      return result;
    }
    case 'list':
      return (value as readonly unknown[]).map((element) => writeValue(shape.member ?? '', element));
    case 'map':
      return Object.fromEntries(
        Object.entries(value as Readonly<Record<string, unknown>>).map(([key, entry]) => [
          key,
          writeValue(shape.value ?? '', entry),
        ]),
      );
    case 'blob': {
      const bytes = value as Uint8Array;
      return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
    }
    case 'timestamp':
      // Epoch seconds with the milliseconds as a fraction, as AWS sends them.
      return (value as Date).getTime() / 1000;
    default:
      return value;
  }
}

/**
 * Encodes the output of `operation` as the AWS JSON 1.1 response body: members named as in the
 * model, absent members omitted, blobs as base64 and timestamps as epoch seconds. Properties the
 * model does not define are not sent.
 */
export function encodeOutput<Op extends OperationName>(operation: Op, output: OperationIO[Op]['output']): string {
  const outputShape = OPERATIONS[operation].output;
  if (outputShape === undefined) return '{}';
  return JSON.stringify(writeValue(outputShape, output));
}
