-- +goose Up
-- Change feeds of synchronised sharing (D47-23.1b), one per sync service.
-- service_id is a plain column: the catalog is another feature's schema.
CREATE TABLE sync_feeds (
    service_id {{BIGINT}} PRIMARY KEY,
    -- the data item that keys the records (e.g. the household's code).
    key_item TEXT NOT NULL,
    -- pseudonymises keys for consumers not approved for key_item (D47-35.2d).
    secret TEXT NOT NULL,
    -- last sequence number given: every change takes the next one.
    head {{BIGINT}} NOT NULL DEFAULT 0,
    live_rows {{BIGINT}} NOT NULL DEFAULT 0,
    deleted_rows {{BIGINT}} NOT NULL DEFAULT 0,
    last_push_at {{TS}},
    last_push_by TEXT NOT NULL DEFAULT '',
    last_push_kind TEXT NOT NULL DEFAULT '',
    created_at {{TS}} NOT NULL,
    updated_at {{TS}} NOT NULL
);

-- The current state of each record, at the sequence number of its last
-- change; a deletion keeps a tombstone so consumers following the feed
-- learn of it.
CREATE TABLE sync_records (
    service_id {{BIGINT}} NOT NULL,
    record_key TEXT NOT NULL,
    seq {{BIGINT}} NOT NULL,
    deleted BOOLEAN NOT NULL DEFAULT FALSE,
    -- canonical JSON object (sorted keys); '{}' for tombstones.
    data TEXT NOT NULL,
    changed_at {{TS}} NOT NULL,
    PRIMARY KEY (service_id, record_key)
);
CREATE UNIQUE INDEX sync_records_seq ON sync_records (service_id, seq);

-- Rows of a snapshot upload being checked in, applied at once by one
-- statement so nothing is half-published.
CREATE TABLE sync_staging (
    batch TEXT NOT NULL,
    record_key TEXT NOT NULL,
    data TEXT NOT NULL,
    created_at {{TS}} NOT NULL,
    PRIMARY KEY (batch, record_key)
);

-- Each consumer account's synchronisation (D47-41.2b): where its copy is
-- and until when it is valid.
CREATE TABLE sync_status (
    account_id {{BIGINT}} PRIMARY KEY,
    service_id {{BIGINT}} NOT NULL,
    consumer_org_id {{BIGINT}} NOT NULL,
    -- cursor given with the last batch, and the highest ever given.
    last_cursor {{BIGINT}} NOT NULL DEFAULT 0,
    max_cursor {{BIGINT}} NOT NULL DEFAULT 0,
    pulls {{BIGINT}} NOT NULL DEFAULT 0,
    last_pull_at {{TS}},
    -- last time a pull reached the head of the feed.
    last_synced_at {{TS}},
    valid_until {{TS}},
    updated_at {{TS}} NOT NULL
);
CREATE INDEX sync_status_service ON sync_status (service_id);

-- Data packages (D47-23.1c) with their manifest; usable until valid_until
-- (D47-41.2c). status 'building' while the file's chunks are written.
CREATE TABLE sync_packages (
    id {{ID}},
    service_id {{BIGINT}} NOT NULL,
    service_identifier TEXT NOT NULL,
    -- the manifest's names, copied at build time so it stays as published.
    service_name TEXT NOT NULL,
    provider_name TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('building', 'ready')),
    name TEXT NOT NULL,
    source TEXT NOT NULL,
    file_format TEXT NOT NULL,
    -- JSON array of the item keys the file holds.
    items TEXT NOT NULL,
    row_count {{BIGINT}} NOT NULL,
    size_bytes {{BIGINT}} NOT NULL,
    sha256 TEXT NOT NULL,
    created_at {{TS}} NOT NULL,
    valid_until {{TS}} NOT NULL,
    created_by_name TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sync_packages_service ON sync_packages (service_id, created_at);

-- The package file, in chunks, so every node serves it from the database.
CREATE TABLE sync_package_chunks (
    package_id {{BIGINT}} NOT NULL REFERENCES sync_packages (id) ON DELETE CASCADE,
    n INTEGER NOT NULL,
    data {{BLOB}} NOT NULL,
    PRIMARY KEY (package_id, n)
);

-- +goose Down
DROP TABLE sync_package_chunks;
DROP TABLE sync_packages;
DROP TABLE sync_status;
DROP TABLE sync_staging;
DROP TABLE sync_records;
DROP TABLE sync_feeds;
