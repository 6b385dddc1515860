package sharelog

import (
	"embed"
	"io/fs"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// migrationsFS returns the migration files at the root of an FS, as
// platform.Migrations expects.
func migrationsFS() fs.FS {
	sub, err := fs.Sub(migrationFiles, "migrations")
	if err != nil {
		panic("sharelog: embedded migrations: " + err.Error()) // cannot happen: the directory is embedded
	}
	return sub
}
