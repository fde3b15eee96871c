import { z } from '@hono/zod-openapi';
import { IdParamSchema, pageOf, pageQuery } from '../../lib/common-schemas';

// Control characters have no place in text customers read (answers may keep line breaks and tabs):
// refusing them beats silently storing text that renders oddly or hides content.
const noControlChars = (allowLineBreaks: boolean) => (value: string) =>
  !/\p{Cc}/u.test(allowLineBreaks ? value.replace(/[\r\n\t]/g, '') : value);

export const QuestionSchema = z
  .string()
  .trim()
  .min(1, 'Enter the question.')
  .max(300, 'Questions are at most 300 characters.')
  .refine(noControlChars(false), 'Questions cannot contain control characters.')
  .openapi({ example: 'What are your delivery hours?' });

export const AnswerSchema = z
  .string()
  .trim()
  .min(1, 'Enter the answer.')
  .max(4000, 'Answers are at most 4000 characters.')
  .refine(noControlChars(true), 'Answers cannot contain control characters other than line breaks and tabs.')
  .openapi({ example: 'We deliver every day from 7:00 to 22:00.' });

export const TagSchema = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9-]{1,40}$/, 'Tags are 1–40 characters of a–z, 0–9 and "-".')
  .openapi({ example: 'delivery' });

/** Up to 10 tags; duplicates (after lowercasing) are stored once. */
export const TagsSchema = z
  .array(TagSchema)
  .max(10, 'At most 10 tags.')
  .transform((tags) => [...new Set(tags)]);

export const CreateFaqSchema = z
  .object({
    question: QuestionSchema,
    answer: AnswerSchema,
    tags: TagsSchema.default([]),
    published: z.boolean().default(false).openapi({ description: 'Drafts are visible to editors only.' }),
  })
  .strict()
  .openapi('CreateFaqRequest');

export const UpdateFaqSchema = z
  .object({
    question: QuestionSchema.optional(),
    answer: AnswerSchema.optional(),
    tags: TagsSchema.optional(),
    published: z.boolean().optional(),
  })
  .strict()
  .refine((body) => Object.values(body).some((value) => value !== undefined), 'Send at least one field to change.')
  .openapi('UpdateFaqRequest');

export const ListFaqsQuerySchema = z.object({
  q: z
    .string()
    .max(2000)
    .optional()
    .openapi({ description: 'Full-text search; results ordered by relevance (bm25).', example: 'delivery hours' }),
  tag: TagSchema.optional(),
  ...pageQuery(50),
});

export const FaqSchema = z
  .object({
    id: z.string(),
    question: z.string(),
    answer: z.string(),
    tags: z.array(z.string()),
    published: z.boolean(),
    createdAt: z.string().openapi({ format: 'date-time' }),
    updatedAt: z.string().openapi({ format: 'date-time' }),
  })
  .openapi('Faq');

export const FaqListSchema = pageOf(FaqSchema, 'FaqList');

export const FaqIdParamSchema = IdParamSchema('fc0fa000-0000-4000-8000-000000000001');

export type CreateFaqInput = z.output<typeof CreateFaqSchema>;
export type UpdateFaqInput = z.output<typeof UpdateFaqSchema>;
export type ListFaqsQuery = z.output<typeof ListFaqsQuerySchema>;
