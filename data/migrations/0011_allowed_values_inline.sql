-- Migration 9 wrote each list of allowed values as `column IN ('a', 'b', 'c')`.
-- SQLite evaluates an IN list of three or more constants by building a
-- temporary index each time the statement runs, so every row written paid
-- for opening, filling and closing one: a tenth of the ingester's time and
-- a quarter of a plain log insert's.  The same constraint written with OR
-- compares in place.
--
-- Every stored row satisfies both forms, so the rows are left alone and only
-- the table definitions change, with SQLite's documented procedure for
-- changing a constraint without rebuilding a table: edit the definition in
-- sqlite_schema, re-read the schema, and change schema_version (here by
-- creating and dropping a table) so that other connections re-read it too.
-- A definition that does not hold migration 9's exact text is left as it is.

PRAGMA writable_schema = ON;

UPDATE sqlite_schema
SET sql = replace(sql,
    'CHECK (processing_status IN (''pending'', ''processed'', ''failed''))',
    'CHECK (processing_status = ''pending'' OR processing_status = ''processed'' OR processing_status = ''failed'')')
WHERE type = 'table' AND name = 'stream_events_log';

UPDATE sqlite_schema
SET sql = replace(sql,
    'CHECK (stream_processing_status IN (''pending'', ''processed'', ''failed''))',
    'CHECK (stream_processing_status = ''pending'' OR stream_processing_status = ''processed'' OR stream_processing_status = ''failed'')')
WHERE type = 'table' AND name = 'companies';

UPDATE sqlite_schema
SET sql = replace(sql,
    'CHECK (connection_status IN (''connected'', ''disconnected'', ''error''))',
    'CHECK (connection_status = ''connected'' OR connection_status = ''disconnected'' OR connection_status = ''error'')')
WHERE type = 'table' AND name = 'stream_metadata';

PRAGMA writable_schema = RESET;

CREATE TABLE streamtop_schema_changed (unused INTEGER);
DROP TABLE streamtop_schema_changed;
