-- +goose Up
-- Connection requests (D47-35). service_id is a plain column, not a foreign
-- key: the catalog is another feature's schema and its migration order must
-- not matter. The identifiers and names of D47-35.2 are copied at submission
-- so the request stays readable as it was sent.
CREATE TABLE connection_requests (
    id {{ID}},
    state TEXT NOT NULL CHECK (state IN ('submitted', 'approved', 'refused', 'withdrawn')),
    -- D47-35.2a requester (consumer) organisation.
    consumer_org_id {{BIGINT}} NOT NULL REFERENCES organisations (id),
    consumer_org_code TEXT NOT NULL,
    consumer_org_name TEXT NOT NULL,
    -- D47-35.2b requesting application.
    application_code TEXT NOT NULL DEFAULT '',
    application_name TEXT NOT NULL,
    -- D47-35.2c purpose and use of the data.
    purpose TEXT NOT NULL,
    -- D47-35.2d requested data items: JSON array of {"key","label"}.
    items TEXT NOT NULL,
    -- D47-35.2đ service.
    service_id {{BIGINT}} NOT NULL,
    service_identifier TEXT NOT NULL,
    service_name TEXT NOT NULL,
    provider_org_id {{BIGINT}} NOT NULL REFERENCES organisations (id),
    -- D47-35.2e expected call frequency.
    expected_calls_per_day INTEGER NOT NULL,
    frequency_note TEXT NOT NULL DEFAULT '',
    -- D47-35.2g other information.
    other_info TEXT NOT NULL DEFAULT '',
    -- D47-35.3/D194-40.3: the deadline in force on the day of receipt.
    received_at {{TS}} NOT NULL,
    due_on TEXT NOT NULL,
    rule_id TEXT NOT NULL,
    rule_version TEXT NOT NULL,
    rule_value INTEGER NOT NULL,
    rule_unit TEXT NOT NULL,
    created_by {{BIGINT}},
    decided_at {{TS}},
    decided_by {{BIGINT}},
    on_time BOOLEAN,
    -- D47-51.1a, D194-16.2: a refusal states its reason and legal basis.
    refusal_reason TEXT NOT NULL DEFAULT '',
    refusal_legal_basis TEXT NOT NULL DEFAULT '',
    withdrawn_at {{TS}},
    withdrawn_by {{BIGINT}},
    account_id {{BIGINT}},
    last_reminded_on TEXT NOT NULL DEFAULT '',
    search_text TEXT NOT NULL DEFAULT ''
);
CREATE INDEX connection_requests_consumer ON connection_requests (consumer_org_id);
CREATE INDEX connection_requests_provider ON connection_requests (provider_org_id);
CREATE INDEX connection_requests_pending ON connection_requests (state, due_on);

-- Connection accounts (D47-40): one per approved request, or one per
-- consumer of a special-request agreement in force (D47-36, agreement_id;
-- the agreements are another feature's, so it is a plain column).
CREATE TABLE connection_accounts (
    id {{ID}},
    request_id {{BIGINT}} UNIQUE REFERENCES connection_requests (id),
    agreement_id {{BIGINT}},
    agreement_version INTEGER,
    consumer_org_id {{BIGINT}} NOT NULL REFERENCES organisations (id),
    application_code TEXT NOT NULL DEFAULT '',
    application_name TEXT NOT NULL,
    -- the purpose stated in the request (D47-35.2c) or the agreement.
    purpose TEXT NOT NULL DEFAULT '',
    service_id {{BIGINT}} NOT NULL,
    service_identifier TEXT NOT NULL,
    service_name TEXT NOT NULL,
    provider_org_id {{BIGINT}} NOT NULL REFERENCES organisations (id),
    -- approved data items (a subset of the requested ones): JSON array of {"key","label"}.
    items TEXT NOT NULL,
    valid_from {{TS}} NOT NULL,
    -- exclusive: the account works while valid_from <= now < valid_to.
    valid_to {{TS}} NOT NULL,
    rate_per_minute INTEGER NOT NULL,
    rate_per_day INTEGER NOT NULL DEFAULT 0,
    -- SHA-256 hex of the API key; the key itself is never stored.
    key_hash TEXT NOT NULL UNIQUE,
    key_prefix TEXT NOT NULL,
    cert_fingerprint TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL CHECK (status IN ('active', 'revoked', 'terminated')),
    status_reason TEXT NOT NULL DEFAULT '',
    created_at {{TS}} NOT NULL,
    updated_at {{TS}} NOT NULL,
    rotated_at {{TS}},
    revoked_at {{TS}},
    revoked_by {{BIGINT}}
);
CREATE INDEX connection_accounts_consumer ON connection_accounts (consumer_org_id);
CREATE INDEX connection_accounts_provider ON connection_accounts (provider_org_id);
-- One account per consumer and agreement, so granting it again is idempotent.
CREATE UNIQUE INDEX connection_accounts_agreement ON connection_accounts (agreement_id, consumer_org_id);

-- In-app inbox. A notification goes to an organisation (every user of it
-- sees it) or to one user of that organisation.
CREATE TABLE notifications (
    id {{ID}},
    recipient_org_id {{BIGINT}} NOT NULL REFERENCES organisations (id),
    recipient_user_id {{BIGINT}},
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL DEFAULT '',
    title_en TEXT NOT NULL DEFAULT '',
    body_en TEXT NOT NULL DEFAULT '',
    link TEXT NOT NULL DEFAULT '',
    request_id {{BIGINT}},
    created_at {{TS}} NOT NULL,
    read_at {{TS}}
);
CREATE INDEX notifications_org ON notifications (recipient_org_id, read_at);
CREATE INDEX notifications_user ON notifications (recipient_user_id, read_at);

-- E-mail outbox, written in the transaction of the change it reports, so a
-- message is never lost; a sender marks rows sent.
CREATE TABLE mail_outbox (
    id {{ID}},
    notification_id {{BIGINT}},
    to_addr TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at {{TS}} NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at {{TS}} NOT NULL,
    sent_at {{TS}},
    last_error TEXT NOT NULL DEFAULT ''
);
CREATE INDEX mail_outbox_due ON mail_outbox (sent_at, next_attempt_at);

-- +goose Down
DROP TABLE mail_outbox;
DROP TABLE notifications;
DROP TABLE connection_accounts;
DROP TABLE connection_requests;
