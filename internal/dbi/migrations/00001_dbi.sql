-- +goose Up
-- DBI profile of an enterprise; the enterprise itself is an organisation of
-- kind enterprise placed under its province's organisation, so the
-- province's DoIC assessors reach it through their subtree grant (DBI-5).
CREATE TABLE dbi_enterprises (
    org_id {{BIGINT}} PRIMARY KEY REFERENCES organisations (id),
    tax_code TEXT NOT NULL UNIQUE,
    -- field is the enterprise's sector (agriculture ... logistics); sector is
    -- its Annex IV group (agriculture-industry | trade-services), DBI-4.
    field TEXT NOT NULL,
    sector TEXT NOT NULL,
    province_code TEXT NOT NULL REFERENCES admin_units (code),
    staff INTEGER NOT NULL,
    -- Amounts in million VND, so they stay exact integers.
    revenue_mvnd {{BIGINT}} NOT NULL,
    capital_mvnd {{BIGINT}} NOT NULL,
    has_subsidiaries BOOLEAN NOT NULL DEFAULT FALSE,
    size TEXT NOT NULL,
    suggested_index TEXT NOT NULL,
    created_at {{TS}} NOT NULL,
    updated_at {{TS}} NOT NULL
);
CREATE INDEX dbi_enterprises_province ON dbi_enterprises (province_code);

-- Consultants and consulting units of the network (DBI-7).
CREATE TABLE dbi_consultants (
    id {{ID}},
    kind TEXT NOT NULL CHECK (kind IN ('individual', 'unit')),
    -- The consulting unit's organisation, or the organisation an individual's account belongs to.
    org_id {{BIGINT}} NOT NULL REFERENCES organisations (id),
    -- The individual's account; NULL for a unit (any consultant of the unit acts for it).
    user_id {{BIGINT}} REFERENCES users (id),
    name TEXT NOT NULL,
    title TEXT NOT NULL,
    tax_code TEXT NOT NULL DEFAULT '',
    -- Where an individual is insured: the conflict check compares it (seed line 4496).
    employer_tax_code TEXT NOT NULL DEFAULT '',
    province_code TEXT NOT NULL REFERENCES admin_units (code),
    specialties TEXT NOT NULL DEFAULT '',
    experience TEXT NOT NULL DEFAULT '',
    email TEXT NOT NULL DEFAULT '',
    phone TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL CHECK (status IN ('applied', 'recognised', 'rejected', 'revoked')),
    review_note TEXT NOT NULL DEFAULT '',
    reviewed_by {{BIGINT}},
    reviewed_at {{TS}},
    search_text TEXT NOT NULL DEFAULT '',
    created_at {{TS}} NOT NULL,
    updated_at {{TS}} NOT NULL
);
CREATE INDEX dbi_consultants_status ON dbi_consultants (status, province_code);
CREATE INDEX dbi_consultants_user ON dbi_consultants (user_id);

-- One assessment per enterprise and year: a new year is a new round (DBI-5).
CREATE TABLE dbi_assessments (
    id {{ID}},
    enterprise_id {{BIGINT}} NOT NULL REFERENCES dbi_enterprises (org_id),
    year INTEGER NOT NULL,
    index_kind TEXT NOT NULL CHECK (index_kind IN ('sme', 'large', 'group')),
    state TEXT NOT NULL,
    -- The requested external assessor: '' | consultant | doic.
    assessor TEXT NOT NULL DEFAULT '',
    consultant_id {{BIGINT}} REFERENCES dbi_consultants (id),
    -- The column MIC's appraisal started from (doic, consultant or self).
    basis TEXT NOT NULL DEFAULT '',
    return_reason TEXT NOT NULL DEFAULT '',
    created_at {{TS}} NOT NULL,
    updated_at {{TS}} NOT NULL,
    certified_at {{TS}},
    UNIQUE (enterprise_id, year)
);
CREATE INDEX dbi_assessments_state ON dbi_assessments (state);
CREATE INDEX dbi_assessments_consultant ON dbi_assessments (consultant_id);

-- Four score columns per criterion (DBI-2); a missing row is "no level yet".
-- reason explains MIC's adjustments.
CREATE TABLE dbi_levels (
    assessment_id {{BIGINT}} NOT NULL REFERENCES dbi_assessments (id),
    col TEXT NOT NULL CHECK (col IN ('self', 'consultant', 'doic', 'mic')),
    criterion TEXT NOT NULL,
    level INTEGER NOT NULL CHECK (level BETWEEN 0 AND 5),
    reason TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (assessment_id, col, criterion)
);

-- Corporation/group assessments (Annex III): member units per column, as JSON.
CREATE TABLE dbi_group_units (
    assessment_id {{BIGINT}} NOT NULL REFERENCES dbi_assessments (id),
    col TEXT NOT NULL CHECK (col IN ('self', 'consultant', 'doic', 'mic')),
    staff_total {{BIGINT}} NOT NULL DEFAULT 0,
    units TEXT NOT NULL,
    reason TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (assessment_id, col)
);

-- Certificates of DX level issued by MIC; code is the public verification code.
CREATE TABLE dbi_certificates (
    id {{ID}},
    code TEXT NOT NULL UNIQUE,
    assessment_id {{BIGINT}} NOT NULL UNIQUE REFERENCES dbi_assessments (id),
    enterprise_id {{BIGINT}} NOT NULL REFERENCES dbi_enterprises (org_id),
    year INTEGER NOT NULL,
    index_kind TEXT NOT NULL,
    -- Snapshot of the enterprise as certified.
    enterprise_name TEXT NOT NULL,
    tax_code TEXT NOT NULL,
    province_code TEXT NOT NULL,
    field TEXT NOT NULL,
    size TEXT NOT NULL,
    total INTEGER NOT NULL,
    max INTEGER NOT NULL,
    level INTEGER NOT NULL,
    -- Six comma-separated pillar levels and points ("3,4,2,3,3,2").
    pillar_levels TEXT NOT NULL,
    pillar_points TEXT NOT NULL,
    issued_at {{TS}} NOT NULL,
    issued_by {{BIGINT}},
    issued_by_name TEXT NOT NULL DEFAULT '',
    -- The appraiser's organisation, which issues the certificate.
    issuer TEXT NOT NULL DEFAULT ''
);

-- Rankings: the certified result per enterprise and year, denormalised so
-- every ranking is an index range scan. Derived data (rebuildable from
-- dbi_certificates), hence no foreign keys.
CREATE TABLE dbi_results (
    enterprise_id {{BIGINT}} NOT NULL,
    year INTEGER NOT NULL,
    assessment_id {{BIGINT}} NOT NULL,
    certificate_code TEXT NOT NULL,
    name TEXT NOT NULL,
    tax_code TEXT NOT NULL,
    province_code TEXT NOT NULL,
    field TEXT NOT NULL,
    size TEXT NOT NULL,
    index_kind TEXT NOT NULL,
    level INTEGER NOT NULL,
    total INTEGER NOT NULL,
    max INTEGER NOT NULL,
    -- score = total x 1000 / max (per mille), comparable across indexes.
    score INTEGER NOT NULL,
    certified_at {{TS}} NOT NULL,
    PRIMARY KEY (enterprise_id, year)
);
CREATE INDEX dbi_results_rank ON dbi_results (year, level, score, enterprise_id);
CREATE INDEX dbi_results_province ON dbi_results (year, province_code, level, score, enterprise_id);
CREATE INDEX dbi_results_size ON dbi_results (year, size, level, score, enterprise_id);
CREATE INDEX dbi_results_field ON dbi_results (year, field, level, score, enterprise_id);

-- Counts of certified results per year and combination of province, size,
-- field and level, kept with dbi_results in the same transaction: the
-- statistics read at most a few thousand rows instead of scanning millions.
CREATE TABLE dbi_result_counts (
    year INTEGER NOT NULL,
    province_code TEXT NOT NULL,
    size TEXT NOT NULL,
    field TEXT NOT NULL,
    level INTEGER NOT NULL,
    count {{BIGINT}} NOT NULL,
    -- Sum of the results' scores (per mille), for the provincial mean.
    sum_score {{BIGINT}} NOT NULL,
    PRIMARY KEY (year, province_code, size, field, level)
);

-- Audit trail of every DBI change (DBI-5: every change is audited).
CREATE TABLE dbi_events (
    id {{ID}},
    at {{TS}} NOT NULL,
    user_id {{BIGINT}},
    user_name TEXT NOT NULL DEFAULT '',
    enterprise_id {{BIGINT}},
    assessment_id {{BIGINT}},
    consultant_id {{BIGINT}},
    action TEXT NOT NULL,
    from_state TEXT NOT NULL DEFAULT '',
    to_state TEXT NOT NULL DEFAULT '',
    detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX dbi_events_assessment ON dbi_events (assessment_id, id);
CREATE INDEX dbi_events_enterprise ON dbi_events (enterprise_id, id);

-- +goose Down
DROP TABLE dbi_events;
DROP TABLE dbi_result_counts;
DROP TABLE dbi_results;
DROP TABLE dbi_certificates;
DROP TABLE dbi_group_units;
DROP TABLE dbi_levels;
DROP TABLE dbi_assessments;
DROP TABLE dbi_consultants;
DROP TABLE dbi_enterprises;
