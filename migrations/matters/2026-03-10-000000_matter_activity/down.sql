DROP TABLE matter_activity;
