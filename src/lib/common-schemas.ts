import { z } from '@hono/zod-openapi';

export const ErrorSchema = z
  .object({
    error: z.object({
      code: z.string().openapi({ example: 'VALIDATION_ERROR' }),
      message: z.string().openapi({ example: 'The request is not valid.' }),
      requestId: z.string().openapi({ example: '0f8fad5b-d9cb-469f-a165-70867728950e' }),
      details: z.unknown().optional().openapi({ description: 'Validation issues; omitted in production.' }),
    }),
  })
  .openapi('Error');

/** A JSON response entry for `createRoute({ responses })`. */
export const jsonContent = <T extends z.ZodType>(schema: T, description: string) => ({
  content: { 'application/json': { schema } },
  description,
});

export const errorResponse = (description: string) => jsonContent(ErrorSchema, description);
