-- The atlas production-ready schema enhancements: new tables, then the
-- columns and indexes it adds to content_metadata and processing_queue.

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

CREATE INDEX idx_api_keys_hash ON api_keys(key_hash);
CREATE INDEX idx_api_keys_active ON api_keys(is_active);

CREATE TABLE webhooks (
    id VARCHAR(36) PRIMARY KEY,
    url VARCHAR(2048) NOT NULL,
    events JSON NOT NULL,
    secret VARCHAR(255),
    is_active BOOLEAN DEFAULT TRUE,
    created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
    last_triggered_at TIMESTAMP,
    failure_count INTEGER DEFAULT 0
);

CREATE INDEX idx_webhooks_active ON webhooks(is_active);

CREATE TABLE search_cache (
    id VARCHAR(36) PRIMARY KEY,
    query_hash VARCHAR(64) NOT NULL UNIQUE,
    query_text TEXT NOT NULL,
    results JSON NOT NULL,
    created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
    expires_at TIMESTAMP NOT NULL
);

CREATE INDEX idx_search_cache_hash ON search_cache(query_hash);
CREATE INDEX idx_search_cache_expires ON search_cache(expires_at);

CREATE TABLE system_metrics (
    id VARCHAR(36) PRIMARY KEY,
    metric_name VARCHAR(255) NOT NULL,
    metric_value DECIMAL(15,4) NOT NULL,
    tags JSON,
    recorded_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP
);

CREATE INDEX idx_system_metrics_name_time ON system_metrics(metric_name, recorded_at);

-- Add new columns for enhanced search and analytics
ALTER TABLE content_metadata ADD COLUMN search_indexed_at TIMESTAMP;
ALTER TABLE content_metadata ADD COLUMN last_accessed_at TIMESTAMP;
ALTER TABLE content_metadata ADD COLUMN access_count INTEGER DEFAULT 0;
ALTER TABLE content_metadata ADD COLUMN cognitive_score DECIMAL(5,2);
ALTER TABLE content_metadata ADD COLUMN vector_embedding JSON;

-- Add indexes for performance
CREATE INDEX idx_content_search_indexed ON content_metadata(search_indexed_at);
CREATE INDEX idx_content_last_accessed ON content_metadata(last_accessed_at);
CREATE INDEX idx_content_cognitive_score ON content_metadata(cognitive_score);

-- Add columns for enhanced queue management
ALTER TABLE processing_queue ADD COLUMN priority INTEGER DEFAULT 5;
ALTER TABLE processing_queue ADD COLUMN estimated_duration INTEGER;
ALTER TABLE processing_queue ADD COLUMN actual_duration INTEGER;
ALTER TABLE processing_queue ADD COLUMN worker_id VARCHAR(255);

-- Add indexes for queue optimization
CREATE INDEX idx_queue_priority_status ON processing_queue(priority, status);
CREATE INDEX idx_queue_worker ON processing_queue(worker_id);
