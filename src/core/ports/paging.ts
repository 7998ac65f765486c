/** Paging of listings, shared by every store. */
/** One page of a listing; `nextMarker` is an opaque continuation token owned by the store. */
export interface Page<T> {
  readonly items: readonly T[];
  readonly nextMarker?: string;
}

export interface PageRequest {
  /** Maximum number of items to return (already validated by the caller). */
  readonly limit: number;
  /** A marker previously returned as `nextMarker`; the store throws `InvalidMarkerException` when it cannot read it. */
  readonly marker?: string;
}
