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

/** A required JSON request body (`required` matters: without it the validator skips non-JSON bodies). */
export const jsonBody = <T extends z.ZodType>(schema: T) => ({
  required: true,
  content: { 'application/json': { schema } },
});

/** The OpenAPI security requirement of routes that take a bearer access token. */
export const bearerSecurity = [{ bearerAuth: [] }];

/** Routes an API key may call too (with the scope they need): either credential. */
export const bearerOrKeySecurity: Record<string, string[]>[] = [{ bearerAuth: [] }, { apiKeyAuth: [] }];

/** The two failures every guarded route can answer with. */
export const authErrors = {
  401: errorResponse('Missing, invalid or outdated access token.'),
  403: errorResponse('Your role does not allow this.'),
};

/** A path parameter `{id}` holding a UUID. */
export const IdParamSchema = (example = '7d9f1c1e-2f0b-4a57-9c5e-0e7b3c1b2a10') =>
  z.object({
    id: z
      .string()
      .uuid()
      .openapi({ param: { name: 'id', in: 'path' }, example }),
  });

/** `?page=&pageSize=` with a capped page size. */
export const pageQuery = (maxPageSize: number, defaultPageSize = 20) => ({
  page: z.coerce.number().int().min(1).max(100_000).default(1).openapi({ example: 1 }),
  pageSize: z.coerce
    .number()
    .int()
    .min(1)
    .max(maxPageSize)
    .default(defaultPageSize)
    .openapi({ example: defaultPageSize }),
});

/** `{items, page, pageSize, total}` around an item schema. */
export const pageOf = <T extends z.ZodType>(item: T, name: string) =>
  z
    .object({ items: z.array(item), page: z.number().int(), pageSize: z.number().int(), total: z.number().int() })
    .openapi(name);
