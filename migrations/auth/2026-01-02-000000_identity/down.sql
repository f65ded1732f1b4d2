DROP TABLE refresh_tokens;
DROP TABLE sessions;
DROP TABLE service_accounts;
DROP TABLE firm_user_profiles;
DROP TABLE local_credentials;
DROP TABLE users;
DROP TABLE signing_keys;
