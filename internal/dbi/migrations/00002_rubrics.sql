-- +goose Up
-- Rubric texts per criterion and level (DBI-3), edited by MIC over the
-- embedded models. Every edit of a level is a new row, so the table is its
-- own history; the newest row per (index, criterion, level) is in force, and
-- empty texts clear the level. Criterion IDs are the model's, not a foreign
-- key: the models are embedded data, not rows.
CREATE TABLE dbi_rubrics (
    id {{ID}},
    index_kind TEXT NOT NULL CHECK (index_kind IN ('sme', 'large')),
    criterion TEXT NOT NULL,
    level INTEGER NOT NULL CHECK (level BETWEEN 0 AND 5),
    text_vi TEXT NOT NULL DEFAULT '',
    text_en TEXT NOT NULL DEFAULT '',
    at {{TS}} NOT NULL,
    -- No foreign key, as in dbi_events: the name is kept with the edit.
    user_id {{BIGINT}},
    user_name TEXT NOT NULL DEFAULT ''
);
-- "Newest per level" is MAX(id) within this prefix; history reads it too.
CREATE INDEX dbi_rubrics_criterion ON dbi_rubrics (index_kind, criterion, level, id);

-- +goose Down
DROP TABLE dbi_rubrics;
