/** Hashes stored with more than this are refused unverified: a tampered row must not become a DoS. */
export const MAX_ARGON2 = { memoryKib: 65_536, iterations: 10, parallelism: 4 } as const;

export type Argon2Params = { memoryKib: number; iterations: number; parallelism: number };
