-- +goose Up
CREATE TABLE things (
    id {{ID}},
    name TEXT NOT NULL UNIQUE,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at {{TS}} NOT NULL,
    digest {{BLOB}}
);
-- +goose Down
DROP TABLE things;
