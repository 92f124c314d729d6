package main

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A table laid out as FerretDB's SQLite handler makes them gets an index that
// the handler's `_id` lookup uses; FerretDB's own tables are left alone.
func TestIndexSQLiteLookups(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "app.sqlite"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, q := range []string{
		`CREATE TABLE _ferretdb_collections (name TEXT, table_name TEXT, settings TEXT)`,
		`CREATE TABLE "messages_1a2b3c4d" (_ferretdb_sjson TEXT NOT NULL CHECK(_ferretdb_sjson != '')) STRICT`,
		`CREATE UNIQUE INDEX "messages_1a2b3c4d__id_" ON "messages_1a2b3c4d" (_ferretdb_sjson->"_id")`,
		`INSERT INTO "messages_1a2b3c4d" VALUES ('{"_id":"m1"}'), ('{"_id":"m2"}')`,
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	plan := func() string {
		rows, err := db.QueryContext(ctx,
			`EXPLAIN QUERY PLAN SELECT _ferretdb_sjson FROM "messages_1a2b3c4d" WHERE _ferretdb_sjson->'$._id' = ?`, `"m1"`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out []string
		for rows.Next() {
			var id, parent, unused int
			var detail string
			if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
				t.Fatal(err)
			}
			out = append(out, detail)
		}
		return strings.Join(out, "; ")
	}
	if p := plan(); !strings.Contains(p, "SCAN") {
		t.Fatalf("expected FerretDB's own index not to serve the lookup, got plan %q", p)
	}
	for range 2 { // the second run finds nothing left to do
		if err := indexSQLiteLookups(ctx, dir); err != nil {
			t.Fatal(err)
		}
	}
	// As FerretDB's connections would, on their next statement: see the new schema.
	if _, err := db.ExecContext(ctx, `SELECT count(*) FROM sqlite_master`); err != nil {
		t.Fatal(err)
	}
	if p := plan(); !strings.Contains(p, "USING INDEX messages_1a2b3c4d_id_lookup") {
		t.Fatalf("lookup does not use the new index: %q", p)
	}
	var n int
	if err := db.QueryRowContext(ctx,
		`SELECT count(*) FROM sqlite_master WHERE type = 'index' AND tbl_name = '_ferretdb_collections'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Fatalf("FerretDB's metadata table got %d indexes", n)
	}
}

// A database file that disappears (dropped) is not brought back by the indexer.
func TestIndexSQLiteLookupsNeverCreatesFiles(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "gone.sqlite")
	if err := indexSQLiteFile(context.Background(), file); err == nil {
		t.Fatal("opening a missing database file should fail")
	}
	if _, err := os.Stat(file); !os.IsNotExist(err) {
		t.Fatalf("the indexer created %s", file)
	}
}
