//! Each service owns a schema named after it, an owner role (NOLOGIN) that owns
//! the schema's objects and runs its migrations, and a runtime role that logs in,
//! is neither superuser nor BYPASSRLS, and has DML on its own schema only.

/// The names of one service's roles and schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceRoles {
    pub schema: String,
    pub owner: String,
    pub runtime: String,
}

impl ServiceRoles {
    pub fn for_service(service: &str) -> Self {
        Self {
            schema: service.to_owned(),
            owner: format!("lawos_{service}_owner"),
            runtime: format!("lawos_{service}"),
        }
    }

    /// The runtime URL derived from the migration URL: same host and database,
    /// the service's runtime role and password.
    pub fn runtime_url(&self, admin_url: &str, password: &str) -> Result<String, url::ParseError> {
        let mut url = url::Url::parse(admin_url)?;
        // Setting user/password only fails on cannot-be-a-base URLs, which parse() of a
        // postgres URL never yields.
        let _ = url.set_username(&self.runtime);
        let _ = url.set_password(Some(password));
        Ok(url.to_string())
    }

    /// Idempotent, race-tolerant DDL creating the roles and the schema and
    /// granting the runtime role what it needs.
    pub fn provision_sql(&self, password: &str) -> String {
        let Self {
            schema,
            owner,
            runtime,
        } = self;
        let password = password.replace('\'', "''");
        format!(
            r#"
DO $$ BEGIN
  CREATE ROLE "{owner}" NOLOGIN NOSUPERUSER NOBYPASSRLS;
EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$;
DO $$ BEGIN
  CREATE ROLE "{runtime}" LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$;
ALTER ROLE "{runtime}" WITH LOGIN NOSUPERUSER NOBYPASSRLS PASSWORD '{password}';
ALTER ROLE "{runtime}" SET search_path = "{schema}";
DO $$ BEGIN
  IF NOT pg_has_role(current_user, '{owner}', 'MEMBER') THEN
    EXECUTE 'GRANT "{owner}" TO ' || quote_ident(current_user);
  END IF;
END $$;
CREATE SCHEMA IF NOT EXISTS "{schema}" AUTHORIZATION "{owner}";
REVOKE ALL ON SCHEMA "{schema}" FROM PUBLIC;
GRANT USAGE ON SCHEMA "{schema}" TO "{runtime}";
"#
        )
    }

    /// Grants run after the migrations so that every table and sequence is covered.
    pub fn grants_sql(&self) -> String {
        let Self {
            schema,
            owner,
            runtime,
        } = self;
        format!(
            r#"
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA "{schema}" TO "{runtime}";
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA "{schema}" TO "{runtime}";
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA "{schema}" TO "{runtime}";
ALTER DEFAULT PRIVILEGES FOR ROLE "{owner}" IN SCHEMA "{schema}"
  GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO "{runtime}";
ALTER DEFAULT PRIVILEGES FOR ROLE "{owner}" IN SCHEMA "{schema}"
  GRANT USAGE, SELECT ON SEQUENCES TO "{runtime}";
"#
        )
    }
}

/// SQL installing `<schema>.lawos_tenant_table(tbl, col, all_firms)`: the migration
/// helper that enables and forces RLS on a table with the firm policy.
pub fn rls_helper_sql(schema: &str) -> String {
    format!(
        r#"
CREATE OR REPLACE FUNCTION "{schema}".lawos_tenant_table(
    tbl regclass, col text DEFAULT 'firm_id', all_firms boolean DEFAULT false)
RETURNS void LANGUAGE plpgsql AS $fn$
DECLARE
  cond text := format('%I = nullif(current_setting(''app.firm_id'', true), '''')::uuid', col);
BEGIN
  IF all_firms THEN
    cond := cond || ' OR current_setting(''app.all_firms'', true) = ''on''';
  END IF;
  EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', tbl);
  EXECUTE format('ALTER TABLE %s FORCE ROW LEVEL SECURITY', tbl);
  EXECUTE format('DROP POLICY IF EXISTS firm_isolation ON %s', tbl);
  EXECUTE format('CREATE POLICY firm_isolation ON %s USING (%s) WITH CHECK (%s)', tbl, cond, cond);
END
$fn$;
"#
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runtime_url_swaps_credentials() {
        let r = ServiceRoles::for_service("tenants");
        let url = r
            .runtime_url("postgres://postgres@127.0.0.1:5432/lawos", "pw")
            .unwrap();
        assert_eq!(url, "postgres://lawos_tenants:pw@127.0.0.1:5432/lawos");
    }
}
