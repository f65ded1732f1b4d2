DROP TABLE comment_mentions;
DROP TABLE comment_edits;
DROP TABLE comments;
