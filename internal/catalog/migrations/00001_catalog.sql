-- +goose Up
-- Counter bumped by every catalog change, so each node's in-memory search
-- index can notice changes made by other nodes with one cheap read.
CREATE TABLE catalog_meta (
    key TEXT PRIMARY KEY,
    value {{BIGINT}} NOT NULL
);
INSERT INTO catalog_meta (key, value) VALUES ('version', 0);

-- Shared code lists (D47-3.7, D47-9.2) with immutable versions.
CREATE TABLE catalog_codelists (
    id {{ID}},
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    owner_org_id {{BIGINT}} NOT NULL REFERENCES organisations (id),
    current_version INTEGER NOT NULL DEFAULT 0,
    search_text TEXT NOT NULL DEFAULT '',
    created_at {{TS}} NOT NULL,
    updated_at {{TS}} NOT NULL
);

CREATE TABLE catalog_codelist_versions (
    id {{ID}},
    codelist_id {{BIGINT}} NOT NULL REFERENCES catalog_codelists (id),
    version INTEGER NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    entry_count INTEGER NOT NULL DEFAULT 0,
    created_at {{TS}} NOT NULL,
    created_by {{BIGINT}},
    created_by_name TEXT NOT NULL DEFAULT '',
    UNIQUE (codelist_id, version)
);

CREATE TABLE catalog_codelist_entries (
    id {{ID}},
    version_id {{BIGINT}} NOT NULL REFERENCES catalog_codelist_versions (id),
    position INTEGER NOT NULL,
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    parent_code TEXT NOT NULL DEFAULT '',
    valid_from TEXT NOT NULL DEFAULT '',
    valid_to TEXT NOT NULL DEFAULT '',
    UNIQUE (version_id, code)
);

-- Databases (D47-11).
CREATE TABLE catalog_databases (
    id {{ID}},
    owner_org_id {{BIGINT}} NOT NULL REFERENCES organisations (id),
    name TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('national', 'shared', 'other')),
    purpose TEXT NOT NULL DEFAULT '',
    scope TEXT NOT NULL DEFAULT '',
    content TEXT NOT NULL DEFAULT '',
    update_mechanism TEXT NOT NULL DEFAULT '',
    sources TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL CHECK (status IN ('draft', 'published')),
    published_at {{TS}},
    search_text TEXT NOT NULL DEFAULT '',
    created_at {{TS}} NOT NULL,
    updated_at {{TS}} NOT NULL,
    updated_by_name TEXT NOT NULL DEFAULT ''
);
CREATE INDEX catalog_databases_owner ON catalog_databases (owner_org_id);

-- Data dictionary (Decree 278/2025, Decision 2439/QĐ-TTg).
CREATE TABLE catalog_elements (
    id {{ID}},
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    definition TEXT NOT NULL DEFAULT '',
    data_type TEXT NOT NULL,
    format TEXT NOT NULL DEFAULT '',
    codelist_id {{BIGINT}} REFERENCES catalog_codelists (id),
    master_source TEXT NOT NULL DEFAULT '',
    source_database_id {{BIGINT}} REFERENCES catalog_databases (id),
    owner_org_id {{BIGINT}} NOT NULL REFERENCES organisations (id),
    search_text TEXT NOT NULL DEFAULT '',
    created_at {{TS}} NOT NULL,
    updated_at {{TS}} NOT NULL
);

CREATE TABLE catalog_database_items (
    id {{ID}},
    database_id {{BIGINT}} NOT NULL REFERENCES catalog_databases (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    key TEXT NOT NULL,
    name TEXT NOT NULL,
    classification TEXT NOT NULL CHECK (classification IN ('open', 'default', 'special')),
    consumer_categories TEXT NOT NULL DEFAULT '',
    element_id {{BIGINT}} REFERENCES catalog_elements (id),
    description TEXT NOT NULL DEFAULT '',
    search_text TEXT NOT NULL DEFAULT '',
    UNIQUE (database_id, key)
);
CREATE INDEX catalog_database_items_element ON catalog_database_items (element_id);

-- National database list change proposals (D47-12) and their history.
CREATE TABLE catalog_proposals (
    id {{ID}},
    owner_org_id {{BIGINT}} NOT NULL REFERENCES organisations (id),
    action TEXT NOT NULL CHECK (action IN ('add', 'change', 'remove')),
    database_id {{BIGINT}} REFERENCES catalog_databases (id),
    name TEXT NOT NULL,
    objective TEXT NOT NULL DEFAULT '',
    data_scope TEXT NOT NULL DEFAULT '',
    master_data TEXT NOT NULL DEFAULT '',
    users_purposes TEXT NOT NULL DEFAULT '',
    sources TEXT NOT NULL DEFAULT '',
    sharing_methods TEXT NOT NULL DEFAULT '',
    justification TEXT NOT NULL DEFAULT '',
    state TEXT NOT NULL CHECK (state IN ('draft', 'submitted', 'approved', 'rejected')),
    created_at {{TS}} NOT NULL,
    updated_at {{TS}} NOT NULL
);

CREATE TABLE catalog_proposal_events (
    id {{ID}},
    proposal_id {{BIGINT}} NOT NULL REFERENCES catalog_proposals (id),
    from_state TEXT NOT NULL DEFAULT '',
    to_state TEXT NOT NULL,
    at {{TS}} NOT NULL,
    user_id {{BIGINT}},
    user_name TEXT NOT NULL DEFAULT '',
    note TEXT NOT NULL DEFAULT ''
);
CREATE INDEX catalog_proposal_events_proposal ON catalog_proposal_events (proposal_id);

-- Usage regulations (D47-22).
CREATE TABLE catalog_regulations (
    id {{ID}},
    owner_org_id {{BIGINT}} NOT NULL REFERENCES organisations (id),
    title TEXT NOT NULL,
    database_id {{BIGINT}} REFERENCES catalog_databases (id),
    topic TEXT NOT NULL DEFAULT '',
    document_ref TEXT NOT NULL DEFAULT '',
    who_may_access TEXT NOT NULL DEFAULT '',
    auth_required BOOLEAN NOT NULL DEFAULT TRUE,
    validity_seconds {{BIGINT}} NOT NULL DEFAULT 0,
    log_retention_days INTEGER NOT NULL DEFAULT 0,
    log_request_body BOOLEAN NOT NULL DEFAULT FALSE,
    log_response_content BOOLEAN NOT NULL DEFAULT FALSE,
    storage_rules TEXT NOT NULL DEFAULT '',
    other_terms TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL CHECK (status IN ('draft', 'published')),
    published_at {{TS}},
    created_at {{TS}} NOT NULL,
    updated_at {{TS}} NOT NULL
);

-- Sharing services (D47-23, D47-24, D47-25).
CREATE TABLE catalog_services (
    id {{ID}},
    identifier TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    provider_org_id {{BIGINT}} NOT NULL REFERENCES organisations (id),
    description TEXT NOT NULL DEFAULT '',
    documentation TEXT NOT NULL DEFAULT '',
    schema_json TEXT NOT NULL DEFAULT '',
    form TEXT NOT NULL CHECK (form IN ('default', 'special')),
    method TEXT NOT NULL CHECK (method IN ('online', 'sync', 'package')),
    capacity_per_second INTEGER NOT NULL DEFAULT 0,
    capacity_per_day INTEGER NOT NULL DEFAULT 0,
    upstream_url TEXT NOT NULL DEFAULT '',
    open BOOLEAN NOT NULL DEFAULT FALSE,
    regulation_id {{BIGINT}} REFERENCES catalog_regulations (id),
    status TEXT NOT NULL CHECK (status IN ('draft', 'ready', 'published', 'retired')),
    ready_at {{TS}},
    publication_due TEXT NOT NULL DEFAULT '',
    published_at {{TS}},
    publication_late BOOLEAN NOT NULL DEFAULT FALSE,
    retired_at {{TS}},
    version INTEGER NOT NULL DEFAULT 1,
    created_at {{TS}} NOT NULL,
    updated_at {{TS}} NOT NULL,
    updated_by_name TEXT NOT NULL DEFAULT ''
);
CREATE INDEX catalog_services_provider ON catalog_services (provider_org_id);

CREATE TABLE catalog_service_databases (
    service_id {{BIGINT}} NOT NULL REFERENCES catalog_services (id) ON DELETE CASCADE,
    database_id {{BIGINT}} NOT NULL REFERENCES catalog_databases (id),
    PRIMARY KEY (service_id, database_id)
);
CREATE INDEX catalog_service_databases_db ON catalog_service_databases (database_id);

CREATE TABLE catalog_service_items (
    id {{ID}},
    service_id {{BIGINT}} NOT NULL REFERENCES catalog_services (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    key TEXT NOT NULL,
    label TEXT NOT NULL,
    element_id {{BIGINT}} REFERENCES catalog_elements (id),
    UNIQUE (service_id, key)
);
CREATE INDEX catalog_service_items_element ON catalog_service_items (element_id);

-- D47-25.2: every change of a service description is kept as a version.
CREATE TABLE catalog_service_versions (
    id {{ID}},
    service_id {{BIGINT}} NOT NULL REFERENCES catalog_services (id) ON DELETE CASCADE,
    version INTEGER NOT NULL,
    action TEXT NOT NULL,
    snapshot TEXT NOT NULL,
    changed_at {{TS}} NOT NULL,
    changed_by {{BIGINT}},
    changed_by_name TEXT NOT NULL DEFAULT '',
    UNIQUE (service_id, version)
);

-- D47-34.2: reviews of each provider's default-shared list.
CREATE TABLE catalog_reviews (
    id {{ID}},
    org_id {{BIGINT}} NOT NULL REFERENCES organisations (id),
    reviewed_at {{TS}} NOT NULL,
    reviewed_by {{BIGINT}},
    reviewed_by_name TEXT NOT NULL DEFAULT '',
    note TEXT NOT NULL DEFAULT ''
);
CREATE INDEX catalog_reviews_org ON catalog_reviews (org_id, reviewed_at);

-- Upstream hosts a platform administrator allowed despite the link-local /
-- metadata-address guard (e.g. an appliance on a link-local segment).
CREATE TABLE catalog_upstream_hosts (
    host TEXT PRIMARY KEY,
    note TEXT NOT NULL DEFAULT '',
    created_at {{TS}} NOT NULL,
    created_by_name TEXT NOT NULL DEFAULT ''
);

-- +goose Down
DROP TABLE catalog_upstream_hosts;
DROP TABLE catalog_reviews;
DROP TABLE catalog_service_versions;
DROP TABLE catalog_service_items;
DROP TABLE catalog_service_databases;
DROP TABLE catalog_services;
DROP TABLE catalog_regulations;
DROP TABLE catalog_proposal_events;
DROP TABLE catalog_proposals;
DROP TABLE catalog_database_items;
DROP TABLE catalog_elements;
DROP TABLE catalog_databases;
DROP TABLE catalog_codelist_entries;
DROP TABLE catalog_codelist_versions;
DROP TABLE catalog_codelists;
DROP TABLE catalog_meta;
