-- documents:privileged: reading and marking privileged documents (catalogue.rs).
-- Held explicitly: LAWYER firm-wide, PARTNER_ATTORNEY on its assigned matters;
-- not FIRM_ADMIN, PARALEGAL, STAFF, SYSTEM_ADMIN or CLIENT (each role's
-- reasoning in catalogue.rs says why). Rows as catalogue::seed_sql renders them.
INSERT INTO permissions (scope, module, admin, description) VALUES
    ('documents:privileged', 'documents', false, 'Read and mark documents privileged (attorney-client privilege, work product)');

INSERT INTO builtin_role_permissions (role, scope, reach) VALUES
    ('LAWYER', 'documents:privileged', 'ALL'),
    ('PARTNER_ATTORNEY', 'documents:privileged', 'ASSIGNED');
