/** The parts of an AWS API model (`model/*.service.json`) the generators read. */
export interface ModelRef {
  shape: string;
}

export interface ModelShape {
  type: string;
  members?: Record<string, ModelRef>;
  required?: string[];
  member?: ModelRef;
  key?: ModelRef;
  value?: ModelRef;
  enum?: string[];
  min?: number;
  max?: number;
  pattern?: string;
  sensitive?: boolean;
  exception?: boolean;
  /** JSON protocol: a server-side error. */
  fault?: boolean;
  /** Query protocol: the error's wire code and status. */
  error?: { code: string; httpStatusCode: number; senderFault?: boolean };
}

export interface ModelOperation {
  name: string;
  input?: ModelRef;
  output?: ModelRef & { resultWrapper?: string };
  errors?: ModelRef[];
}
