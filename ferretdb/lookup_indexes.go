package main

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// FerretDB v1.24's PostgreSQL handler pushes an equality filter down as
// `_jsonb->$1 @> $2`, while the indexes it creates for Mongo index keys (`_id`
// included) are btrees on `(_jsonb->'field')`. A btree cannot answer `@>`, so
// every primary-key lookup was a sequential scan of the collection's table:
// 70 ms per lookup at 50,000 messages, growing with the collection.
//
// The twins are built with fastupdate off. With it on (PostgreSQL's default), new
// entries wait in an unsorted pending list until a vacuum, and every lookup scans
// that list: after a bulk write a single-key `_id` lookup took 2.7 ms instead of
// 0.06 ms (200,000 messages), and how slow a read was depended on whether
// autovacuum had come by — run-to-run swings of 3× in the scale benchmark.
//
// lookupIndexSQL gives every such btree a GIN twin on the same expressions,
// which PostgreSQL uses for `@>` once the key is a constant (a custom plan;
// hence force_custom_plan for this database). A compound btree gets one GIN
// over all its fields: a filter on two of them (`{word, day}`) then reads only
// the rows that have both, where a twin of the first field alone read every row
// with that word, whatever its day — a cost that grew with the history. An
// event trigger does the same for every index FerretDB creates later. FerretDB
// does not know these indexes; it needs not: they only speed up the queries it
// already sends.
const lookupIndexSQL = `
CREATE OR REPLACE FUNCTION dispute_room_gin_twin(idx oid) RETURNS void
LANGUAGE plpgsql AS $fn$
DECLARE
  def text := pg_get_indexdef(idx);
  m text[] := regexp_match(def, '^CREATE (?:UNIQUE )?INDEX (\S+) ON (\S+) USING btree \((.*)\)$');
  fields text[];
  twin text;
  twin_oid oid;
BEGIN
  IF m IS NULL THEN
    RETURN;
  END IF;
  SELECT array_agg(f[1] ORDER BY n) INTO fields
  FROM regexp_matches(m[3], '\(\(_jsonb -> ''([^'']+)''::text\)\)', 'g') WITH ORDINALITY AS r(f, n);
  IF fields IS NULL THEN
    RETURN;
  END IF;
  twin := CASE WHEN cardinality(fields) = 1 THEN left(m[1], 55) || '_gin'
    ELSE left(m[1], 54) || '_ginc' END;
  -- Never fail FerretDB's own statement: without the twin it is only slower.
  BEGIN
    EXECUTE format('CREATE INDEX IF NOT EXISTS %I ON %s USING gin (%s) WITH (fastupdate = off)',
      twin, m[2],
      (SELECT string_agg(format('(_jsonb -> %L)', x), ', ' ORDER BY n)
       FROM unnest(fields) WITH ORDINALITY AS u(x, n)));
    -- Twins made before fastupdate was off: turn it off (what waits in their pending lists
    -- goes at the next vacuum; flushing it here could outlast the launcher's start).
    SELECT c.oid INTO twin_oid FROM pg_class c
    WHERE c.relname = twin AND c.relnamespace = (SELECT relnamespace FROM pg_class WHERE oid = idx);
    IF twin_oid IS NOT NULL AND NOT EXISTS (SELECT 1 FROM pg_class
      WHERE oid = twin_oid AND 'fastupdate=off' = ANY (coalesce(reloptions, '{}'))) THEN
      EXECUTE format('ALTER INDEX %s SET (fastupdate = off)', twin_oid::regclass);
    END IF;
  EXCEPTION WHEN OTHERS THEN
    RAISE WARNING 'no GIN twin for index %: %', m[1], SQLERRM;
  END;
END
$fn$;

CREATE OR REPLACE FUNCTION dispute_room_gin_twins_on_ddl() RETURNS event_trigger
LANGUAGE plpgsql AS $fn$
DECLARE
  obj record;
BEGIN
  FOR obj IN SELECT * FROM pg_event_trigger_ddl_commands() WHERE command_tag = 'CREATE INDEX' LOOP
    PERFORM dispute_room_gin_twin(obj.objid);
  END LOOP;
END
$fn$;

DO $do$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_event_trigger WHERE evtname = 'dispute_room_gin_twins') THEN
    CREATE EVENT TRIGGER dispute_room_gin_twins ON ddl_command_end
      WHEN TAG IN ('CREATE INDEX') EXECUTE FUNCTION dispute_room_gin_twins_on_ddl();
  END IF;
  EXECUTE format('ALTER DATABASE %I SET plan_cache_mode = force_custom_plan', current_database());
END
$do$;

SELECT dispute_room_gin_twin(i.indexrelid)
FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%';
`

// ensureLookupIndexes installs the above in the database FerretDB stores into.
// It needs a role that may create event triggers (a superuser); without one,
// FerretDB still works, only its lookups scan.
func ensureLookupIndexes(url string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	defer conn.Close(ctx)
	// Simple protocol: several statements in one round trip.
	if _, err := conn.Exec(ctx, lookupIndexSQL, pgx.QueryExecModeSimpleProtocol); err != nil {
		return fmt.Errorf("install lookup indexes: %w", err)
	}
	return nil
}
