//! The conflict check's queries: contacts (archived ones too) and clients that
//! match any term, with the terms each matched, by rule.

use diesel::QueryableByName;
use diesel::sql_types::{Array, Nullable, Text, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use lawos_authz::MatterFilter;
use lawos_core::ApiError;
use uuid::Uuid;

use crate::input::conflict::ConflictTerms;

#[derive(Debug, QueryableByName)]
pub struct ContactHit {
    #[diesel(sql_type = SqlUuid)]
    pub id: Uuid,
    #[diesel(sql_type = Text)]
    pub kind: String,
    #[diesel(sql_type = Text)]
    pub display_name: String,
    #[diesel(sql_type = Array<Text>)]
    pub names: Vec<String>,
    #[diesel(sql_type = Array<Text>)]
    pub emails: Vec<String>,
    #[diesel(sql_type = Array<Text>)]
    pub phones: Vec<String>,
    #[diesel(sql_type = Array<Text>)]
    pub companies: Vec<String>,
}

#[derive(Debug, QueryableByName)]
pub struct ClientHit {
    #[diesel(sql_type = SqlUuid)]
    pub id: Uuid,
    #[diesel(sql_type = Text)]
    pub client_type: String,
    #[diesel(sql_type = Nullable<Text>)]
    pub full_name: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub company_name: Option<String>,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    pub contact_id: Option<Uuid>,
    #[diesel(sql_type = Array<Text>)]
    pub names: Vec<String>,
    #[diesel(sql_type = Array<Text>)]
    pub emails: Vec<String>,
    #[diesel(sql_type = Array<Text>)]
    pub phones: Vec<String>,
    #[diesel(sql_type = Array<Text>)]
    pub companies: Vec<String>,
}

/// Name similarity (whole, or word-wise) from which a name matches.
pub const NAME_MATCH: f64 = 0.45;
pub const WORD_MATCH: f64 = 0.6;

const CONTACTS: &str = "
select * from (
  select c.id, c.kind, c.display_name,
    array(select n from unnest($1::text[]) n where public.similarity(c.search_name, n) >= $5
                                               or public.word_similarity(n, c.search_name) >= $6) as names,
    array(select e from unnest($2::text[]) e where c.email_keys @> jsonb_build_array(e)) as emails,
    array(select p from unnest($3::text[]) p where c.phone_keys @> jsonb_build_array(p)) as phones,
    array(select k from unnest($4::text[]) k where c.kind = 'ORGANIZATION'
            and (public.similarity(lower(c.organization_name), k) >= $5
                 or public.word_similarity(k, lower(c.organization_name)) >= $6)) as companies
  from contacts.contacts c where c.deleted_at is null) x
where cardinality(names) + cardinality(emails) + cardinality(phones) + cardinality(companies) > 0
order by id limit 200";

const CLIENTS: &str = "
select * from (
  select k.id, k.client_type, k.full_name, k.company_name, k.contact_id,
    array(select n from unnest($1::text[]) n where k.full_name is not null
            and (public.similarity(lower(k.full_name), n) >= $5 or public.word_similarity(n, lower(k.full_name)) >= $6)) as names,
    array(select e from unnest($2::text[]) e where lower(k.email) = e) as emails,
    array(select p from unnest($3::text[]) p where k.phone = p) as phones,
    array(select c from unnest($4::text[]) c where k.company_name is not null
            and (public.similarity(lower(k.company_name), c) >= $5 or public.word_similarity(c, lower(k.company_name)) >= $6)) as companies
  from contacts.clients k
  where k.deleted_at is null
    and ($7::uuid[] is null or k.id = any($7))
    and not (k.id = any($8))) x
where cardinality(names) + cardinality(emails) + cardinality(phones) + cardinality(companies) > 0
order by id limit 200";

pub async fn contacts(
    conn: &mut AsyncPgConnection,
    t: &ConflictTerms,
) -> Result<Vec<ContactHit>, ApiError> {
    Ok(diesel::sql_query(CONTACTS)
        .bind::<Array<Text>, _>(t.names.clone())
        .bind::<Array<Text>, _>(t.emails.clone())
        .bind::<Array<Text>, _>(t.phones.clone())
        .bind::<Array<Text>, _>(t.companies.clone())
        .bind::<diesel::sql_types::Double, _>(NAME_MATCH)
        .bind::<diesel::sql_types::Double, _>(WORD_MATCH)
        .load(conn)
        .await?)
}

/// Clients matching `t` among those `visible` admits.
pub async fn clients(
    conn: &mut AsyncPgConnection,
    t: &ConflictTerms,
    visible: &MatterFilter,
) -> Result<Vec<ClientHit>, ApiError> {
    let (only, except) = match visible {
        MatterFilter::Only(ids) => (Some(ids.clone()), Vec::new()),
        MatterFilter::AllExcept(ids) => (None, ids.clone()),
    };
    Ok(diesel::sql_query(CLIENTS)
        .bind::<Array<Text>, _>(t.names.clone())
        .bind::<Array<Text>, _>(t.emails.clone())
        .bind::<Array<Text>, _>(t.phones.clone())
        .bind::<Array<Text>, _>(t.companies.clone())
        .bind::<diesel::sql_types::Double, _>(NAME_MATCH)
        .bind::<diesel::sql_types::Double, _>(WORD_MATCH)
        .bind::<Nullable<Array<SqlUuid>>, _>(only)
        .bind::<Array<SqlUuid>, _>(except)
        .load(conn)
        .await?)
}
