-- +goose Up
-- Oversight of sharing (Decree 47 chapters II-III): special-request
-- agreements, suspensions, terminations, obstacles, data-quality reviews and
-- list reviews. Services, accounts and databases live in other features'
-- schemas: their ids are plain columns (names copied), never foreign keys, so
-- the migration order of those features does not matter.

-- D47-36..39: special-request sharing agreements.
CREATE TABLE agreements (
    id {{ID}},
    title TEXT NOT NULL,
    -- D47-36.1: why default sharing cannot serve the need.
    justification TEXT NOT NULL,
    service_id {{BIGINT}} NOT NULL,
    service_identifier TEXT NOT NULL,
    service_name TEXT NOT NULL,
    provider_org_id {{BIGINT}} NOT NULL REFERENCES organisations (id),
    state TEXT NOT NULL CHECK (state IN ('review', 'draft', 'in_force', 'expired', 'ended')),
    -- number of the version that governs (D47-39); 0 before the first confirmation.
    current_version INTEGER NOT NULL DEFAULT 0,
    -- validity of the governing version (YYYY-MM-DD, inclusive), for expiry.
    valid_from TEXT NOT NULL DEFAULT '',
    valid_to TEXT NOT NULL DEFAULT '',
    in_force_at {{TS}},
    ended_at {{TS}},
    end_reason TEXT NOT NULL DEFAULT '',
    created_by {{BIGINT}},
    created_at {{TS}} NOT NULL,
    updated_at {{TS}} NOT NULL,
    search_text TEXT NOT NULL DEFAULT ''
);
CREATE INDEX agreements_service ON agreements (service_id);
CREATE INDEX agreements_state ON agreements (state, valid_to);

CREATE TABLE agreement_parties (
    agreement_id {{BIGINT}} NOT NULL REFERENCES agreements (id),
    org_id {{BIGINT}} NOT NULL REFERENCES organisations (id),
    role TEXT NOT NULL CHECK (role IN ('provider', 'consumer')),
    joined_at {{TS}} NOT NULL,
    PRIMARY KEY (agreement_id, org_id)
);
CREATE INDEX agreement_parties_org ON agreement_parties (org_id);

-- D47-38 items 2-12 per version; item 1 (the parties) is the parties
-- snapshot taken when the version is confirmed.
CREATE TABLE agreement_versions (
    id {{ID}},
    agreement_id {{BIGINT}} NOT NULL REFERENCES agreements (id),
    number INTEGER NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('draft', 'confirmed', 'superseded', 'withdrawn')),
    parties TEXT NOT NULL DEFAULT '[]',
    data_items TEXT NOT NULL DEFAULT '[]',
    data_description TEXT NOT NULL DEFAULT '',
    place TEXT NOT NULL DEFAULT '',
    valid_from TEXT NOT NULL DEFAULT '',
    valid_to TEXT NOT NULL DEFAULT '',
    duration_note TEXT NOT NULL DEFAULT '',
    method TEXT NOT NULL DEFAULT '',
    method_note TEXT NOT NULL DEFAULT '',
    processing TEXT NOT NULL DEFAULT '',
    conditions TEXT NOT NULL DEFAULT '',
    data_protection TEXT NOT NULL DEFAULT '',
    security TEXT NOT NULL DEFAULT '',
    storage TEXT NOT NULL DEFAULT '',
    deletion TEXT NOT NULL DEFAULT '',
    other TEXT NOT NULL DEFAULT '',
    change_note TEXT NOT NULL DEFAULT '',
    created_by {{BIGINT}},
    created_by_name TEXT NOT NULL DEFAULT '',
    created_at {{TS}} NOT NULL,
    updated_by_name TEXT NOT NULL DEFAULT '',
    updated_at {{TS}} NOT NULL,
    confirmed_at {{TS}},
    UNIQUE (agreement_id, number)
);

-- D47-37 step 3: each party confirms (signs) a version.
CREATE TABLE agreement_confirmations (
    version_id {{BIGINT}} NOT NULL REFERENCES agreement_versions (id),
    org_id {{BIGINT}} NOT NULL REFERENCES organisations (id),
    user_id {{BIGINT}},
    user_name TEXT NOT NULL,
    confirmed_at {{TS}} NOT NULL,
    pdf_name TEXT NOT NULL DEFAULT '',
    pdf_sha256 TEXT NOT NULL DEFAULT '',
    pdf {{BLOB}},
    PRIMARY KEY (version_id, org_id)
);

CREATE TABLE agreement_comments (
    id {{ID}},
    agreement_id {{BIGINT}} NOT NULL REFERENCES agreements (id),
    version_number INTEGER NOT NULL DEFAULT 0,
    org_id {{BIGINT}} NOT NULL REFERENCES organisations (id),
    user_id {{BIGINT}},
    user_name TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at {{TS}} NOT NULL
);
CREATE INDEX agreement_comments_agreement ON agreement_comments (agreement_id);

-- D47-36.4: requests of other agencies to join an agreement in force.
CREATE TABLE agreement_joins (
    id {{ID}},
    agreement_id {{BIGINT}} NOT NULL REFERENCES agreements (id),
    org_id {{BIGINT}} NOT NULL REFERENCES organisations (id),
    purpose TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'accepted', 'refused')),
    requested_by {{BIGINT}},
    requested_by_name TEXT NOT NULL DEFAULT '',
    requested_at {{TS}} NOT NULL,
    decided_by_name TEXT NOT NULL DEFAULT '',
    decided_at {{TS}},
    note TEXT NOT NULL DEFAULT ''
);
CREATE INDEX agreement_joins_agreement ON agreement_joins (agreement_id);

-- Connection accounts granted by an agreement (one per consumer party),
-- created by the sharing feature after the commit; account_id is set once done.
CREATE TABLE agreement_accounts (
    agreement_id {{BIGINT}} NOT NULL REFERENCES agreements (id),
    org_id {{BIGINT}} NOT NULL REFERENCES organisations (id),
    account_id {{BIGINT}},
    created_at {{TS}} NOT NULL,
    PRIMARY KEY (agreement_id, org_id)
);

-- D47-43: suspensions. consumer_org_id NULL = every consumer (43.1);
-- otherwise one consumer (43.2), one row per consumer.
CREATE TABLE suspensions (
    id {{ID}},
    service_id {{BIGINT}} NOT NULL,
    service_identifier TEXT NOT NULL,
    service_name TEXT NOT NULL,
    provider_org_id {{BIGINT}} NOT NULL REFERENCES organisations (id),
    consumer_org_id {{BIGINT}} REFERENCES organisations (id),
    kind TEXT NOT NULL CHECK (kind IN ('maintenance', 'force_majeure', 'violation', 'security')),
    reason TEXT NOT NULL,
    handling TEXT NOT NULL DEFAULT '',
    restore_requirements TEXT NOT NULL DEFAULT '',
    start_at {{TS}} NOT NULL,
    restore_at {{TS}},
    discovered_at {{TS}},
    -- the notice rule applied (D47-43.1a or D47-43.5) as in force that day.
    rule_id TEXT NOT NULL DEFAULT '',
    rule_value INTEGER NOT NULL DEFAULT 0,
    notice_due_on TEXT NOT NULL DEFAULT '',
    notice_sent_at {{TS}},
    notice_on_time BOOLEAN,
    lifted_at {{TS}},
    lift_note TEXT NOT NULL DEFAULT '',
    cancelled_at {{TS}},
    created_by {{BIGINT}},
    created_by_name TEXT NOT NULL DEFAULT '',
    created_at {{TS}} NOT NULL,
    updated_at {{TS}} NOT NULL
);
CREATE INDEX suspensions_service ON suspensions (service_id);
CREATE INDEX suspensions_open ON suspensions (lifted_at, cancelled_at, restore_at);

CREATE TABLE suspension_events (
    id {{ID}},
    suspension_id {{BIGINT}} NOT NULL REFERENCES suspensions (id),
    at {{TS}} NOT NULL,
    kind TEXT NOT NULL,
    user_name TEXT NOT NULL DEFAULT '',
    note TEXT NOT NULL DEFAULT ''
);
CREATE INDEX suspension_events_suspension ON suspension_events (suspension_id);

-- D47-44: terminations; the record stays.
CREATE TABLE terminations (
    id {{ID}},
    service_id {{BIGINT}} NOT NULL,
    service_identifier TEXT NOT NULL,
    service_name TEXT NOT NULL,
    provider_org_id {{BIGINT}} NOT NULL REFERENCES organisations (id),
    consumer_org_id {{BIGINT}} NOT NULL REFERENCES organisations (id),
    agreement_id {{BIGINT}},
    reason TEXT NOT NULL CHECK (reason IN ('purpose_mismatch', 'cannot_restore', 'authority_required', 'no_longer_needed')),
    detail TEXT NOT NULL,
    account_ids TEXT NOT NULL DEFAULT '[]',
    notified_org_ids TEXT NOT NULL DEFAULT '[]',
    accounts_stopped_at {{TS}},
    created_by {{BIGINT}},
    created_by_name TEXT NOT NULL DEFAULT '',
    created_at {{TS}} NOT NULL
);
CREATE INDEX terminations_provider ON terminations (provider_org_id);
CREATE INDEX terminations_consumer ON terminations (consumer_org_id);

-- D47-47..50: obstacles and their escalation.
CREATE TABLE obstacles (
    id {{ID}},
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    category TEXT NOT NULL,
    filer_org_id {{BIGINT}} NOT NULL REFERENCES organisations (id),
    filed_by {{BIGINT}},
    filed_by_name TEXT NOT NULL DEFAULT '',
    provider_org_id {{BIGINT}} NOT NULL REFERENCES organisations (id),
    service_id {{BIGINT}},
    service_name TEXT NOT NULL DEFAULT '',
    agreement_id {{BIGINT}},
    level INTEGER NOT NULL CHECK (level IN (1, 2, 3)),
    state TEXT NOT NULL CHECK (state IN ('open', 'resolved')),
    level_started_at {{TS}} NOT NULL,
    -- last day of the answer period at levels 1 and 2 (D47-49); '' at level 3.
    due_on TEXT NOT NULL DEFAULT '',
    rule_id TEXT NOT NULL DEFAULT '',
    it_unit_org_id {{BIGINT}} REFERENCES organisations (id),
    answer TEXT NOT NULL DEFAULT '',
    answered_at {{TS}},
    answered_by_name TEXT NOT NULL DEFAULT '',
    doc_kind TEXT NOT NULL DEFAULT '',
    doc_reference TEXT NOT NULL DEFAULT '',
    doc_date TEXT NOT NULL DEFAULT '',
    doc_summary TEXT NOT NULL DEFAULT '',
    resolution TEXT NOT NULL DEFAULT '',
    authority TEXT NOT NULL DEFAULT '',
    resolved_at {{TS}},
    resolved_level INTEGER NOT NULL DEFAULT 0,
    resolved_by_name TEXT NOT NULL DEFAULT '',
    compliance_checked_at {{TS}},
    compliant BOOLEAN,
    compliance_note TEXT NOT NULL DEFAULT '',
    created_at {{TS}} NOT NULL,
    updated_at {{TS}} NOT NULL,
    search_text TEXT NOT NULL DEFAULT ''
);
CREATE INDEX obstacles_due ON obstacles (state, level, due_on);
CREATE INDEX obstacles_filer ON obstacles (filer_org_id);
CREATE INDEX obstacles_provider ON obstacles (provider_org_id);

CREATE TABLE obstacle_evidence (
    id {{ID}},
    obstacle_id {{BIGINT}} NOT NULL REFERENCES obstacles (id),
    kind TEXT NOT NULL CHECK (kind IN ('log_entry', 'link', 'file')),
    ref TEXT NOT NULL DEFAULT '',
    note TEXT NOT NULL DEFAULT '',
    file_name TEXT NOT NULL DEFAULT '',
    content_type TEXT NOT NULL DEFAULT '',
    size {{BIGINT}} NOT NULL DEFAULT 0,
    sha256 TEXT NOT NULL DEFAULT '',
    data {{BLOB}},
    added_by_name TEXT NOT NULL DEFAULT '',
    added_at {{TS}} NOT NULL
);
CREATE INDEX obstacle_evidence_obstacle ON obstacle_evidence (obstacle_id);

CREATE TABLE obstacle_events (
    id {{ID}},
    obstacle_id {{BIGINT}} NOT NULL REFERENCES obstacles (id),
    at {{TS}} NOT NULL,
    kind TEXT NOT NULL,
    level INTEGER NOT NULL,
    user_name TEXT NOT NULL DEFAULT '',
    org_id {{BIGINT}},
    auto BOOLEAN NOT NULL DEFAULT FALSE,
    note TEXT NOT NULL DEFAULT ''
);
CREATE INDEX obstacle_events_obstacle ON obstacle_events (obstacle_id);

-- D47-16: annual self-assessment of each database.
CREATE TABLE quality_reviews (
    id {{ID}},
    database_id {{BIGINT}} NOT NULL,
    database_name TEXT NOT NULL,
    owner_org_id {{BIGINT}} NOT NULL REFERENCES organisations (id),
    it_unit_org_id {{BIGINT}} REFERENCES organisations (id),
    year INTEGER NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('draft', 'submitted', 'acknowledged')),
    item_count INTEGER NOT NULL DEFAULT 0,
    inventory TEXT NOT NULL DEFAULT '',
    compliance TEXT NOT NULL DEFAULT '',
    accuracy TEXT NOT NULL DEFAULT '',
    integrity TEXT NOT NULL DEFAULT '',
    anomalies TEXT NOT NULL DEFAULT '',
    records_total {{BIGINT}},
    records_checked {{BIGINT}},
    errors_found {{BIGINT}},
    duplicates {{BIGINT}},
    anomaly_count {{BIGINT}},
    maintenance TEXT NOT NULL DEFAULT '',
    usage TEXT NOT NULL DEFAULT '[]',
    usage_note TEXT NOT NULL DEFAULT '',
    usage_refreshed_at {{TS}},
    other TEXT NOT NULL DEFAULT '',
    proposed_actions TEXT NOT NULL DEFAULT '',
    due_on TEXT NOT NULL,
    rule_id TEXT NOT NULL DEFAULT '',
    submitted_at {{TS}},
    submitted_by_name TEXT NOT NULL DEFAULT '',
    on_time BOOLEAN,
    feedback TEXT NOT NULL DEFAULT '',
    acknowledged_at {{TS}},
    acknowledged_by_name TEXT NOT NULL DEFAULT '',
    created_at {{TS}} NOT NULL,
    updated_at {{TS}} NOT NULL,
    UNIQUE (database_id, year)
);
CREATE INDEX quality_reviews_owner ON quality_reviews (owner_org_id, year);

-- The IT unit's yearly plan for data quality in its ministry or province.
CREATE TABLE quality_plans (
    org_id {{BIGINT}} NOT NULL REFERENCES organisations (id),
    year INTEGER NOT NULL,
    plan TEXT NOT NULL,
    updated_by_name TEXT NOT NULL DEFAULT '',
    updated_at {{TS}} NOT NULL,
    PRIMARY KEY (org_id, year)
);

-- D47-34.2 (default-shared list) and D47-20.3 (open-data list) reviews.
CREATE TABLE list_reviews (
    id {{ID}},
    org_id {{BIGINT}} NOT NULL REFERENCES organisations (id),
    kind TEXT NOT NULL CHECK (kind IN ('default_shared', 'open_data')),
    reviewed_on TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    reviewed_by_name TEXT NOT NULL DEFAULT '',
    created_at {{TS}} NOT NULL
);
CREATE INDEX list_reviews_org ON list_reviews (org_id, kind, reviewed_on);

-- Durable work done after a commit: notifications, account grants and
-- terminations in other features. Written in the transaction of the change
-- (so nothing is lost), run right after the commit, retried by the
-- scheduler; a node claims a task with a conditional UPDATE.
CREATE TABLE oversight_tasks (
    id {{ID}},
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    created_at {{TS}} NOT NULL,
    next_attempt_at {{TS}} NOT NULL,
    claimed_until {{TS}},
    attempts INTEGER NOT NULL DEFAULT 0,
    done_at {{TS}},
    last_error TEXT NOT NULL DEFAULT ''
);
CREATE INDEX oversight_tasks_due ON oversight_tasks (done_at, next_attempt_at);

-- One daily digest per organisation and day, whichever node sends it.
CREATE TABLE digest_runs (
    org_id {{BIGINT}} NOT NULL,
    day TEXT NOT NULL,
    items INTEGER NOT NULL,
    created_at {{TS}} NOT NULL,
    PRIMARY KEY (org_id, day)
);

-- +goose Down
DROP TABLE digest_runs;
DROP TABLE oversight_tasks;
DROP TABLE list_reviews;
DROP TABLE quality_plans;
DROP TABLE quality_reviews;
DROP TABLE obstacle_events;
DROP TABLE obstacle_evidence;
DROP TABLE obstacles;
DROP TABLE terminations;
DROP TABLE suspension_events;
DROP TABLE suspensions;
DROP TABLE agreement_accounts;
DROP TABLE agreement_joins;
DROP TABLE agreement_comments;
DROP TABLE agreement_confirmations;
DROP TABLE agreement_versions;
DROP TABLE agreement_parties;
DROP TABLE agreements;
