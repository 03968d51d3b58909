import { NotFoundError } from '@ozvps/core';

/** No such document, or (to a customer) not theirs: the same answer, so numbers cannot be probed. */
export class DocumentNotFoundError extends NotFoundError {
  override readonly code = 'document_not_found';

  constructor(number: string) {
    super(`No document ${number.slice(0, 40)}`);
  }
}
