/**
 * Query errors. Every error carries the span (0-based `position`, `length`) of the text it is about, so the
 * query console can underline it (house-style H13). The hub maps every `QueryError` to a 400 `BadRequest`.
 */

/** Base class of every error the query engine throws on purpose. */
export class QueryError extends Error {
  /** 0-based character offset of the offending text. */
  readonly position: number;
  /** Number of characters the offending text covers (0 at the end of the query). */
  readonly length: number;

  constructor(message: string, position: number, length: number) {
    super(message);
    this.name = new.target.name;
    this.position = position;
    this.length = length;
  }
}

/** The text does not follow the grammar. `expected` lists what would have been accepted at `position`. */
export class QuerySyntaxError extends QueryError {
  readonly expected: string[];

  constructor(message: string, position: number, length: number, expected: readonly string[] = []) {
    super(message, position, length);
    this.expected = [...expected];
  }
}

/** The text parses but means nothing valid (unknown function, aggregate misuse, unknown collection …). */
export class QuerySemanticError extends QueryError {}

/** A real IoT Hub feature this emulator does not implement (e.g. `FROM devices.jobs`). */
export class QueryNotSupportedError extends QueryError {}

/** A continuation token that is malformed or was issued for a different query. */
export class QueryContinuationError extends QueryError {
  constructor(message: string) {
    super(message, 0, 0);
  }
}
