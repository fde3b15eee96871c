import { z } from 'zod';
import { ROLES, type Role } from '../../db/schema';
import { ConfigError } from '../../lib/config-error';
import type { Thinking } from '../provider/deepseek.types';

/**
 * CHAT_MODELS: comma-separated entries
 * `publicId=upstreamModel[;thinking=on|off][;effort=low|high|max][;role=<minimum role>]`, the first
 * being the default. Clients see and name only the public id; what it runs upstream is ours to change
 * (DeepSeek retired `deepseek-chat` and `deepseek-reasoner` in 2026 and may rename again). Thinking is
 * off unless an entry turns it on, and every request states its mode: DeepSeek's own default is on.
 */
export const DEFAULT_CHAT_MODELS =
  'support-fast=deepseek-flash;thinking=off,support-thinking=deepseek-flash;thinking=on;effort=high;role=moderator';

export type ChatModel = {
  /** The public id: what `/v1/models` lists and requests name. */
  id: string;
  upstreamModel: string;
  thinking: Thinking;
  minRole: Role;
};

const ENTRY_FORMAT = 'publicId=upstreamModel[;thinking=on|off][;effort=low|high|max][;role=moderator]';
const ROLE_RANK: Record<Role, number> = { viewer: 0, user: 1, moderator: 2, admin: 3 };

const modelName = z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'want 1-64 of A-Z a-z 0-9 . _ -');

const entrySchema = z
  .object({
    id: modelName,
    upstreamModel: modelName,
    thinking: z.enum(['on', 'off']).default('off'),
    effort: z.enum(['low', 'high', 'max']).optional(),
    role: z.enum(ROLES).default('user'),
  })
  .strict()
  .refine((entry) => entry.thinking === 'on' || entry.effort === undefined, 'effort needs thinking=on');

const bad = (entry: string, why: string) =>
  new ConfigError(`Invalid configuration: CHAT_MODELS: bad entry "${entry}": ${why} (want ${ENTRY_FORMAT})`);

function parseEntry(entry: string): ChatModel {
  const [head = '', ...options] = entry.split(';').map((part) => part.trim());
  const [id, upstreamModel, ...rest] = head.split('=').map((part) => part.trim());
  if (upstreamModel === undefined || rest.length > 0) throw bad(entry, 'no "publicId=upstreamModel"');
  const fields: Record<string, string | undefined> = { id, upstreamModel };
  for (const option of options.filter(Boolean)) {
    const [key = '', value, ...extra] = option.split('=').map((part) => part.trim());
    if (value === undefined || extra.length > 0 || key in fields) throw bad(entry, `bad option "${option}"`);
    fields[key] = value;
  }
  const parsed = entrySchema.safeParse(fields);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw bad(entry, `${issue?.path.join('.') || 'entry'}: ${issue?.message ?? 'invalid'}`);
  }
  const { thinking, effort, role } = parsed.data;
  return {
    id: parsed.data.id,
    upstreamModel: parsed.data.upstreamModel,
    thinking: thinking === 'on' ? { enabled: true, effort: effort ?? 'high' } : { enabled: false },
    minRole: role,
  };
}

/** Parses CHAT_MODELS; throws a ConfigError naming the variable and the entry at fault. */
export function parseChatModels(raw: string): ChatModel[] {
  const models = raw
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean)
    .map(parseEntry);
  if (models.length === 0) throw new ConfigError('Invalid configuration: CHAT_MODELS: list at least one model');
  const seen = new Set<string>();
  for (const model of models) {
    if (seen.has(model.id)) throw new ConfigError(`Invalid configuration: CHAT_MODELS: "${model.id}" listed twice`);
    seen.add(model.id);
  }
  return models;
}

/** Models a role may use: those whose minimum role it meets. */
export const modelsForRole = (models: readonly ChatModel[], role: Role) =>
  models.filter((m) => ROLE_RANK[role] >= ROLE_RANK[m.minRole]);
