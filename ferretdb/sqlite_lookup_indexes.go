package main

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	_ "modernc.org/sqlite" // the driver FerretDB itself uses
)

// FerretDB v1.24's SQLite handler looks documents up by `_ferretdb_sjson->'$._id'`
// but indexes `_ferretdb_sjson->"_id"`; SQLite matches index expressions as
// written, so every `_id` lookup read the whole table. indexSQLiteLookups gives
// each collection table an index on the expression the lookups use. SQLite has
// no DDL triggers, so the launcher runs it at start and then every few seconds
// for tables created since.
func indexSQLiteLookups(ctx context.Context, dir string) error {
	files, err := filepath.Glob(filepath.Join(dir, "*.sqlite"))
	if err != nil {
		return err
	}
	for _, file := range files {
		if err := indexSQLiteFile(ctx, file); err != nil {
			if _, statErr := os.Stat(file); os.IsNotExist(statErr) {
				continue // dropped meanwhile
			}
			return fmt.Errorf("%s: %w", filepath.Base(file), err)
		}
	}
	return nil
}

func indexSQLiteFile(ctx context.Context, file string) error {
	// mode=rw: never create a file (a database FerretDB just dropped must stay dropped).
	// The same busy timeout as FerretDB's connections: whoever waits for the lock waits.
	db, err := sql.Open("sqlite", "file:"+file+"?mode=rw&_pragma=busy_timeout(10000)")
	if err != nil {
		return err
	}
	defer db.Close()
	// Collection tables: every table but FerretDB's own (_ferretdb_*) and SQLite's.
	rows, err := db.QueryContext(ctx, `
		SELECT t.name FROM sqlite_master t
		WHERE t.type = 'table' AND t.name NOT LIKE '\_ferretdb\_%' ESCAPE '\'
		  AND t.name NOT LIKE 'sqlite\_%' ESCAPE '\'
		  AND NOT EXISTS (SELECT 1 FROM sqlite_master i
		                  WHERE i.type = 'index' AND i.name = t.name || '_id_lookup')`)
	if err != nil {
		return err
	}
	var tables []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			rows.Close()
			return err
		}
		tables = append(tables, name)
	}
	rows.Close()
	for _, t := range tables {
		quoted := `"` + strings.ReplaceAll(t, `"`, `""`) + `"`
		index := `"` + strings.ReplaceAll(t+"_id_lookup", `"`, `""`) + `"`
		q := fmt.Sprintf(`CREATE INDEX IF NOT EXISTS %s ON %s (_ferretdb_sjson->'$._id')`, index, quoted)
		if _, err := db.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("index %s: %w", t, err)
		}
	}
	return nil
}

// keepSQLiteLookupsIndexed runs indexSQLiteLookups every interval until ctx ends.
func keepSQLiteLookupsIndexed(ctx context.Context, dir string, every time.Duration, logger *slog.Logger) {
	ticker := time.NewTicker(every)
	defer ticker.Stop()
	for {
		if err := indexSQLiteLookups(ctx, dir); err != nil && ctx.Err() == nil {
			logger.Warn("could not index _id lookups", "error", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
	}
}
