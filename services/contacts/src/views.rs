//! What clients look like in responses: PII opened only for users whose field
//! policy lets them read it, then every unreadable field removed. A service
//! principal (no user, so no field policy) never receives PII: it needs a
//! client's existence and data, not its SSN.

use lawos_authz::Access;
use lawos_core::ApiError;
use serde_json::{Value, json};

use crate::access::CLIENT;
use crate::model::{Client, ClientPii};
use crate::pii::{PiiKey, Sealed};

pub const SSN: &str = "ssn";
pub const DATE_OF_BIRTH: &str = "dateOfBirth";
pub const PII_FIELDS: [&str; 2] = [SSN, DATE_OF_BIRTH];

/// The client as `access` may see it; `pii` holds (at least) its sealed fields.
pub fn client(
    access: &Access,
    key: &PiiKey,
    c: &Client,
    pii: &[ClientPii],
) -> Result<Value, ApiError> {
    let mut body = json!({
        "id": c.id,
        "firmId": c.firm_id,
        "type": c.client_type,
        "fullName": c.full_name,
        "companyName": c.company_name,
        "email": c.email,
        "phone": c.phone,
        "address": c.address,
        "status": c.status,
        "contactId": c.contact_id,
        "createdBy": c.created_by,
        "updatedBy": c.updated_by,
        "createdAt": c.created_at,
        "updatedAt": c.updated_at,
    });
    for field in PII_FIELDS {
        if !may_read(access, field) {
            continue;
        }
        body[field] = match pii.iter().find(|p| p.client_id == c.id && p.field == field) {
            None => Value::Null,
            Some(row) => {
                let sealed = Sealed {
                    ciphertext: row.ciphertext.clone(),
                    key_id: row.key_id.clone(),
                };
                Value::String(key.open(c.id, field, &sealed)?)
            }
        };
    }
    access.redact(CLIENT, &mut body);
    Ok(body)
}

fn may_read(access: &Access, field: &str) -> bool {
    access.capabilities().is_some() && access.can_read_field(CLIENT, field)
}

/// Whether a response for `access` needs the sealed fields at all.
pub fn reads_pii(access: &Access) -> bool {
    PII_FIELDS.iter().any(|f| may_read(access, f))
}
