-- The streaming seed lists the allowed values of processing_status and
-- connection_status as data integrity constraints.  SQLite cannot add a CHECK
-- constraint to an existing table, so the three tables that carry these
-- columns are rebuilt with it.  On a database streamtop creates, this runs
-- right after the tables were made and copies at most the initial metadata
-- row.  Adoption never rebuilds a table that already exists; it reports the
-- constraint as missing instead.

CREATE TABLE stream_metadata_new (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    stream_type TEXT NOT NULL,
    last_event_id TEXT,
    last_processed_timestamp TEXT,
    connection_status TEXT DEFAULT 'disconnected'
        CHECK (connection_status IN ('connected', 'disconnected', 'error')),
    error_count INTEGER DEFAULT 0,
    last_error TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
INSERT INTO stream_metadata_new
    (id, stream_type, last_event_id, last_processed_timestamp, connection_status,
     error_count, last_error, created_at, updated_at)
SELECT id, stream_type, last_event_id, last_processed_timestamp, connection_status,
       error_count, last_error, created_at, updated_at
FROM stream_metadata;
DROP TABLE stream_metadata;
ALTER TABLE stream_metadata_new RENAME TO stream_metadata;

CREATE TABLE stream_events_log_new (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id TEXT NOT NULL UNIQUE,
    event_type TEXT NOT NULL,
    company_number TEXT,
    event_data TEXT,
    processing_status TEXT DEFAULT 'pending'
        CHECK (processing_status IN ('pending', 'processed', 'failed')),
    error_message TEXT,
    received_at TEXT NOT NULL,
    processed_at TEXT
);
INSERT INTO stream_events_log_new
    (id, event_id, event_type, company_number, event_data, processing_status,
     error_message, received_at, processed_at)
SELECT id, event_id, event_type, company_number, event_data, processing_status,
       error_message, received_at, processed_at
FROM stream_events_log;
DROP TABLE stream_events_log;
ALTER TABLE stream_events_log_new RENAME TO stream_events_log;
CREATE INDEX idx_stream_events_company ON stream_events_log(company_number);
CREATE INDEX idx_stream_events_type ON stream_events_log(event_type);
CREATE INDEX idx_stream_events_status ON stream_events_log(processing_status);
CREATE INDEX idx_stream_events_received ON stream_events_log(received_at);

CREATE TABLE companies_new (
    company_number    TEXT PRIMARY KEY,
    company_name      TEXT,
    company_status    TEXT,
    company_type      TEXT,
    date_of_creation  TEXT,
    date_of_cessation TEXT,
    address_line_1    TEXT,
    address_line_2    TEXT,
    locality          TEXT,
    region            TEXT,
    postal_code       TEXT,
    country           TEXT,
    sic_codes         TEXT,
    etag              TEXT,
    data              TEXT,
    stream_timepoint  INTEGER,
    deleted_at        TEXT,
    created_at        TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at        TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    stream_last_updated TEXT,
    stream_event_id TEXT,
    stream_event_type TEXT,
    stream_processing_status TEXT DEFAULT 'pending'
        CHECK (stream_processing_status IN ('pending', 'processed', 'failed'))
);
INSERT INTO companies_new SELECT * FROM companies;
DROP TABLE companies;
ALTER TABLE companies_new RENAME TO companies;
CREATE INDEX idx_companies_stream_status ON companies(stream_processing_status);
CREATE INDEX idx_companies_stream_updated ON companies(stream_last_updated);
