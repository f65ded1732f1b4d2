DROP TRIGGER file_under_context ON channels.outbox;
DROP FUNCTION channels.file_under_context();
DROP TABLE channel_activity;
DROP TABLE channel_participants;
DROP TABLE channels;
