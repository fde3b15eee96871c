CREATE TABLE `handoffs` (
	`id` text PRIMARY KEY NOT NULL,
	`conversation_id` text NOT NULL,
	`site_id` text,
	`trigger` text NOT NULL,
	`reason` text,
	`contact_email` text,
	`summary` text,
	`requested_at` integer NOT NULL,
	`claimed_at` integer,
	`claimed_by` text,
	`timed_out_at` integer,
	`resolved_at` integer,
	`released_at` integer,
	FOREIGN KEY (`conversation_id`) REFERENCES `conversations`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`site_id`) REFERENCES `sites`(`id`) ON UPDATE no action ON DELETE set null,
	FOREIGN KEY (`claimed_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE INDEX `handoffs_conversation_idx` ON `handoffs` (`conversation_id`,`requested_at`);--> statement-breakpoint
CREATE INDEX `handoffs_requested_idx` ON `handoffs` (`requested_at`);--> statement-breakpoint
ALTER TABLE `conversations` ADD `state` text DEFAULT 'bot' NOT NULL;--> statement-breakpoint
ALTER TABLE `conversations` ADD `assigned_to` text REFERENCES users(id) ON DELETE set null;--> statement-breakpoint
ALTER TABLE `conversations` ADD `handoff_id` text;--> statement-breakpoint
CREATE INDEX `conversations_state_updated_idx` ON `conversations` (`state`,`updated_at`);--> statement-breakpoint
ALTER TABLE `messages` ADD `author_id` text REFERENCES users(id) ON DELETE set null;--> statement-breakpoint
ALTER TABLE `messages` ADD `author_name` text;--> statement-breakpoint
ALTER TABLE `messages` ADD `author_role` text;--> statement-breakpoint
ALTER TABLE `messages` ADD `notice` text;