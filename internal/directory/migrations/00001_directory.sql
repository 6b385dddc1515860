-- +goose Up
-- Administrative units with official (GSO) codes. Districts exist only in
-- data from before July 2025; valid_to marks units that no longer exist.
CREATE TABLE admin_units (
    code TEXT PRIMARY KEY,
    level TEXT NOT NULL CHECK (level IN ('province', 'district', 'commune')),
    name TEXT NOT NULL,
    full_name TEXT NOT NULL,
    name_en TEXT NOT NULL DEFAULT '',
    full_name_en TEXT NOT NULL DEFAULT '',
    parent_code TEXT,
    unit_type TEXT NOT NULL DEFAULT '',
    unit_type_en TEXT NOT NULL DEFAULT '',
    valid_from TEXT NOT NULL DEFAULT '',
    valid_to TEXT NOT NULL DEFAULT '',
    search_text TEXT NOT NULL DEFAULT ''
);
CREATE INDEX admin_units_parent ON admin_units (parent_code);

CREATE TABLE organisations (
    id {{ID}},
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    name_en TEXT NOT NULL DEFAULT '',
    short_name TEXT NOT NULL DEFAULT '',
    kind TEXT NOT NULL,
    parent_id {{BIGINT}} REFERENCES organisations (id),
    -- materialised path of ancestor ids, "/1/7/42/", for subtree checks.
    path TEXT NOT NULL DEFAULT '',
    admin_unit_code TEXT REFERENCES admin_units (code),
    tax_code TEXT NOT NULL DEFAULT '',
    address TEXT NOT NULL DEFAULT '',
    phone TEXT NOT NULL DEFAULT '',
    email TEXT NOT NULL DEFAULT '',
    website TEXT NOT NULL DEFAULT '',
    -- D47-7.1 focal-point officer for data sharing.
    focal_name TEXT NOT NULL DEFAULT '',
    focal_position TEXT NOT NULL DEFAULT '',
    focal_function TEXT NOT NULL DEFAULT '',
    focal_phone TEXT NOT NULL DEFAULT '',
    focal_email TEXT NOT NULL DEFAULT '',
    -- D47-7.2 readiness to share, as the organisation states it.
    sharing_readiness TEXT NOT NULL DEFAULT '',
    active BOOLEAN NOT NULL DEFAULT TRUE,
    search_text TEXT NOT NULL DEFAULT '',
    created_at {{TS}} NOT NULL,
    updated_at {{TS}} NOT NULL
);
CREATE INDEX organisations_parent ON organisations (parent_id);
CREATE INDEX organisations_path ON organisations (path);
CREATE INDEX organisations_kind ON organisations (kind);

-- +goose Down
DROP TABLE organisations;
DROP TABLE admin_units;
