DROP TABLE chain_anchors;
DROP TABLE event_log;
DROP FUNCTION append_only_guard();
DROP FUNCTION event_log_guard();
