-- Migration: 001_add_streaming_columns.sql
BEGIN TRANSACTION;

-- Add streaming metadata columns to companies table
ALTER TABLE companies ADD COLUMN stream_last_updated TEXT;
ALTER TABLE companies ADD COLUMN stream_event_id TEXT;
ALTER TABLE companies ADD COLUMN stream_event_type TEXT;
ALTER TABLE companies ADD COLUMN stream_processing_status TEXT DEFAULT 'pending';

-- Create index for faster streaming queries
CREATE INDEX IF NOT EXISTS idx_companies_stream_status 
ON companies(stream_processing_status);

CREATE INDEX IF NOT EXISTS idx_companies_stream_updated 
ON companies(stream_last_updated);

COMMIT;
