-- +goose Up
-- Deletions up to this sequence number may have been purged (their
-- tombstones removed after the retention): a consumer whose cursor is
-- below it starts again from a snapshot.
ALTER TABLE sync_feeds ADD COLUMN purged_seq {{BIGINT}} NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE sync_feeds DROP COLUMN purged_seq;
