/** One field-level problem in a rejected request body: `path` is dotted (`patient.birthDate`, `medicalHistory.allergies.2`). */
export interface FieldError {
  path: string;
  message: string;
}

export type HttpErrorBody = { message: string } | { errors: FieldError[] };

/**
 * An expected HTTP outcome other than success (400, 401, 403, 404, 409, 413, 415). Thrown anywhere below a handler and
 * turned into a response by `httpErrors()`, so domain code and helpers need not build responses themselves.
 */
export class HttpError extends Error {
  readonly statusCode: number;
  readonly body: HttpErrorBody;

  constructor(statusCode: number, body: HttpErrorBody) {
    super('message' in body ? body.message : `${body.errors.length} invalid field(s)`);
    this.name = 'HttpError';
    this.statusCode = statusCode;
    this.body = body;
  }

  /** 400 with every problem at once, so a form can mark all bad fields in one round trip. */
  static badRequest(errors: FieldError[]): HttpError {
    return new HttpError(400, { errors });
  }

  static withMessage(statusCode: number, message: string): HttpError {
    return new HttpError(statusCode, { message });
  }
}
