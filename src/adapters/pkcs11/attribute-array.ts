/**
 * Attribute templates as data, and the one kind pkcs11js cannot pass: an attribute whose value is
 * itself a template (CKF_ARRAY_ATTRIBUTE, e.g. CKA_UNWRAP_TEMPLATE), a C array of CK_ATTRIBUTE
 * whose `pValue` members point at the values. pkcs11js copies an attribute value as plain bytes,
 * so the array is laid out here, with koffi only to learn the address of each value buffer and to
 * lay the structs out with the platform's C ABI. pkcs11js (and so graphene) still makes the call.
 */
import koffi from 'koffi';

/** One attribute as pkcs11js takes it: CK_BBOOL, CK_ULONG or raw bytes. */
export interface Attribute {
  readonly type: number;
  readonly value: boolean | number | Buffer;
}

const CK_ATTRIBUTE = koffi.struct('CK_ATTRIBUTE', { type: 'unsigned long', pValue: 'void *', ulValueLen: 'unsigned long' });
const ATTRIBUTE_BYTES = koffi.sizeof(CK_ATTRIBUTE);
const ULONG_BYTES = koffi.sizeof('unsigned long');

function valueBytes(value: Attribute['value']): Buffer {
  if (typeof value === 'boolean') return Buffer.from([value ? 1 : 0]);
  if (typeof value === 'number') {
    const bytes = Buffer.alloc(ULONG_BYTES);
    if (ULONG_BYTES === 8) bytes.writeBigUInt64LE(BigInt(value));
    else bytes.writeUInt32LE(value);
    return bytes;
  }
  return value;
}

/**
 * Runs `use` with `attributes` laid out as a CK_ATTRIBUTE array (the value of an array attribute).
 * The value buffers stay referenced until `use` returns, so the pointers in the array stay valid
 * for a synchronous PKCS#11 call made inside it; the token copies the template when it stores it.
 */
export function withAttributeArray<T>(attributes: readonly Attribute[], use: (array: Buffer) => T): T {
  const values = attributes.map((attribute) => valueBytes(attribute.value));
  // One backing store for every value: it is allocated outside the JavaScript heap and never moves.
  const store = Buffer.alloc(Math.max(64, values.reduce((sum, value) => sum + value.length, 0)));
  const array = Buffer.alloc(ATTRIBUTE_BYTES * attributes.length);
  let offset = 0;
  attributes.forEach((attribute, i) => {
    const value = values[i] ?? Buffer.alloc(0);
    const view = store.subarray(offset, offset + value.length);
    value.copy(view);
    offset += value.length;
    koffi.encode(array, i * ATTRIBUTE_BYTES, CK_ATTRIBUTE, { type: attribute.type, pValue: view, ulValueLen: value.length });
  });
  try {
    return use(array);
  } finally {
    // Keeps `store` reachable until the call has returned.
    store.fill(0);
  }
}
