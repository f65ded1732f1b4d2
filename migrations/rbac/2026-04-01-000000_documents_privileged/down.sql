DELETE FROM builtin_role_permissions WHERE scope = 'documents:privileged';
DELETE FROM permissions WHERE scope = 'documents:privileged';
