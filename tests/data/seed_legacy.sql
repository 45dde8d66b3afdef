-- A database as the existing system left it before streamtop: its own
-- companies table and job queue with rows, the streaming seed's migrations
-- 001 and 002 applied by other tooling, one placeholder API key from the
-- atlas seed, and no schema_migrations table.
CREATE TABLE companies (
    company_number     TEXT PRIMARY KEY,
    company_name       TEXT NOT NULL,
    incorporation_date TEXT,
    registered_address TEXT,
    sector             TEXT,
    internal_score     REAL
);
INSERT INTO companies VALUES ('00000001', 'LEGACY ONE LTD', '1990-01-01', '1 High St', 'retail', 0.5);
INSERT INTO companies VALUES ('00000002', 'LEGACY TWO PLC', '2001-02-03', '2 Low Rd', 'finance', 0.9);

CREATE TABLE processing_queue (
    id         INTEGER PRIMARY KEY,
    job_type   TEXT NOT NULL,
    payload    TEXT,
    status     TEXT NOT NULL,
    created_at TEXT
);
INSERT INTO processing_queue (job_type, payload, status, created_at)
VALUES ('reindex', '{"all":true}', 'done', '2025-01-01 00:00:00');

-- streaming seed, migration 001
ALTER TABLE companies ADD COLUMN stream_last_updated TEXT;
ALTER TABLE companies ADD COLUMN stream_event_id TEXT;
ALTER TABLE companies ADD COLUMN stream_event_type TEXT;
ALTER TABLE companies ADD COLUMN stream_processing_status TEXT DEFAULT 'pending';
CREATE INDEX IF NOT EXISTS idx_companies_stream_status ON companies(stream_processing_status);
CREATE INDEX IF NOT EXISTS idx_companies_stream_updated ON companies(stream_last_updated);

-- streaming seed, migration 002
CREATE TABLE IF NOT EXISTS stream_metadata (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    stream_type TEXT NOT NULL,
    last_event_id TEXT,
    last_processed_timestamp TEXT,
    connection_status TEXT DEFAULT 'disconnected',
    error_count INTEGER DEFAULT 0,
    last_error TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS stream_events_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id TEXT NOT NULL UNIQUE,
    event_type TEXT NOT NULL,
    company_number TEXT,
    event_data TEXT,
    processing_status TEXT DEFAULT 'pending',
    error_message TEXT,
    received_at TEXT NOT NULL,
    processed_at TEXT
);
CREATE INDEX IF NOT EXISTS idx_stream_events_company ON stream_events_log(company_number);
CREATE INDEX IF NOT EXISTS idx_stream_events_type ON stream_events_log(event_type);
CREATE INDEX IF NOT EXISTS idx_stream_events_status ON stream_events_log(processing_status);
CREATE INDEX IF NOT EXISTS idx_stream_events_received ON stream_events_log(received_at);
INSERT INTO stream_metadata (stream_type, last_event_id, connection_status, created_at, updated_at)
VALUES ('company-profile', 'company-profile:41', 'connected', '2025-06-01 10:00:00', '2025-06-01 10:00:00');

INSERT INTO stream_events_log (event_id, event_type, company_number, event_data, processing_status, error_message, received_at)
VALUES ('company-profile:40', 'changed', '00000001', '{}', 'processed', NULL, '2025-06-01 09:59:00'),
       ('company-profile:41', 'changed', '00000002', '{}', 'failed', 'legacy processor crashed', '2025-06-01 10:00:00');

-- atlas seed: the api_keys table with its placeholder admin key
CREATE TABLE api_keys (
    id VARCHAR(36) PRIMARY KEY,
    name VARCHAR(255) NOT NULL,
    key_hash VARCHAR(255) NOT NULL UNIQUE,
    permissions JSON,
    rate_limit_per_hour INTEGER DEFAULT 1000,
    created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
    last_used_at TIMESTAMP,
    is_active BOOLEAN DEFAULT TRUE
);
INSERT INTO api_keys (id, name, key_hash, permissions)
VALUES ('admin-key-001', 'Admin API Key', 'admin_key_hash_placeholder', '["read", "write", "admin"]');
