-- A database as an operator might find it at 2026-12-01T10:00:00Z, the
-- clock the golden screens are drawn at: connected for an hour, a stream
-- flowing at 40 events a second, failures of three kinds, a short queue
-- and twenty minutes of metrics.  Every time is fixed, so the screens are.
UPDATE stream_metadata SET connection_status = 'connected',
    last_event_id = 'company-profile:1004321', last_processed_timestamp = '2026-12-01T09:59:59.000Z',
    error_count = 2, last_error = 'HTTP 503 from stream.companieshouse.gov.uk',
    updated_at = '2026-12-01T09:59:59.000Z';
INSERT INTO stream_state (stream_type, state, state_since, endpoint, connected_since,
    last_event_at, last_heartbeat_at, last_timepoint, last_published_at, reconnects,
    events_received, events_changed, events_deleted, events_invalid, events_repeated,
    events_processed, events_failed, events_superseded, bytes_received, timepoint_gaps,
    ingester_pid, ingester_host, ingester_started_at, ingester_seen_at, updated_at)
VALUES ('company-profile', 'connected', '2026-12-01T09:00:00.000Z',
    'https://stream.companieshouse.gov.uk/companies', '2026-12-01T09:00:00.000Z',
    '2026-12-01T09:59:59.000Z', '2026-12-01T09:59:40.000Z', 1004321, '2026-12-01T09:59:58.000Z',
    2, 52340, 50990, 1212, 32, 406, 52302, 38, 3, 68842511, 1, 4242, 'ingest-1',
    '2026-12-01T08:59:58.000Z', '2026-12-01T09:59:59.000Z', '2026-12-01T09:59:59.000Z');

-- Counter readings a second apart: 40 stored and 40 drained a second.
WITH RECURSIVE k(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM k WHERE i < 4)
INSERT INTO stream_rate_points (stream_type, slot, at, stored, drained, buffered)
SELECT 'company-profile', i, strftime('%Y-%m-%dT%H:%M:%fZ', '2026-12-01T09:59:55Z', '+' || i || ' seconds'),
    52180 + 40 * i, 52140 + 40 * i, 0 FROM k;

INSERT INTO companies (company_number, company_name) VALUES
    ('01234567', 'ACME WIDGETS LIMITED'), ('SC037549', 'THE GLASGOW TRADING COMPANY LTD'),
    ('09876543', 'NORTHERN LIGHTS HOLDINGS PLC'), ('OC300001', 'PARTNERS IN TIME LLP');

-- 38 failures, newest last, one every 90 seconds: invalid lines, a database
-- timeout per company, and names that are not text.
WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < 38)
INSERT INTO stream_events_log (event_id, event_type, company_number, event_data, processing_status,
    error_message, received_at, processed_at)
SELECT CASE WHEN i % 3 = 0 THEN printf('invalid:%d+1:%08x', 1000000 + i * 110, i * 2654435761 % 4294967296)
            ELSE 'company-profile:' || (1000000 + i * 110) END,
    CASE WHEN i % 3 = 0 THEN 'invalid' ELSE 'changed' END,
    CASE i % 3 WHEN 1 THEN (CASE i % 4 WHEN 1 THEN '01234567' WHEN 2 THEN 'SC037549'
                                      WHEN 3 THEN '09876543' ELSE 'OC300001' END)
               WHEN 2 THEN printf('%08d', 4000000 + i) ELSE NULL END,
    '{}', 'failed',
    CASE i % 3 WHEN 0 THEN 'invalid event: not valid JSON at byte ' || (i * 37)
               WHEN 1 THEN 'companies: database timeout after ' || (5000 + i) || ' ms for company ' ||
                           (CASE i % 4 WHEN 1 THEN '01234567' WHEN 2 THEN 'SC037549'
                                      WHEN 3 THEN '09876543' ELSE 'OC300001' END)
               ELSE 'invalid event: data.company_name is not a string' END,
    strftime('%Y-%m-%dT%H:%M:%fZ', '2026-12-01T10:00:00Z', '-' || ((39 - i) * 90) || ' seconds'),
    strftime('%Y-%m-%dT%H:%M:%fZ', '2026-12-01T10:00:00Z', '-' || ((39 - i) * 90 - 1) || ' seconds')
FROM k;
INSERT INTO processing_queue (event_log_id, status, attempts, last_error, created_at, updated_at)
SELECT id, 'failed', 1 + id % 3, error_message, received_at, received_at FROM stream_events_log;

-- Two events re-queued by an operator 20 and 40 seconds ago.
INSERT INTO stream_events_log (event_id, event_type, company_number, event_data, processing_status,
    received_at) VALUES
    ('company-profile:999001', 'changed', '01234567', '{}', 'pending', '2026-12-01T08:00:00.000Z'),
    ('company-profile:999002', 'changed', '09876543', '{}', 'pending', '2026-12-01T08:00:01.000Z');
INSERT INTO processing_queue (event_log_id, status, priority, attempts, created_at, updated_at)
SELECT id, 'pending', 10, 1, '2026-12-01T08:00:00.000Z',
    CASE event_id WHEN 'company-profile:999001' THEN '2026-12-01T09:59:40.000Z'
                  ELSE '2026-12-01T09:59:20.000Z' END
FROM stream_events_log WHERE processing_status = 'pending';

-- Twenty minutes of metrics every five seconds.
WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < 240)
INSERT INTO system_metrics (id, metric_name, metric_value, tags, recorded_at)
SELECT printf('%s-%d', name, i), name,
    CASE name WHEN 'events_received' THEN 200 WHEN 'events_processed' THEN 199
              WHEN 'queue_depth' THEN 2 WHEN 'lag_seconds' THEN 1.5 ELSE 263412 END,
    CASE name WHEN 'events_received' THEN '{"interval_ms":5000}'
              WHEN 'events_processed' THEN '{"interval_ms":5000}'
              WHEN 'bytes_received' THEN '{"interval_ms":5000}' ELSE NULL END,
    strftime('%Y-%m-%dT%H:%M:%fZ', '2026-12-01T10:00:00Z', '-' || (i * 5 - 3) || ' seconds')
FROM k, (SELECT 'events_received' AS name UNION ALL SELECT 'events_processed'
         UNION ALL SELECT 'queue_depth' UNION ALL SELECT 'lag_seconds'
         UNION ALL SELECT 'bytes_received');
