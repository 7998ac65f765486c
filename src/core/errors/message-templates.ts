/**
 * The machinery behind each service's table of wire messages (`src/core/kms/messages.ts` for AWS
 * KMS and the signature checks, `src/core/iam/messages.ts` for IAM and STS): a template names the
 * exception that carries it, its text with `{placeholder}`s, and where its wording comes from.
 */

/** Where a template's wording comes from. */
export type WordingSource =
  /** A recording or quotation of AWS's own answer. */
  | { readonly aws: string }
  /** This service's wording: no public source gives AWS's. */
  | { readonly ours: string };

export interface MessageTemplate {
  readonly exception: string;
  readonly text: string;
  readonly source: WordingSource;
}

/** The `{placeholder}` names of a template text. */
export type Placeholders<S extends string> = S extends `${string}{${infer P}}${infer Rest}` ? P | Placeholders<Rest> : never;

/** The arguments a template of `Table` needs after its name: none, or one value per placeholder. */
export type TemplateArgs<Table extends Record<string, MessageTemplate>, N extends keyof Table> =
  Placeholders<Table[N]['text']> extends never ? [] : [Record<Placeholders<Table[N]['text']>, string | number>];

/** Fills the `{placeholder}`s of `text` from `values`; one without a value stays as written. */
export function fill(text: string, values: Readonly<Record<string, string | number>>): string {
  return text.replace(/\{(\w+)\}/g, (whole, key: string) => {
    const value = values[key];
    return value === undefined ? whole : String(value);
  });
}

/**
 * The `say` function of one table of templates: `say(name, values)` is the wire message `name`
 * with its placeholders filled in, typed so that every placeholder gets a value.
 */
export function speaker<Table extends Record<string, MessageTemplate>>(table: Table) {
  return function say<N extends keyof Table & string>(name: N, ...args: TemplateArgs<Table, N>): string {
    const template: Table[N] = table[name];
    // A template without placeholders is its message: preconditions on the request path name one on every call.
    const values = args[0];
    return values === undefined ? template.text : fill(template.text, values);
  };
}
