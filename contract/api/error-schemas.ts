import * as z from 'zod';

/** Response bodies for the error statuses every route shares. */
export const FieldErrorSchema = z
  .strictObject({
    path: z
      .string()
      .meta({ description: "Dotted path of the field, array indexes included; '' for the body as a whole.", example: 'patient.birthDate' }),
    message: z.string().meta({ example: 'must not be in the future' }),
  })
  .meta({ id: 'FieldError' });

export const ValidationErrorSchema = z
  .strictObject({ errors: z.array(FieldErrorSchema).min(1) })
  .meta({ id: 'ValidationError', description: 'Every problem found in the request, not only the first.' });

export const MessageErrorSchema = z
  .strictObject({ message: z.string().meta({ example: 'Forbidden' }) })
  .meta({ id: 'ErrorMessage', description: 'A single reason, without details of the data concerned.' });
