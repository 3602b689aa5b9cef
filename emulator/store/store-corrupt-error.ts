/**
 * The data file exists but cannot be used (half-written, not JSON, wrong schema). The hub refuses to start rather
 * than replace a user's data with an empty store.
 */
export class StoreCorruptError extends Error {
  constructor(
    readonly filePath: string,
    detail: string,
  ) {
    super(
      `The hub data file ${filePath} is unreadable: ${detail}. It was left untouched. ` +
        'Restore it from a backup, or move it away to start with an empty hub.',
    );
    this.name = 'StoreCorruptError';
  }
}
