-- The policy, trigger and indexes go with the table.
DROP TABLE lawyer_credentials;
