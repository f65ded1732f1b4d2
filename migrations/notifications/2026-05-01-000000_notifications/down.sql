DROP TABLE directory_members;
DROP TABLE directory_users;
DROP TABLE firm_settings;
DROP TABLE firm_defaults;
DROP TABLE user_settings;
DROP TABLE preferences;
DROP TABLE deliveries;
DROP TABLE notifications;
