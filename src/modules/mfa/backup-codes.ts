import { and, eq, isNull } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { mfaBackupCodes } from '../../db/schema';
import { sha256Hex } from '../../lib/opaque-token';

export const BACKUP_CODE_COUNT = 10;
// Crockford's base32: no I, L, O, U, so what is read aloud or typed back is unambiguous.
const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';

/** 16 characters = 80 random bits: a stolen table of SHA-256 hashes cannot be searched for them. */
function newCode(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  const chars = [...bytes].map((b) => ALPHABET[b & 31]).join('');
  return chars.match(/.{4}/g)?.join('-') ?? chars;
}

/** What a person typed back: case, spaces and hyphens do not matter, and o/i/l read as 0/1/1. */
export function normalizeBackupCode(input: string): string {
  return input.toLowerCase().replace(/[\s-]/g, '').replace(/o/g, '0').replace(/[il]/g, '1');
}

export const looksLikeBackupCode = (input: string) => /^[0-9a-z]{16}$/.test(normalizeBackupCode(input));

/** A new set of codes; the old set dies in the same batch. Returns the codes (shown once, stored hashed). */
export async function replaceBackupCodes(db: Db, userId: string): Promise<string[]> {
  const codes = Array.from({ length: BACKUP_CODE_COUNT }, newCode);
  const rows = await Promise.all(
    codes.map(async (code) => ({
      id: crypto.randomUUID(),
      userId,
      codeHash: await sha256Hex(normalizeBackupCode(code)),
    })),
  );
  await db.batch([
    db.delete(mfaBackupCodes).where(eq(mfaBackupCodes.userId, userId)),
    db.insert(mfaBackupCodes).values(rows),
  ]);
  return codes;
}

/** Spends a code: one conditional UPDATE, so of two concurrent uses exactly one succeeds. */
export async function useBackupCode(db: Db, userId: string, input: string): Promise<boolean> {
  const rows = await db
    .update(mfaBackupCodes)
    .set({ usedAt: new Date() })
    .where(
      and(
        eq(mfaBackupCodes.userId, userId),
        eq(mfaBackupCodes.codeHash, await sha256Hex(normalizeBackupCode(input))),
        isNull(mfaBackupCodes.usedAt),
      ),
    )
    .returning({ id: mfaBackupCodes.id });
  return rows.length === 1;
}

export async function remainingBackupCodes(db: Db, userId: string): Promise<number> {
  const rows = await db
    .select({ id: mfaBackupCodes.id })
    .from(mfaBackupCodes)
    .where(and(eq(mfaBackupCodes.userId, userId), isNull(mfaBackupCodes.usedAt)));
  return rows.length;
}
