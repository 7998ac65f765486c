/**
 * Writes a Query-protocol response: `<OpResponse xmlns=…><OpResult>…</OpResult><ResponseMetadata>
 * <RequestId>…</RequestId></ResponseMetadata></OpResponse>`, members in model order, lists as
 * `<member>` elements, timestamps in ISO 8601, with fast-xml-parser's builder (which escapes text).
 */
import { XMLBuilder } from 'fast-xml-parser';
import type { QueryServiceSchema } from '../../models/query-schema.js';

const builder = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: '@_', suppressEmptyNode: false, processEntities: true });

type XmlValue = string | XmlObject | XmlValue[];
interface XmlObject { [name: string]: XmlValue }

function encodeValue(schema: QueryServiceSchema<string>, shapeName: string, value: unknown): XmlValue {
  const shape = schema.shapes[shapeName];
  if (shape === undefined) throw new Error(`unknown shape ${shapeName}`);
  switch (shape.type) {
    case 'structure': {
      const out: XmlObject = {};
      const record = value as Record<string, unknown>;
      for (const [member, target] of Object.entries(shape.members ?? {})) {
        const memberValue = record[member];
        if (memberValue !== undefined) out[member] = encodeValue(schema, target, memberValue);
      }
      return out;
    }
    case 'list': {
      const items = (value as readonly unknown[]).map((item) => encodeValue(schema, shape.member ?? '', item));
      return items.length === 0 ? '' : { member: items };
    }
    case 'timestamp':
      // A date, or its ISO text after a JSON round trip (from the identities group's function).
      return `${(value instanceof Date ? value : new Date(String(value))).toISOString().slice(0, 19)}Z`;
    default:
      return String(value);
  }
}

/** The XML body of a successful `operation`. */
export function encodeQueryOutput<Op extends string>(schema: QueryServiceSchema<Op>, operation: Op, output: unknown, requestId: string): string {
  const op = schema.operations[operation];
  const response: XmlObject = { '@_xmlns': schema.xmlNamespace };
  if (op.output !== undefined && op.resultWrapper !== undefined) {
    response[op.resultWrapper] = encodeValue(schema, op.output, output ?? {});
  }
  response['ResponseMetadata'] = { RequestId: requestId };
  return builder.build({ [`${operation}Response`]: response });
}

/** The XML body of an error: `<ErrorResponse><Error><Type>Sender</Type><Code>…</Code><Message>…</Message></Error><RequestId>…</RequestId></ErrorResponse>`. */
export function encodeQueryError(xmlNamespace: string, error: { readonly code: string; readonly message: string; readonly sender: boolean }, requestId: string): string {
  return builder.build({
    ErrorResponse: {
      '@_xmlns': xmlNamespace,
      Error: { Type: error.sender ? 'Sender' : 'Receiver', Code: error.code, Message: error.message },
      RequestId: requestId,
    },
  });
}
