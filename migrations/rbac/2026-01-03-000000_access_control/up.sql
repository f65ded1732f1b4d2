-- Access control (ARCHITECTURE §5, Backstage §4.2, schema overview SLICE 10).
--
-- Platform catalogue (no firm, no RLS): permissions, built-in roles and their
-- scopes with reach, resource types and sub-resource types, default field
-- policies. Seeded below from services/rbac/src/catalogue.rs (the single
-- source; tests/catalogue.rs compares these rows with it).
CREATE TABLE permissions (
    scope text PRIMARY KEY CHECK (scope ~ '^[a-z][a-z-]*:[a-z][a-z-]*$'),
    module text NOT NULL,
    admin boolean NOT NULL,
    description text NOT NULL
);

CREATE TABLE builtin_roles (
    code text PRIMARY KEY,
    description text NOT NULL
);

CREATE TABLE builtin_role_permissions (
    role text NOT NULL REFERENCES builtin_roles (code),
    scope text NOT NULL REFERENCES permissions (scope),
    reach text NOT NULL CHECK (reach IN ('ALL', 'ASSIGNED')),
    PRIMARY KEY (role, scope)
);

CREATE TABLE resource_types (
    code text PRIMARY KEY,
    description text NOT NULL
);

CREATE TABLE resource_subtypes (
    parent text NOT NULL REFERENCES resource_types (code),
    child text NOT NULL REFERENCES resource_types (code),
    PRIMARY KEY (parent, child)
);

CREATE TABLE default_field_policies (
    resource_type text NOT NULL REFERENCES resource_types (code),
    field text NOT NULL,
    role text NOT NULL REFERENCES builtin_roles (code),
    can_read boolean NOT NULL,
    can_write boolean NOT NULL,
    PRIMARY KEY (resource_type, field, role)
);

-- Custom roles of a firm. Codes never shadow a built-in role.
CREATE TABLE roles (
    id uuid PRIMARY KEY,
    firm_id uuid NOT NULL,
    code text NOT NULL CHECK (code ~ '^[A-Z][A-Z0-9_]{1,62}$'),
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    description text,
    created_by uuid,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    deleted_at timestamptz
);
CREATE UNIQUE INDEX roles_firm_code_key ON roles (firm_id, code) WHERE deleted_at IS NULL;
CREATE INDEX roles_firm_idx ON roles (firm_id, id);
SELECT rbac.lawos_tenant_table('rbac.roles');
SELECT rbac.lawos_emit_events('rbac.roles', 'role');

CREATE TABLE role_permissions (
    firm_id uuid NOT NULL,
    role_id uuid NOT NULL REFERENCES roles (id),
    scope text NOT NULL REFERENCES permissions (scope),
    reach text NOT NULL CHECK (reach IN ('ALL', 'ASSIGNED')),
    PRIMARY KEY (firm_id, role_id, scope)
);
SELECT rbac.lawos_tenant_table('rbac.role_permissions');

-- Who holds which role in a firm, from when until when. Ended by revocation,
-- never deleted.
CREATE TABLE role_assignments (
    id uuid PRIMARY KEY,
    firm_id uuid NOT NULL,
    user_id uuid NOT NULL,
    role text NOT NULL,
    custom_role_id uuid REFERENCES roles (id),
    starts_at timestamptz NOT NULL,
    ends_at timestamptz,
    assigned_by uuid,
    created_at timestamptz NOT NULL DEFAULT now(),
    revoked_at timestamptz,
    revoked_by uuid,
    CHECK (ends_at IS NULL OR ends_at > starts_at)
);
CREATE INDEX role_assignments_user_idx ON role_assignments (firm_id, user_id);
CREATE INDEX role_assignments_role_idx ON role_assignments (firm_id, role);
SELECT rbac.lawos_tenant_table('rbac.role_assignments');
SELECT rbac.lawos_emit_events('rbac.role_assignments', 'role_assignment');

-- Manual grants on a resource or a sub-resource. DENY is an ethical wall.
-- Revocation sets revoked_at; rows are never deleted.
CREATE TABLE access_grants (
    id uuid PRIMARY KEY,
    firm_id uuid NOT NULL,
    user_id uuid NOT NULL,
    resource_type text NOT NULL REFERENCES resource_types (code),
    resource_id uuid NOT NULL,
    subresource_type text REFERENCES resource_types (code),
    subresource_id uuid,
    action text NOT NULL CHECK (action IN ('READ', 'WRITE', 'DELETE', 'DENY')),
    starts_at timestamptz NOT NULL,
    expires_at timestamptz,
    revoked_at timestamptz,
    granted_by uuid,
    revoked_by uuid,
    reason text,
    created_at timestamptz NOT NULL DEFAULT now(),
    CHECK ((subresource_type IS NULL) = (subresource_id IS NULL)),
    CHECK (expires_at IS NULL OR expires_at > starts_at),
    FOREIGN KEY (resource_type, subresource_type) REFERENCES resource_subtypes (parent, child)
);
CREATE INDEX access_grants_user_idx ON access_grants (firm_id, user_id);
CREATE INDEX access_grants_resource_idx ON access_grants (firm_id, resource_type, resource_id);
SELECT rbac.lawos_tenant_table('rbac.access_grants');
SELECT rbac.lawos_emit_events('rbac.access_grants', 'access_grant');

CREATE FUNCTION rbac.access_grants_keep() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  RAISE EXCEPTION 'access grants are revoked, never deleted';
END
$fn$;
CREATE TRIGGER access_grants_keep BEFORE DELETE ON access_grants
    FOR EACH ROW EXECUTE FUNCTION rbac.access_grants_keep();

-- Field policies of a firm; one overrides the default for the same key.
CREATE TABLE field_policies (
    id uuid PRIMARY KEY,
    firm_id uuid NOT NULL,
    resource_type text NOT NULL REFERENCES resource_types (code),
    field text NOT NULL CHECK (field ~ '^[a-z][A-Za-z0-9]*(\.[a-z][A-Za-z0-9]*)*$'),
    role text NOT NULL,
    can_read boolean NOT NULL,
    can_write boolean NOT NULL,
    created_by uuid,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX field_policies_key ON field_policies (firm_id, resource_type, field, role);
CREATE INDEX field_policies_firm_idx ON field_policies (firm_id, id);
SELECT rbac.lawos_tenant_table('rbac.field_policies');
SELECT rbac.lawos_emit_events('rbac.field_policies', 'field_policy');

-- Projection of the matters service's members (matter.member_added /
-- matter.member_removed). The matters service owns the history.
CREATE TABLE matter_members (
    firm_id uuid NOT NULL,
    matter_id uuid NOT NULL,
    user_id uuid NOT NULL,
    role text,
    starts_at timestamptz,
    ends_at timestamptz,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (firm_id, matter_id, user_id)
);
CREATE INDEX matter_members_user_idx ON matter_members (firm_id, user_id);
SELECT rbac.lawos_tenant_table('rbac.matter_members');

-- Catalogue seed (rendered by catalogue::seed_sql).
INSERT INTO permissions (scope, module, admin, description) VALUES
    ('firms:create', 'tenants', true, 'Create law firms'),
    ('firms:read', 'tenants', true, 'Read every law firm'),
    ('firms:update', 'tenants', true, 'Update law firms'),
    ('users:create', 'auth', true, 'Provision users'),
    ('users:read', 'auth', true, 'Read users'),
    ('users:update', 'auth', true, 'Update users'),
    ('users:delete', 'auth', true, 'Deactivate users'),
    ('access-grants:create', 'rbac', true, 'Create grants, roles, assignments and field policies'),
    ('access-grants:read', 'rbac', true, 'Read grants, roles, assignments, field policies and capabilities'),
    ('access-grants:revoke', 'rbac', true, 'Revoke grants, end assignments, delete roles and field policies'),
    ('support-access:create', 'auth', true, 'Start support sessions and take locks'),
    ('support-access:read', 'auth', true, 'Read support sessions'),
    ('support-access:revoke', 'auth', true, 'End support sessions and release locks'),
    ('matters:create', 'matters', false, 'Open matters'),
    ('matters:read', 'matters', false, 'Read matters'),
    ('matters:update', 'matters', false, 'Update matters, their members and stages'),
    ('matters:delete', 'matters', false, 'Delete matters'),
    ('clients:create', 'contacts', false, 'Create clients'),
    ('clients:read', 'contacts', false, 'Read clients'),
    ('clients:update', 'contacts', false, 'Update clients'),
    ('clients:delete', 'contacts', false, 'Delete clients'),
    ('documents:create', 'documents', false, 'Upload documents'),
    ('documents:read', 'documents', false, 'Read documents'),
    ('documents:update', 'documents', false, 'Update documents and add versions'),
    ('documents:delete', 'documents', false, 'Delete documents'),
    ('time-entries:create', 'billing', false, 'Record time'),
    ('time-entries:read', 'billing', false, 'Read time entries'),
    ('time-entries:update', 'billing', false, 'Edit time entries'),
    ('time-entries:submit', 'billing', false, 'Submit time entries for approval'),
    ('invoices:read', 'billing', false, 'Read invoices'),
    ('time-entries:approve', 'billing', false, 'Approve or reject submitted time entries'),
    ('invoices:create', 'billing', false, 'Generate invoices'),
    ('invoices:update', 'billing', false, 'Issue and void invoices, record payments and credit notes'),
    ('tasks:create', 'tasks', false, 'Create tasks'),
    ('tasks:read', 'tasks', false, 'Read tasks'),
    ('tasks:update', 'tasks', false, 'Update, assign and complete tasks'),
    ('tasks:delete', 'tasks', false, 'Delete tasks'),
    ('appointments:create', 'tasks', false, 'Schedule appointments'),
    ('appointments:read', 'tasks', false, 'Read appointments'),
    ('appointments:update', 'tasks', false, 'Update appointments and respond'),
    ('appointments:delete', 'tasks', false, 'Cancel appointments'),
    ('channels:create', 'channels', false, 'Open channels'),
    ('channels:read', 'channels', false, 'Read channels'),
    ('channels:update', 'channels', false, 'Update and archive channels'),
    ('messages:create', 'messages', false, 'Send messages'),
    ('messages:read', 'messages', false, 'Read messages'),
    ('messages:delete', 'messages', false, 'Delete messages'),
    ('comments:create', 'messages', false, 'Comment on resources'),
    ('comments:read', 'messages', false, 'Read comments'),
    ('comments:update', 'messages', false, 'Edit comments'),
    ('comments:delete', 'messages', false, 'Delete comments'),
    ('notifications:read', 'notifications', false, 'Read one''s notifications'),
    ('notifications:update', 'notifications', false, 'Mark notifications read, set preferences'),
    ('audit:read', 'events', false, 'Read audit trails');

INSERT INTO builtin_roles (code, description) VALUES
    ('SYSTEM_ADMIN', 'Platform administrator'),
    ('FIRM_ADMIN', 'Administrator of one firm'),
    ('LAWYER', 'Attorney with matter ownership'),
    ('PARALEGAL', 'Legal assistant'),
    ('STAFF', 'Support staff: billing and records'),
    ('PARTNER_ATTORNEY', 'External attorney of a partner firm'),
    ('CLIENT', 'Client portal user');

INSERT INTO builtin_role_permissions (role, scope, reach) VALUES
    ('SYSTEM_ADMIN', 'firms:create', 'ALL'),
    ('SYSTEM_ADMIN', 'firms:read', 'ALL'),
    ('SYSTEM_ADMIN', 'firms:update', 'ALL'),
    ('SYSTEM_ADMIN', 'users:create', 'ALL'),
    ('SYSTEM_ADMIN', 'users:read', 'ALL'),
    ('SYSTEM_ADMIN', 'users:update', 'ALL'),
    ('SYSTEM_ADMIN', 'users:delete', 'ALL'),
    ('SYSTEM_ADMIN', 'access-grants:create', 'ALL'),
    ('SYSTEM_ADMIN', 'access-grants:read', 'ALL'),
    ('SYSTEM_ADMIN', 'access-grants:revoke', 'ALL'),
    ('SYSTEM_ADMIN', 'support-access:create', 'ALL'),
    ('SYSTEM_ADMIN', 'support-access:read', 'ALL'),
    ('SYSTEM_ADMIN', 'support-access:revoke', 'ALL'),
    ('SYSTEM_ADMIN', 'matters:read', 'ALL'),
    ('SYSTEM_ADMIN', 'clients:read', 'ALL'),
    ('SYSTEM_ADMIN', 'documents:read', 'ALL'),
    ('SYSTEM_ADMIN', 'time-entries:read', 'ALL'),
    ('SYSTEM_ADMIN', 'invoices:read', 'ALL'),
    ('SYSTEM_ADMIN', 'tasks:read', 'ALL'),
    ('SYSTEM_ADMIN', 'appointments:read', 'ALL'),
    ('SYSTEM_ADMIN', 'channels:read', 'ALL'),
    ('SYSTEM_ADMIN', 'messages:read', 'ALL'),
    ('SYSTEM_ADMIN', 'comments:read', 'ALL'),
    ('SYSTEM_ADMIN', 'notifications:read', 'ALL'),
    ('SYSTEM_ADMIN', 'audit:read', 'ALL'),
    ('FIRM_ADMIN', 'users:create', 'ALL'),
    ('FIRM_ADMIN', 'users:read', 'ALL'),
    ('FIRM_ADMIN', 'users:update', 'ALL'),
    ('FIRM_ADMIN', 'users:delete', 'ALL'),
    ('FIRM_ADMIN', 'access-grants:create', 'ALL'),
    ('FIRM_ADMIN', 'access-grants:read', 'ALL'),
    ('FIRM_ADMIN', 'access-grants:revoke', 'ALL'),
    ('FIRM_ADMIN', 'matters:read', 'ALL'),
    ('FIRM_ADMIN', 'clients:read', 'ALL'),
    ('FIRM_ADMIN', 'documents:read', 'ALL'),
    ('FIRM_ADMIN', 'time-entries:read', 'ALL'),
    ('FIRM_ADMIN', 'invoices:read', 'ALL'),
    ('FIRM_ADMIN', 'tasks:read', 'ALL'),
    ('FIRM_ADMIN', 'appointments:read', 'ALL'),
    ('FIRM_ADMIN', 'channels:read', 'ALL'),
    ('FIRM_ADMIN', 'messages:read', 'ALL'),
    ('FIRM_ADMIN', 'comments:read', 'ALL'),
    ('FIRM_ADMIN', 'notifications:read', 'ALL'),
    ('FIRM_ADMIN', 'audit:read', 'ALL'),
    ('LAWYER', 'matters:create', 'ALL'),
    ('LAWYER', 'matters:read', 'ALL'),
    ('LAWYER', 'matters:update', 'ALL'),
    ('LAWYER', 'matters:delete', 'ALL'),
    ('LAWYER', 'clients:create', 'ALL'),
    ('LAWYER', 'clients:read', 'ALL'),
    ('LAWYER', 'clients:update', 'ALL'),
    ('LAWYER', 'clients:delete', 'ALL'),
    ('LAWYER', 'documents:create', 'ALL'),
    ('LAWYER', 'documents:read', 'ALL'),
    ('LAWYER', 'documents:update', 'ALL'),
    ('LAWYER', 'documents:delete', 'ALL'),
    ('LAWYER', 'time-entries:create', 'ALL'),
    ('LAWYER', 'time-entries:read', 'ALL'),
    ('LAWYER', 'time-entries:update', 'ALL'),
    ('LAWYER', 'time-entries:submit', 'ALL'),
    ('LAWYER', 'invoices:read', 'ALL'),
    ('LAWYER', 'tasks:create', 'ALL'),
    ('LAWYER', 'tasks:read', 'ALL'),
    ('LAWYER', 'tasks:update', 'ALL'),
    ('LAWYER', 'tasks:delete', 'ALL'),
    ('LAWYER', 'appointments:create', 'ALL'),
    ('LAWYER', 'appointments:read', 'ALL'),
    ('LAWYER', 'appointments:update', 'ALL'),
    ('LAWYER', 'appointments:delete', 'ALL'),
    ('LAWYER', 'channels:create', 'ALL'),
    ('LAWYER', 'channels:read', 'ALL'),
    ('LAWYER', 'channels:update', 'ALL'),
    ('LAWYER', 'messages:create', 'ALL'),
    ('LAWYER', 'messages:read', 'ALL'),
    ('LAWYER', 'messages:delete', 'ALL'),
    ('LAWYER', 'comments:create', 'ALL'),
    ('LAWYER', 'comments:read', 'ALL'),
    ('LAWYER', 'comments:update', 'ALL'),
    ('LAWYER', 'comments:delete', 'ALL'),
    ('LAWYER', 'notifications:read', 'ALL'),
    ('LAWYER', 'notifications:update', 'ALL'),
    ('LAWYER', 'audit:read', 'ALL'),
    ('PARALEGAL', 'matters:read', 'ASSIGNED'),
    ('PARALEGAL', 'matters:update', 'ASSIGNED'),
    ('PARALEGAL', 'clients:read', 'ASSIGNED'),
    ('PARALEGAL', 'documents:create', 'ASSIGNED'),
    ('PARALEGAL', 'documents:read', 'ASSIGNED'),
    ('PARALEGAL', 'documents:update', 'ASSIGNED'),
    ('PARALEGAL', 'tasks:create', 'ASSIGNED'),
    ('PARALEGAL', 'tasks:read', 'ASSIGNED'),
    ('PARALEGAL', 'tasks:update', 'ASSIGNED'),
    ('PARALEGAL', 'appointments:create', 'ASSIGNED'),
    ('PARALEGAL', 'appointments:read', 'ASSIGNED'),
    ('PARALEGAL', 'appointments:update', 'ASSIGNED'),
    ('PARALEGAL', 'appointments:delete', 'ASSIGNED'),
    ('PARALEGAL', 'channels:create', 'ASSIGNED'),
    ('PARALEGAL', 'channels:read', 'ASSIGNED'),
    ('PARALEGAL', 'messages:create', 'ASSIGNED'),
    ('PARALEGAL', 'messages:read', 'ASSIGNED'),
    ('PARALEGAL', 'comments:create', 'ASSIGNED'),
    ('PARALEGAL', 'comments:read', 'ASSIGNED'),
    ('PARALEGAL', 'comments:update', 'ASSIGNED'),
    ('PARALEGAL', 'notifications:read', 'ASSIGNED'),
    ('PARALEGAL', 'notifications:update', 'ASSIGNED'),
    ('STAFF', 'matters:read', 'ALL'),
    ('STAFF', 'clients:read', 'ALL'),
    ('STAFF', 'documents:create', 'ALL'),
    ('STAFF', 'documents:read', 'ALL'),
    ('STAFF', 'documents:update', 'ALL'),
    ('STAFF', 'time-entries:create', 'ALL'),
    ('STAFF', 'time-entries:read', 'ALL'),
    ('STAFF', 'time-entries:update', 'ALL'),
    ('STAFF', 'time-entries:submit', 'ALL'),
    ('STAFF', 'invoices:read', 'ALL'),
    ('STAFF', 'time-entries:approve', 'ALL'),
    ('STAFF', 'invoices:create', 'ALL'),
    ('STAFF', 'invoices:update', 'ALL'),
    ('STAFF', 'tasks:read', 'ALL'),
    ('STAFF', 'appointments:create', 'ALL'),
    ('STAFF', 'appointments:read', 'ALL'),
    ('STAFF', 'appointments:update', 'ALL'),
    ('STAFF', 'appointments:delete', 'ALL'),
    ('STAFF', 'channels:read', 'ALL'),
    ('STAFF', 'messages:create', 'ALL'),
    ('STAFF', 'messages:read', 'ALL'),
    ('STAFF', 'comments:create', 'ALL'),
    ('STAFF', 'comments:read', 'ALL'),
    ('STAFF', 'notifications:read', 'ALL'),
    ('STAFF', 'notifications:update', 'ALL'),
    ('PARTNER_ATTORNEY', 'matters:read', 'ASSIGNED'),
    ('PARTNER_ATTORNEY', 'matters:update', 'ASSIGNED'),
    ('PARTNER_ATTORNEY', 'clients:read', 'ASSIGNED'),
    ('PARTNER_ATTORNEY', 'documents:create', 'ASSIGNED'),
    ('PARTNER_ATTORNEY', 'documents:read', 'ASSIGNED'),
    ('PARTNER_ATTORNEY', 'documents:update', 'ASSIGNED'),
    ('PARTNER_ATTORNEY', 'time-entries:create', 'ASSIGNED'),
    ('PARTNER_ATTORNEY', 'time-entries:read', 'ASSIGNED'),
    ('PARTNER_ATTORNEY', 'time-entries:update', 'ASSIGNED'),
    ('PARTNER_ATTORNEY', 'time-entries:submit', 'ASSIGNED'),
    ('PARTNER_ATTORNEY', 'tasks:read', 'ASSIGNED'),
    ('PARTNER_ATTORNEY', 'tasks:update', 'ASSIGNED'),
    ('PARTNER_ATTORNEY', 'appointments:read', 'ASSIGNED'),
    ('PARTNER_ATTORNEY', 'channels:read', 'ASSIGNED'),
    ('PARTNER_ATTORNEY', 'messages:create', 'ASSIGNED'),
    ('PARTNER_ATTORNEY', 'messages:read', 'ASSIGNED'),
    ('PARTNER_ATTORNEY', 'comments:create', 'ASSIGNED'),
    ('PARTNER_ATTORNEY', 'comments:read', 'ASSIGNED'),
    ('PARTNER_ATTORNEY', 'notifications:read', 'ASSIGNED');

INSERT INTO resource_types (code, description) VALUES
    ('MATTER', 'A matter (the Backstage case); CASE is accepted as an alias'),
    ('CLIENT', 'A client (customer)'),
    ('DOCUMENT', 'A document'),
    ('TIME_ENTRY', 'A time entry'),
    ('TASK', 'A task'),
    ('APPOINTMENT', 'An appointment');

INSERT INTO resource_subtypes (parent, child) VALUES
    ('MATTER', 'DOCUMENT'),
    ('MATTER', 'TIME_ENTRY'),
    ('MATTER', 'TASK'),
    ('MATTER', 'APPOINTMENT'),
    ('CLIENT', 'DOCUMENT');

INSERT INTO default_field_policies (resource_type, field, role, can_read, can_write) VALUES
    ('CLIENT', 'ssn', 'PARALEGAL', false, false);

