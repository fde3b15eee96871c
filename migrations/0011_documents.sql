CREATE TABLE `document_chunks` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`document_id` text NOT NULL,
	`position` integer NOT NULL,
	`section` text,
	`content` text NOT NULL,
	FOREIGN KEY (`document_id`) REFERENCES `documents`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `document_chunks_document_idx` ON `document_chunks` (`document_id`,`position`);--> statement-breakpoint
CREATE TABLE `documents` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`object_key` text NOT NULL,
	`kind` text NOT NULL,
	`content_type` text NOT NULL,
	`size_bytes` integer NOT NULL,
	`status` text DEFAULT 'pending' NOT NULL,
	`failure_reason` text,
	`published` integer DEFAULT false NOT NULL,
	`version` integer DEFAULT 1 NOT NULL,
	`chunk_count` integer DEFAULT 0 NOT NULL,
	`page_count` integer,
	`cited_count` integer DEFAULT 0 NOT NULL,
	`uploaded_by` text,
	`processed_at` integer,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`updated_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`uploaded_by`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
CREATE UNIQUE INDEX `documents_object_key_unique` ON `documents` (`object_key`);--> statement-breakpoint
CREATE INDEX `documents_created_idx` ON `documents` (`created_at`);
--> statement-breakpoint
-- Full-text index over document chunks, beside the FAQ's (hand-written: drizzle-kit does not generate
-- virtual tables or triggers). External content, linked by the chunks' integer primary key; the
-- triggers keep it in step, so deleting a document (its chunks cascade) removes its index rows too.
CREATE VIRTUAL TABLE `document_chunks_fts` USING fts5(
	section,
	content,
	content = 'document_chunks',
	content_rowid = 'id',
	tokenize = 'porter unicode61'
);
--> statement-breakpoint
CREATE TRIGGER `document_chunks_fts_after_insert` AFTER INSERT ON `document_chunks` BEGIN
	INSERT INTO document_chunks_fts (rowid, section, content) VALUES (new.id, new.section, new.content);
END;
--> statement-breakpoint
CREATE TRIGGER `document_chunks_fts_after_delete` AFTER DELETE ON `document_chunks` BEGIN
	INSERT INTO document_chunks_fts (document_chunks_fts, rowid, section, content) VALUES ('delete', old.id, old.section, old.content);
END;
--> statement-breakpoint
CREATE TRIGGER `document_chunks_fts_after_update` AFTER UPDATE OF section, content ON `document_chunks` BEGIN
	INSERT INTO document_chunks_fts (document_chunks_fts, rowid, section, content) VALUES ('delete', old.id, old.section, old.content);
	INSERT INTO document_chunks_fts (rowid, section, content) VALUES (new.id, new.section, new.content);
END;
