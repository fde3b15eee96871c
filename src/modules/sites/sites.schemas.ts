import { z } from '@hono/zod-openapi';

/** Limits a new site gets unless the admin sets them: small, because guests are anonymous. */
export const GUEST_LIMIT_DEFAULTS = {
  guestMessagesPerMinute: 5,
  guestMessagesPerDay: 50,
  guestIpMessagesPerDay: 200,
  guestTokensPerDay: 200_000,
} as const;

const OriginSchema = z
  .string()
  .trim()
  .max(200)
  .refine((value) => {
    try {
      const url = new URL(value);
      return (url.protocol === 'https:' || url.protocol === 'http:') && url.origin === value;
    } catch {
      return false;
    }
  }, 'must be an origin such as https://www.example.com (scheme, host, optional port; no path)')
  .openapi({ example: 'https://www.example.com' });

const limit = (max: number, description: string) => z.number().int().min(1).max(max).openapi({ description });

const fields = {
  name: z.string().trim().min(1).max(100).openapi({ example: 'FreshCart shop' }),
  allowedOrigins: z
    .array(OriginSchema)
    .min(1)
    .max(20)
    .openapi({ description: 'Pages on these origins may show the widget; every other origin gets none.' }),
  greeting: z.string().trim().max(300).nullable().openapi({ example: 'Hi! Ask me about deliveries and orders.' }),
  accentColor: z
    .string()
    .regex(/^#[0-9a-fA-F]{6}$/, 'a colour such as #0a7d5a')
    .nullable()
    .openapi({ example: '#0a7d5a' }),
  guestChat: z.boolean().openapi({ description: 'Whether visitors without an account may chat.' }),
  guestMessagesPerMinute: limit(120, 'Messages per minute per visitor.'),
  guestMessagesPerDay: limit(10_000, 'Messages per UTC day per visitor.'),
  guestIpMessagesPerDay: limit(1_000_000, 'Guest messages per UTC day from one network (IPv4 /24, IPv6 /48).'),
  guestTokensPerDay: limit(1_000_000_000, 'Model tokens per UTC day for all of this site’s guests together.'),
};

export const CreateSiteSchema = z
  .object({
    name: fields.name,
    allowedOrigins: fields.allowedOrigins,
    greeting: fields.greeting.optional(),
    accentColor: fields.accentColor.optional(),
    guestChat: fields.guestChat.default(true),
    guestMessagesPerMinute: fields.guestMessagesPerMinute.default(GUEST_LIMIT_DEFAULTS.guestMessagesPerMinute),
    guestMessagesPerDay: fields.guestMessagesPerDay.default(GUEST_LIMIT_DEFAULTS.guestMessagesPerDay),
    guestIpMessagesPerDay: fields.guestIpMessagesPerDay.default(GUEST_LIMIT_DEFAULTS.guestIpMessagesPerDay),
    guestTokensPerDay: fields.guestTokensPerDay.default(GUEST_LIMIT_DEFAULTS.guestTokensPerDay),
  })
  .strict()
  .openapi('CreateSite');

export const UpdateSiteSchema = z
  .object(
    Object.fromEntries(Object.entries(fields).map(([key, schema]) => [key, schema.optional()])) as {
      [K in keyof typeof fields]: z.ZodOptional<(typeof fields)[K]>;
    },
  )
  .strict()
  .refine((body) => Object.keys(body).length > 0, 'send at least one field to change')
  .openapi('UpdateSite');

export const SiteSchema = z
  .object({
    id: z.string().uuid().openapi({ description: 'The public site id (the embed snippet’s data-site).' }),
    name: z.string(),
    allowedOrigins: z.array(z.string()),
    greeting: z.string().nullable(),
    accentColor: z.string().nullable(),
    guestChat: z.boolean(),
    guestMessagesPerMinute: z.number().int(),
    guestMessagesPerDay: z.number().int(),
    guestIpMessagesPerDay: z.number().int(),
    guestTokensPerDay: z.number().int(),
    embedSnippet: z.string().openapi({ description: 'The script tag to paste into the site’s pages.' }),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('Site');

export const SiteWithSecretSchema = z
  .object({
    site: SiteSchema,
    identitySecret: z.string().openapi({
      description:
        'Keys the HMAC-SHA256 of `id|email|expires` your server signs customer identities with. Shown once: store it now.',
    }),
  })
  .openapi('SiteWithSecret');

export const SiteIdParamSchema = z.object({
  id: z
    .string()
    .uuid()
    .openapi({ param: { name: 'id', in: 'path' }, example: '7d9f1c1e-2f0b-4a57-9c5e-0e7b3c1b2a10' }),
});

export const GuestConversationSchema = z
  .object({
    id: z.string().uuid(),
    siteId: z.string().uuid(),
    visitorId: z.string().uuid(),
    customer: z
      .object({ id: z.string(), email: z.string() })
      .nullable()
      .openapi({ description: 'The identity the site’s server signed for this visitor; null for anonymous ones.' }),
    title: z.string(),
    messageCount: z.number().int(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('GuestConversation');
