-- Policies, triggers and indexes go with the tables; their outbox rows stay.
DROP TABLE logto_sync_log;
DROP TABLE logto_org_memberships;
DROP TABLE logto_organizations;
