//! The conflict check: which contacts and clients a matter's prospective
//! parties (names, e-mails, phones, a company) may be, each with the rules that
//! matched (`NAME`, `EMAIL`, `PHONE`, `COMPANY`) and the term that matched.
//!
//! The matters where those contacts and clients are parties are the matters
//! service's to answer ([`crate::matters`]): it is asked about
//! [`Findings::contact_ids`] and [`Findings::client_ids`], and its answer is
//! merged into each finding by [`Findings::into_body`].

use serde::Serialize;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::matters::PartyMatter;
use crate::storage::conflicts::{ClientHit, ContactHit};

#[derive(Debug, Clone, Serialize)]
pub struct Match {
    pub rule: &'static str,
    pub value: String,
}

fn matches(
    names: &[String],
    emails: &[String],
    phones: &[String],
    companies: &[String],
) -> Vec<Match> {
    let rule = |rule: &'static str, values: &[String]| {
        values
            .iter()
            .map(move |v| Match {
                rule,
                value: v.clone(),
            })
            .collect::<Vec<_>>()
    };
    [
        rule("NAME", names),
        rule("EMAIL", emails),
        rule("PHONE", phones),
        rule("COMPANY", companies),
    ]
    .concat()
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Finding {
    pub id: Uuid,
    pub summary: Value,
    pub matches: Vec<Match>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Findings {
    pub contacts: Vec<Finding>,
    pub clients: Vec<Finding>,
}

impl Findings {
    pub fn new(contacts: Vec<ContactHit>, clients: Vec<ClientHit>) -> Self {
        Self {
            contacts: contacts
                .into_iter()
                .map(|c| Finding {
                    id: c.id,
                    summary: json!({ "id": c.id, "kind": c.kind, "displayName": c.display_name }),
                    matches: matches(&c.names, &c.emails, &c.phones, &c.companies),
                })
                .collect(),
            clients: clients
                .into_iter()
                .map(|c| Finding {
                    id: c.id,
                    summary: json!({
                        "id": c.id, "type": c.client_type, "fullName": c.full_name,
                        "companyName": c.company_name, "contactId": c.contact_id
                    }),
                    matches: matches(&c.names, &c.emails, &c.phones, &c.companies),
                })
                .collect(),
        }
    }

    /// The matched contacts, and the contacts of the matched clients: whose
    /// matters (as parties) the matters service is to be asked for.
    pub fn contact_ids(&self) -> Vec<Uuid> {
        let mut ids: Vec<Uuid> = self.contacts.iter().map(|c| c.id).collect();
        ids.extend(
            self.clients
                .iter()
                .filter_map(|c| c.summary["contactId"].as_str()?.parse::<Uuid>().ok()),
        );
        ids.sort();
        ids.dedup();
        ids
    }

    /// The matched clients (a matter's `clientId`).
    pub fn client_ids(&self) -> Vec<Uuid> {
        self.clients.iter().map(|c| c.id).collect()
    }

    /// The answer: each finding with its matches and, when matters answered, the
    /// matters where it is a party (`matters`: matter id, number, stage, the
    /// party `role`, and the `rules` that matched the finding); when matters
    /// could not answer, `matters: null` on every finding and
    /// `mattersUnavailable: true`.
    pub fn into_body(self, matters: Option<&[PartyMatter]>) -> Value {
        let body = |f: Finding, client: bool| {
            let mut v = f.summary;
            v["matters"] = match matters {
                None => Value::Null,
                Some(rows) => {
                    let contact = if client {
                        v["contactId"].as_str().and_then(|c| c.parse::<Uuid>().ok())
                    } else {
                        Some(f.id)
                    };
                    let rules: Vec<&str> = {
                        let mut r: Vec<&str> = f.matches.iter().map(|m| m.rule).collect();
                        r.dedup();
                        r
                    };
                    let mut seen = Vec::new();
                    let found: Vec<Value> = rows
                        .iter()
                        .filter(|m| {
                            (contact.is_some() && m.contact_id == contact)
                                || (client && m.client_id == Some(f.id))
                        })
                        .filter(|m| {
                            let key = (m.matter_id, m.role.clone());
                            let fresh = !seen.contains(&key);
                            seen.push(key);
                            fresh
                        })
                        .map(|m| {
                            json!({
                                "id": m.matter_id, "matterNumber": m.matter_number,
                                "stage": m.stage, "role": m.role, "rules": rules
                            })
                        })
                        .collect();
                    json!(found)
                }
            };
            v["matches"] = json!(f.matches);
            v
        };
        json!({
            "contacts": self.contacts.into_iter().map(|f| body(f, false)).collect::<Vec<_>>(),
            "clients": self.clients.into_iter().map(|f| body(f, true)).collect::<Vec<_>>(),
            "mattersUnavailable": matters.is_none(),
        })
    }
}
