import { z } from 'zod';
import { ConfigError } from './config-error';

/** The building blocks every configuration section parses `env` with, so each rule is written once. */
export const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

export const bool = z.enum(['true', 'false']).transform((v) => v === 'true');

/** An empty secret (a blank line copied from .dev.vars.example) means "not set". */
export const optionalSecret = z
  .string()
  .trim()
  .optional()
  .transform((v) => v || undefined);

/** Parses one section of `env`, or fails start-up with a message naming each bad variable. */
export function parseSection<S extends z.ZodType>(schema: S, env: Record<string, unknown>): z.infer<S> {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(env)'}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration: ${problems.join('; ')}`);
  }
  return parsed.data;
}
