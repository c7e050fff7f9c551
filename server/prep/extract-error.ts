/** Stable reasons a document could not be read; shown to users and listed in batch reports. */
export type ExtractErrorCode =
  | 'empty-file'
  | 'too-large'
  | 'too-many-pages'
  | 'unsupported-type'
  | 'corrupt'
  | 'encrypted'
  | 'scanned-pdf'
  | 'no-text'
  | 'too-complex'
  | 'aborted';

/** A document that could not be turned into text, with a reason a person can act on. */
export class ExtractError extends Error {
  override readonly name = 'ExtractError';
  constructor(
    readonly code: ExtractErrorCode,
    message: string,
  ) {
    super(message);
  }
}
