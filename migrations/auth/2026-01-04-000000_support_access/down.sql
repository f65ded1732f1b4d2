-- Policies, triggers and indexes go with the tables; their outbox rows stay.
DROP TABLE support_access_log;
DROP TABLE support_sessions;
