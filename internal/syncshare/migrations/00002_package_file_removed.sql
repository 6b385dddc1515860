-- +goose Up
-- When the maintenance job removed an expired package's file (its chunks);
-- the record and manifest stay, a download answers package_expired either
-- way (D47-41.2c).
ALTER TABLE sync_packages ADD COLUMN file_removed_at {{TS}};

-- +goose Down
ALTER TABLE sync_packages DROP COLUMN file_removed_at;
