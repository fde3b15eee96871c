-- Full-text index over the FAQ knowledge base (drizzle-kit does not generate virtual tables or triggers).
--
-- External content: the text lives once, in `faqs`; FTS5 keeps only its index and reads columns back from
-- `faqs` by rowid. `faqs` has a text primary key, so it is still a rowid table and its implicit integer
-- `rowid` is the link (content_rowid). Keep `faqs` a rowid table, and never VACUUM-renumber it without a
-- rebuild: after anything that may change rowids (an import, a VACUUM) run
--   INSERT INTO faqs_fts(faqs_fts) VALUES ('rebuild');
-- Porter stemming lets "refunds" find "refund"; unicode61 folds case and diacritics.
CREATE VIRTUAL TABLE `faqs_fts` USING fts5(
	question,
	answer,
	tags,
	content = 'faqs',
	content_rowid = 'rowid',
	tokenize = 'porter unicode61'
);
--> statement-breakpoint
-- The triggers keep the index in step with every write. An external-content index must be told the exact
-- old values to remove them ('delete' command with old.*), or its statistics drift and ghosts match.
CREATE TRIGGER `faqs_fts_after_insert` AFTER INSERT ON `faqs` BEGIN
	INSERT INTO faqs_fts (rowid, question, answer, tags) VALUES (new.rowid, new.question, new.answer, new.tags);
END;
--> statement-breakpoint
CREATE TRIGGER `faqs_fts_after_delete` AFTER DELETE ON `faqs` BEGIN
	INSERT INTO faqs_fts (faqs_fts, rowid, question, answer, tags) VALUES ('delete', old.rowid, old.question, old.answer, old.tags);
END;
--> statement-breakpoint
-- Only when indexed text changes: hit-count increments and publishing do not touch the index.
CREATE TRIGGER `faqs_fts_after_update` AFTER UPDATE OF question, answer, tags ON `faqs` BEGIN
	INSERT INTO faqs_fts (faqs_fts, rowid, question, answer, tags) VALUES ('delete', old.rowid, old.question, old.answer, old.tags);
	INSERT INTO faqs_fts (rowid, question, answer, tags) VALUES (new.rowid, new.question, new.answer, new.tags);
END;
--> statement-breakpoint
-- Index any rows written before this migration.
INSERT INTO faqs_fts (faqs_fts) VALUES ('rebuild');
