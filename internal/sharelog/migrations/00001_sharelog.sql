-- +goose Up
-- D47-45: the sharing log. Append-only: the code never updates a row, only
-- Purge deletes a verified prefix of a chain. No foreign keys to catalog or
-- directory tables on purpose: ids and names are copied values, so the log
-- survives renamed or removed organisations and services.
CREATE TABLE sharelog_entries (
    id {{ID}},
    node TEXT NOT NULL,
    seq {{BIGINT}} NOT NULL,
    requested_at {{TS}} NOT NULL,
    responded_at {{TS}} NOT NULL,
    -- requested_at as Unix microseconds: the index key for time order and
    -- ranges. SQLite stores {{TS}} as ~32 bytes of text; integer keys keep
    -- the four time-ordered indexes small, which roughly halves the cost of
    -- an append (measured with BenchmarkAppend).
    requested_us {{BIGINT}} NOT NULL,
    form TEXT NOT NULL,
    requester_org_id {{BIGINT}} NOT NULL,
    requester_app_id {{BIGINT}} NOT NULL,
    requester_app TEXT NOT NULL,
    account_id {{BIGINT}} NOT NULL,
    provider_org_id {{BIGINT}} NOT NULL,
    service_id {{BIGINT}} NOT NULL,
    service_code TEXT NOT NULL,
    method TEXT NOT NULL,
    path TEXT NOT NULL,
    query TEXT NOT NULL,
    request_digest {{BLOB}} NOT NULL,
    request_bytes {{BIGINT}} NOT NULL,
    request_body {{BLOB}},
    status INTEGER NOT NULL,
    refusal_code TEXT NOT NULL,
    response_digest {{BLOB}} NOT NULL,
    response_bytes {{BIGINT}} NOT NULL,
    response_body {{BLOB}},
    latency_us {{BIGINT}} NOT NULL,
    content_kept BOOLEAN NOT NULL,
    correlation_id TEXT NOT NULL,
    forwarded_from TEXT NOT NULL,
    forwarded_to TEXT NOT NULL,
    hash {{BLOB}} NOT NULL
);
-- One hash chain per gateway node: (node, seq) is the chain position.
CREATE UNIQUE INDEX sharelog_entries_chain ON sharelog_entries (node, seq);
-- Queries list newest first by (requested_us, id), optionally scoped.
CREATE INDEX sharelog_entries_time ON sharelog_entries (requested_us, id);
CREATE INDEX sharelog_entries_requester ON sharelog_entries (requester_org_id, requested_us, id);
CREATE INDEX sharelog_entries_provider ON sharelog_entries (provider_org_id, requested_us, id);
CREATE INDEX sharelog_entries_service ON sharelog_entries (service_id, requested_us, id);

-- Signed statements "entry seq of chain node has hash H". kind 'checkpoint'
-- is written by the Writer; kind 'anchor' by Purge, and is the only kind a
-- chain may start from after its prefix was deleted.
CREATE TABLE sharelog_checkpoints (
    id {{ID}},
    node TEXT NOT NULL,
    seq {{BIGINT}} NOT NULL,
    kind TEXT NOT NULL,
    hash {{BLOB}} NOT NULL,
    created_at {{TS}} NOT NULL,
    public_key {{BLOB}} NOT NULL,
    signature {{BLOB}} NOT NULL
);
CREATE UNIQUE INDEX sharelog_checkpoints_chain ON sharelog_checkpoints (node, seq, kind);

-- +goose Down
DROP TABLE sharelog_checkpoints;
DROP TABLE sharelog_entries;
