-- +goose Up
CREATE TABLE users (
    id {{ID}},
    org_id {{BIGINT}} NOT NULL REFERENCES organisations (id),
    username TEXT NOT NULL UNIQUE,
    full_name TEXT NOT NULL,
    email TEXT NOT NULL DEFAULT '',
    phone TEXT NOT NULL DEFAULT '',
    password_hash TEXT NOT NULL,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    lang TEXT NOT NULL DEFAULT 'vi',
    created_at {{TS}} NOT NULL,
    updated_at {{TS}} NOT NULL,
    last_login_at {{TS}}
);
CREATE INDEX users_org ON users (org_id);

-- A role granted on an organisation subtree.
CREATE TABLE role_grants (
    id {{ID}},
    user_id {{BIGINT}} NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role TEXT NOT NULL,
    org_id {{BIGINT}} NOT NULL REFERENCES organisations (id),
    granted_by {{BIGINT}},
    created_at {{TS}} NOT NULL,
    UNIQUE (user_id, role, org_id)
);

CREATE TABLE sessions (
    id_hash TEXT PRIMARY KEY,
    user_id {{BIGINT}} NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created_at {{TS}} NOT NULL,
    expires_at {{TS}} NOT NULL,
    ip TEXT NOT NULL DEFAULT '',
    user_agent TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE api_tokens (
    id {{ID}},
    user_id {{BIGINT}} NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    prefix TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at {{TS}} NOT NULL,
    expires_at {{TS}},
    last_used_at {{TS}},
    revoked_at {{TS}}
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

-- Failed logins per account and per client address, for throttling that
-- holds across nodes and restarts.
CREATE TABLE login_failures (
    key TEXT PRIMARY KEY,
    failures INTEGER NOT NULL,
    window_start {{TS}} NOT NULL
);

CREATE TABLE audit_events (
    id {{ID}},
    at {{TS}} NOT NULL,
    user_id {{BIGINT}},
    org_id {{BIGINT}},
    action TEXT NOT NULL,
    object TEXT NOT NULL DEFAULT '',
    detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_events_at ON audit_events (at);

-- +goose Down
DROP TABLE audit_events;
DROP TABLE login_failures;
DROP TABLE api_tokens;
DROP TABLE sessions;
DROP TABLE role_grants;
DROP TABLE users;
