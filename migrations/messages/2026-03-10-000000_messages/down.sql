DROP TABLE message_edits;
DROP TABLE messages;
