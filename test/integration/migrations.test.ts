import { env } from 'cloudflare:workers';
import { expect, it } from 'vitest';

it('applies the migrations: the users table exists with its unique email', async () => {
  const table = await env.DB.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'users'").first();
  expect(table).toEqual({ name: 'users' });
  const insert = "INSERT INTO users (id, email, username, password_hash) VALUES (?, 'same@example.com', ?, 'x')";
  await env.DB.prepare(insert).bind('u1', 'first').run();
  await expect(env.DB.prepare(insert).bind('u2', 'second').run()).rejects.toThrow(/UNIQUE/);
});
