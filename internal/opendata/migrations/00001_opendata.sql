-- +goose Up
-- Open data portal. Every change a reader of the search index must see
-- takes the next value of od_counter.rev in the same transaction, so a node
-- can catch up with "rows with rev > the last one I saw".
CREATE TABLE od_counter (
    id INTEGER PRIMARY KEY,
    rev {{BIGINT}} NOT NULL
);
INSERT INTO od_counter (id, rev) VALUES (1, 0);

CREATE TABLE od_datasets (
    id {{ID}},
    uid TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL UNIQUE,
    org_id {{BIGINT}} NOT NULL REFERENCES organisations (id),
    title TEXT NOT NULL,
    notes TEXT NOT NULL DEFAULT '',
    license_id TEXT NOT NULL,
    frequency TEXT NOT NULL DEFAULT 'irregular',
    temporal_from TEXT NOT NULL DEFAULT '',
    temporal_to TEXT NOT NULL DEFAULT '',
    spatial TEXT NOT NULL DEFAULT '',
    contact_name TEXT NOT NULL DEFAULT '',
    contact_email TEXT NOT NULL DEFAULT '',
    state TEXT NOT NULL DEFAULT 'draft' CHECK (state IN ('draft', 'published', 'withdrawn')),
    version INTEGER NOT NULL DEFAULT 0,
    search_text TEXT NOT NULL DEFAULT '',
    created_by {{BIGINT}} NOT NULL DEFAULT 0,
    created_at {{TS}} NOT NULL,
    updated_at {{TS}} NOT NULL,
    published_at {{TS}},
    data_updated_at {{TS}},
    rev {{BIGINT}} NOT NULL DEFAULT 0
);
CREATE INDEX od_datasets_org ON od_datasets (org_id);
CREATE INDEX od_datasets_rev ON od_datasets (rev);

CREATE TABLE od_dataset_tags (
    dataset_id {{BIGINT}} NOT NULL REFERENCES od_datasets (id) ON DELETE CASCADE,
    tag TEXT NOT NULL,
    position INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (dataset_id, tag)
);
CREATE INDEX od_dataset_tags_tag ON od_dataset_tags (tag);

CREATE TABLE od_dataset_themes (
    dataset_id {{BIGINT}} NOT NULL REFERENCES od_datasets (id) ON DELETE CASCADE,
    theme TEXT NOT NULL,
    PRIMARY KEY (dataset_id, theme)
);

-- Changelog of a published dataset: one row per published change.
CREATE TABLE od_dataset_versions (
    id {{ID}},
    dataset_id {{BIGINT}} NOT NULL REFERENCES od_datasets (id) ON DELETE CASCADE,
    version INTEGER NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    created_by {{BIGINT}} NOT NULL DEFAULT 0,
    created_at {{TS}} NOT NULL
);
CREATE INDEX od_dataset_versions_ds ON od_dataset_versions (dataset_id);

CREATE TABLE od_resources (
    id {{ID}},
    uid TEXT NOT NULL UNIQUE,
    dataset_id {{BIGINT}} NOT NULL REFERENCES od_datasets (id) ON DELETE CASCADE,
    position INTEGER NOT NULL DEFAULT 0,
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    format TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('upload', 'link')),
    -- the accepted revision served to the public, and one held by its check
    current_rev {{BIGINT}},
    pending_rev {{BIGINT}},
    downloads {{BIGINT}} NOT NULL DEFAULT 0,
    created_at {{TS}} NOT NULL,
    updated_at {{TS}} NOT NULL
);
CREATE INDEX od_resources_ds ON od_resources (dataset_id);

-- Revisions of a resource's content, each with its kept publication check (D47-20.1).
-- A removed resource keeps its revisions (resource_id set to NULL) so the
-- check results stay on record; the files themselves are deleted.
CREATE TABLE od_revisions (
    id {{ID}},
    dataset_id {{BIGINT}} NOT NULL REFERENCES od_datasets (id) ON DELETE CASCADE,
    resource_id {{BIGINT}} REFERENCES od_resources (id) ON DELETE SET NULL,
    resource_name TEXT NOT NULL DEFAULT '',
    version INTEGER NOT NULL,
    url TEXT NOT NULL DEFAULT '',
    file_name TEXT NOT NULL DEFAULT '',
    path TEXT NOT NULL DEFAULT '',
    media_type TEXT NOT NULL DEFAULT '',
    size {{BIGINT}} NOT NULL DEFAULT 0,
    sha256 TEXT NOT NULL DEFAULT '',
    encoding TEXT NOT NULL DEFAULT '',
    check_outcome TEXT NOT NULL CHECK (check_outcome IN ('clean', 'findings', 'unscanned')),
    check_result TEXT NOT NULL DEFAULT '{}',
    checked_at {{TS}} NOT NULL,
    confirmed_by {{BIGINT}},
    confirmed_at {{TS}},
    confirm_note TEXT NOT NULL DEFAULT '',
    created_by {{BIGINT}} NOT NULL DEFAULT 0,
    discarded_at {{TS}},
    created_at {{TS}} NOT NULL,
    UNIQUE (resource_id, version)
);
CREATE INDEX od_revisions_ds ON od_revisions (dataset_id);

-- Public feedback on a dataset (D47-19.3): quality, usability, format, legal compliance.
CREATE TABLE od_feedback (
    id {{ID}},
    dataset_id {{BIGINT}} NOT NULL REFERENCES od_datasets (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    message TEXT NOT NULL,
    -- contact details are optional and never shown publicly
    author_name TEXT NOT NULL DEFAULT '',
    author_email TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'in_progress', 'answered', 'closed')),
    response TEXT NOT NULL DEFAULT '',
    responded_by {{BIGINT}},
    responded_at {{TS}},
    created_at {{TS}} NOT NULL
);
CREATE INDEX od_feedback_ds ON od_feedback (dataset_id);

-- Requests for data not yet open, voted on by the public (D47-19.4 priorities).
CREATE TABLE od_requests (
    id {{ID}},
    org_id {{BIGINT}} REFERENCES organisations (id),
    title TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    author_name TEXT NOT NULL DEFAULT '',
    author_email TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'accepted', 'planned', 'published', 'rejected')),
    response TEXT NOT NULL DEFAULT '',
    dataset_id {{BIGINT}} REFERENCES od_datasets (id) ON DELETE SET NULL,
    votes INTEGER NOT NULL DEFAULT 0,
    responded_by {{BIGINT}},
    responded_at {{TS}},
    created_at {{TS}} NOT NULL
);
CREATE TABLE od_request_votes (
    request_id {{BIGINT}} NOT NULL REFERENCES od_requests (id) ON DELETE CASCADE,
    voter TEXT NOT NULL,
    PRIMARY KEY (request_id, voter)
);

-- The organisation's open-data plan (D47-19): phases with minimum levels, and items.
CREATE TABLE od_plan_phases (
    id {{ID}},
    org_id {{BIGINT}} NOT NULL REFERENCES organisations (id),
    name TEXT NOT NULL,
    starts_on TEXT NOT NULL,
    ends_on TEXT NOT NULL,
    min_datasets INTEGER NOT NULL DEFAULT 0,
    min_stars INTEGER NOT NULL DEFAULT 3,
    note TEXT NOT NULL DEFAULT '',
    created_at {{TS}} NOT NULL
);
CREATE INDEX od_plan_phases_org ON od_plan_phases (org_id);

CREATE TABLE od_plan_items (
    id {{ID}},
    org_id {{BIGINT}} NOT NULL REFERENCES organisations (id),
    phase_id {{BIGINT}} REFERENCES od_plan_phases (id) ON DELETE SET NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    planned_on TEXT NOT NULL,
    dataset_id {{BIGINT}} REFERENCES od_datasets (id) ON DELETE SET NULL,
    created_at {{TS}} NOT NULL
);
CREATE INDEX od_plan_items_org ON od_plan_items (org_id);

-- Reviews of the organisation's open-data list (D47-20.3, every N months by rule).
CREATE TABLE od_list_reviews (
    id {{ID}},
    org_id {{BIGINT}} NOT NULL REFERENCES organisations (id),
    reviewed_on TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    reviewed_by {{BIGINT}} NOT NULL DEFAULT 0,
    created_at {{TS}} NOT NULL
);
CREATE INDEX od_list_reviews_org ON od_list_reviews (org_id);

-- +goose Down
DROP TABLE od_list_reviews;
DROP TABLE od_plan_items;
DROP TABLE od_plan_phases;
DROP TABLE od_request_votes;
DROP TABLE od_requests;
DROP TABLE od_feedback;
DROP TABLE od_revisions;
DROP TABLE od_resources;
DROP TABLE od_dataset_versions;
DROP TABLE od_dataset_themes;
DROP TABLE od_dataset_tags;
DROP TABLE od_datasets;
DROP TABLE od_counter;
