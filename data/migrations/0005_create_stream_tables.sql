-- Migration: 002_create_stream_tables.sql
BEGIN TRANSACTION;

-- Stream metadata table
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

-- Stream events log table
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

-- Create indexes for performance
CREATE INDEX IF NOT EXISTS idx_stream_events_company 
ON stream_events_log(company_number);

CREATE INDEX IF NOT EXISTS idx_stream_events_type 
ON stream_events_log(event_type);

CREATE INDEX IF NOT EXISTS idx_stream_events_status 
ON stream_events_log(processing_status);

CREATE INDEX IF NOT EXISTS idx_stream_events_received 
ON stream_events_log(received_at);

-- Insert initial metadata record
INSERT INTO stream_metadata (
    stream_type, 
    created_at, 
    updated_at
) VALUES (
    'company-profile',
    datetime('now'),
    datetime('now')
);

COMMIT;
