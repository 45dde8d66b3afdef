-- Atlas migration 002, "Search Enhancement", as written.

-- Update existing content for search indexing
UPDATE content_metadata
SET search_indexed_at = NULL
WHERE search_indexed_at IS NULL;

-- Initialize access counters
UPDATE content_metadata
SET access_count = 0
WHERE access_count IS NULL;
