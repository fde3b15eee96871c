CREATE TABLE `sites` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`allowed_origins` text NOT NULL,
	`greeting` text,
	`accent_color` text,
	`guest_chat` integer DEFAULT true NOT NULL,
	`guest_messages_per_minute` integer NOT NULL,
	`guest_messages_per_day` integer NOT NULL,
	`guest_ip_messages_per_day` integer NOT NULL,
	`guest_tokens_per_day` integer NOT NULL,
	`identity_secret` text NOT NULL,
	`created_by` text,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`updated_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`created_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE TABLE `visitors` (
	`id` text PRIMARY KEY NOT NULL,
	`site_id` text NOT NULL,
	`token_hash` text NOT NULL,
	`expires_at` integer NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`last_seen_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`site_id`) REFERENCES `sites`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `visitors_token_hash_unique` ON `visitors` (`token_hash`);--> statement-breakpoint
CREATE INDEX `visitors_site_idx` ON `visitors` (`site_id`);--> statement-breakpoint
CREATE INDEX `visitors_expires_idx` ON `visitors` (`expires_at`);--> statement-breakpoint
PRAGMA foreign_keys=OFF;--> statement-breakpoint
-- Hand-added: D1 enforces foreign keys whatever PRAGMA foreign_keys says, so dropping `conversations`
-- below cascades into `messages`. Keep a copy and put the rows back once the new table is in place.
CREATE TABLE `__keep_messages` AS SELECT * FROM `messages`;--> statement-breakpoint
CREATE TABLE `__new_conversations` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` text,
	`visitor_id` text,
	`site_id` text,
	`customer_id` text,
	`customer_email` text,
	`title` text NOT NULL,
	`message_count` integer DEFAULT 0 NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`updated_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`visitor_id`) REFERENCES `visitors`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`site_id`) REFERENCES `sites`(`id`) ON UPDATE no action ON DELETE cascade,
	CONSTRAINT "conversations_one_owner" CHECK(("user_id" IS NULL) <> ("visitor_id" IS NULL))
);
--> statement-breakpoint
-- Hand-edited: the old table has no owner-of-guest columns; every existing conversation is a user's.
INSERT INTO `__new_conversations`("id", "user_id", "title", "message_count", "created_at", "updated_at") SELECT "id", "user_id", "title", "message_count", "created_at", "updated_at" FROM `conversations`;--> statement-breakpoint
DROP TABLE `conversations`;--> statement-breakpoint
ALTER TABLE `__new_conversations` RENAME TO `conversations`;--> statement-breakpoint
PRAGMA foreign_keys=ON;--> statement-breakpoint
INSERT OR IGNORE INTO `messages` SELECT * FROM `__keep_messages`;--> statement-breakpoint
DROP TABLE `__keep_messages`;--> statement-breakpoint
CREATE INDEX `conversations_user_updated_idx` ON `conversations` (`user_id`,`updated_at`);--> statement-breakpoint
CREATE INDEX `conversations_visitor_updated_idx` ON `conversations` (`visitor_id`,`updated_at`);--> statement-breakpoint
CREATE INDEX `conversations_site_updated_idx` ON `conversations` (`site_id`,`updated_at`);