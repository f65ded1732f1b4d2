-- The identity schema of the platform token issuer (the auth service).
--
-- Platform tables (no firm: signing keys, the user mirror, local credentials,
-- service accounts, sessions and refresh tokens) carry no row-level security;
-- like every table of the schema they are reachable only by the auth runtime
-- role. Firm user profiles are tenant rows with the firm policy.

-- ES256 signing keys. The private key (PKCS#8) is encrypted with AES-256-GCM
-- under the master key named by master_key_id: private_key = nonce (12 bytes)
-- || ciphertext || tag. A key is published in the JWKS from created_at, signs
-- from not_before (publish-ahead), and leaves the JWKS after retire_after (the
-- expiry of the last token it can have signed).
CREATE TABLE signing_keys (
    kid text PRIMARY KEY,
    algorithm text NOT NULL DEFAULT 'ES256' CHECK (algorithm = 'ES256'),
    public_jwk jsonb NOT NULL,
    private_key bytea NOT NULL,
    master_key_id text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    not_before timestamptz NOT NULL,
    retire_after timestamptz
);
CREATE INDEX signing_keys_not_before_idx ON signing_keys (not_before DESC);

-- The user mirror: one row per identity (issuer + subject), local or external.
CREATE TABLE users (
    id uuid PRIMARY KEY,
    issuer text NOT NULL,
    subject text NOT NULL,
    email text NOT NULL CHECK (email = lower(email) AND email LIKE '%_@_%'),
    full_name text NOT NULL CHECK (length(full_name) BETWEEN 1 AND 200),
    platform_role text CHECK (platform_role IN ('SYSTEM_ADMIN')),
    is_active boolean NOT NULL DEFAULT true,
    synced_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    deleted_at timestamptz
);
CREATE UNIQUE INDEX users_email_key ON users (email);
CREATE UNIQUE INDEX users_issuer_subject_key ON users (issuer, subject);
SELECT auth.lawos_emit_events('auth.users', 'user');

-- Passwords of the embedded identity provider (argon2id PHC strings).
CREATE TABLE local_credentials (
    user_id uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    password_hash text NOT NULL CHECK (password_hash LIKE '$argon2id$%'),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- A user's profile in one firm: role and the fields the user edits.
CREATE TABLE firm_user_profiles (
    firm_id uuid NOT NULL,
    user_id uuid NOT NULL REFERENCES users (id),
    role text NOT NULL CHECK (role IN ('FIRM_ADMIN', 'LAWYER', 'PARALEGAL', 'STAFF', 'PARTNER_ATTORNEY', 'CLIENT')),
    is_lawyer boolean NOT NULL DEFAULT false,
    title text CHECK (length(title) <= 200),
    phone text CHECK (length(phone) <= 40),
    preferences jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(preferences) = 'object'),
    is_active boolean NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    deleted_at timestamptz,
    PRIMARY KEY (firm_id, user_id)
);
CREATE INDEX firm_user_profiles_user_idx ON firm_user_profiles (user_id, firm_id);
-- Login looks a user's firms up before a firm is known: platform reads (app.all_firms).
SELECT auth.lawos_tenant_table('auth.firm_user_profiles', 'firm_id', true);
SELECT auth.lawos_emit_events('auth.firm_user_profiles', 'firm_user_profile', 'firm_id', 'user_id');

-- Service accounts for client_credentials (service-to-service calls).
CREATE TABLE service_accounts (
    id uuid PRIMARY KEY,
    name text NOT NULL CHECK (name ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
    client_id text NOT NULL,
    secret_hash text NOT NULL CHECK (secret_hash LIKE '$argon2id$%'),
    scopes text[] NOT NULL DEFAULT '{}',
    is_active boolean NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX service_accounts_name_key ON service_accounts (name);
CREATE UNIQUE INDEX service_accounts_client_id_key ON service_accounts (client_id);

-- A login session = a refresh-token family; its id is the tokens' `sid`.
-- Reusing a spent refresh token revokes the whole session.
CREATE TABLE sessions (
    id uuid PRIMARY KEY,
    user_id uuid NOT NULL REFERENCES users (id),
    firm_id uuid,
    client_id text NOT NULL,
    scope text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now(),
    revoked_at timestamptz,
    revoked_reason text CHECK (revoked_reason IN ('revoked', 'reuse_detected'))
);
CREATE INDEX sessions_user_idx ON sessions (user_id);

-- Opaque refresh tokens, stored as SHA-256; each is used once.
CREATE TABLE refresh_tokens (
    id uuid PRIMARY KEY,
    session_id uuid NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    token_hash bytea NOT NULL CHECK (length(token_hash) = 32),
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    used_at timestamptz
);
CREATE UNIQUE INDEX refresh_tokens_hash_key ON refresh_tokens (token_hash);
CREATE INDEX refresh_tokens_session_idx ON refresh_tokens (session_id);
