/** Random identifiers (key IDs, request IDs, backing key IDs). */
export interface IdSource {
  uuid(): string;
  /** 32 random bytes as 64 lowercase hex characters (backing key version IDs, as AWS shows them). */
  hex64(): string;
}
