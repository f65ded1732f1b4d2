//! The three-way decision for one field of a synced record: MyCase's value
//! now against MyCase's value at the last sync (did MyCase change it?), and
//! LawOS's value now against LawOS's value right after the last sync (did
//! LawOS change it?). MyCase's change is taken when LawOS left the field
//! alone; a field changed on both sides keeps the LawOS value and is a
//! conflict, unless both sides already agree.

use serde_json::{Map, Value};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Nothing to write: MyCase did not change it, or LawOS already agrees.
    Keep,
    /// Write MyCase's value.
    Take,
    /// Changed on both sides: the LawOS value stays, the run records it.
    Conflict,
}

/// Both sides' values of a record at its last sync (empty before the first).
#[derive(Debug, Clone, Default)]
pub struct Base {
    pub remote: Map<String, Value>,
    pub local: Map<String, Value>,
}

impl Base {
    pub fn new(remote: &Value, local: &Value) -> Self {
        Self {
            remote: remote.as_object().cloned().unwrap_or_default(),
            local: local.as_object().cloned().unwrap_or_default(),
        }
    }

    /// `field`: MyCase's value now (`remote`), LawOS's now (`local`), and the
    /// LawOS value MyCase's calls for (`wanted`).
    pub fn decide(&self, field: &str, remote: &Value, local: &Value, wanted: &Value) -> Decision {
        if self.remote.get(field) == Some(remote) || local == wanted {
            return Decision::Keep;
        }
        let lawos_changed = self.local.get(field).is_some_and(|was| was != local);
        if lawos_changed {
            Decision::Conflict
        } else {
            Decision::Take
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn base() -> Base {
        Base::new(&json!({"title": "A"}), &json!({"title": "A"}))
    }

    #[test]
    fn mycase_changes_are_taken_where_lawos_left_the_field_alone() {
        let b = base();
        let (a, b2) = (json!("A"), json!("B"));
        assert_eq!(b.decide("title", &a, &a, &a), Decision::Keep);
        assert_eq!(b.decide("title", &b2, &a, &b2), Decision::Take);
        // LawOS alone changed it: it stays.
        assert_eq!(b.decide("title", &a, &json!("L"), &a), Decision::Keep);
    }

    #[test]
    fn both_sides_changed_is_a_conflict_unless_they_agree() {
        let b = base();
        let (m, l) = (json!("M"), json!("L"));
        assert_eq!(b.decide("title", &m, &l, &m), Decision::Conflict);
        assert_eq!(b.decide("title", &m, &m, &m), Decision::Keep);
    }

    #[test]
    fn a_field_never_synced_is_taken() {
        let b = Base::default();
        let v = json!("x");
        assert_eq!(b.decide("title", &v, &json!(null), &v), Decision::Take);
    }
}
