CREATE TABLE `sessions` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text NOT NULL,
	`user_agent` text,
	`ip_prefix` text,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`last_used_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`expires_at` integer NOT NULL,
	`ended_at` integer,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `sessions_user_created_idx` ON `sessions` (`user_id`,`created_at`);--> statement-breakpoint
-- Backfill: every refresh-token family from before this migration becomes a session (without agent or
-- address, which were never recorded). A family is still live while it holds an unused, unrevoked token.
INSERT INTO `sessions` (`id`, `user_id`, `created_at`, `last_used_at`, `expires_at`, `ended_at`)
SELECT
	`family_id`,
	`user_id`,
	min(`created_at`),
	max(`created_at`),
	max(`expires_at`),
	CASE
		WHEN sum(`used_at` IS NULL AND `revoked_at` IS NULL) > 0 THEN NULL
		ELSE coalesce(max(`revoked_at`), max(`created_at`))
	END
FROM `refresh_tokens`
GROUP BY `family_id`, `user_id`;
