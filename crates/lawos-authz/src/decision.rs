//! The decision for one scope on one resource (ARCHITECTURE §5: scope → reach /
//! grant / wall), made from capabilities alone: no I/O.
//!
//! - A DENY grant (an ethical wall) on the resource, on its parent, or on the
//!   parent's sub-resource hides it, whatever the role's reach.
//! - A scope with reach `ALL` allows it firm-wide; with reach `ASSIGNED` when the
//!   resource is an assigned matter (member or grant), or lies under one.
//! - Without the scope, a grant on the resource (or on its parent) whose action
//!   covers the scope's allows it: `READ` reads, `WRITE` reads and writes,
//!   `DELETE` reads and deletes.
//! - Refused: [`Decision::Forbidden`] (403) when the user may still read the
//!   resource, else [`Decision::Hidden`] (404), so existence is not revealed.

use uuid::Uuid;

use crate::capabilities::{Actions, Capabilities, GrantKey, Reach};

pub const MATTER: &str = "MATTER";
pub const CLIENT: &str = "CLIENT";

/// What a scope asks to do, from its suffix (`matters:read`, `…:create`, `…:update`,
/// `…:write`, `…:delete`; anything else counts as a write).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Read,
    Write,
    Delete,
}

impl Action {
    pub fn of_scope(scope: &str) -> Self {
        match scope.rsplit(':').next() {
            Some("read") => Self::Read,
            Some("delete") => Self::Delete,
            _ => Self::Write,
        }
    }

    fn grant_bits(self) -> u8 {
        match self {
            Self::Read => Actions::READ | Actions::WRITE | Actions::DELETE,
            Self::Write => Actions::WRITE,
            Self::Delete => Actions::DELETE,
        }
    }
}

/// The resource a decision is about: a resource type and id (`MATTER`, `CLIENT`,
/// …), possibly under a parent (a `DOCUMENT` under a `MATTER`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Resource {
    pub kind: &'static str,
    pub id: Uuid,
    pub parent: Option<(&'static str, Uuid)>,
}

impl Resource {
    pub fn new(kind: &'static str, id: Uuid) -> Self {
        Self {
            kind,
            id,
            parent: None,
        }
    }

    pub fn matter(id: Uuid) -> Self {
        Self::new(MATTER, id)
    }

    pub fn client(id: Uuid) -> Self {
        Self::new(CLIENT, id)
    }

    /// This resource as a sub-resource of `kind`/`id` (e.g. a document of a matter).
    pub fn under(mut self, kind: &'static str, id: Uuid) -> Self {
        self.parent = Some((kind, id));
        self
    }

    /// The grant keys that speak about this resource: its own, and for a
    /// sub-resource the parent's and the parent's sub-resource grant.
    fn grant_keys(&self) -> impl Iterator<Item = GrantKey> + '_ {
        let own = match self.parent {
            None => (self.kind.to_owned(), self.id, None, None),
            Some((pk, pid)) => (
                pk.to_owned(),
                pid,
                Some(self.kind.to_owned()),
                Some(self.id),
            ),
        };
        let parent = self
            .parent
            .map(|(pk, pid)| (pk.to_owned(), pid, None, None));
        std::iter::once(own).chain(parent)
    }

    /// The matter this resource is or lies under.
    fn matter_id(&self) -> Option<Uuid> {
        match self.parent {
            _ if self.kind == MATTER => Some(self.id),
            Some((MATTER, id)) => Some(id),
            _ => None,
        }
    }
}

/// The outcome of a decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Allowed,
    /// The user may see the resource but not do this: 403.
    Forbidden,
    /// The user may not see the resource: 404.
    Hidden,
}

impl Capabilities {
    /// Whether an ethical wall stands between the user and `resource`.
    pub fn walled(&self, resource: &Resource) -> bool {
        resource
            .grant_keys()
            .any(|key| self.grant(&key).has(Actions::DENY))
    }

    fn granted(&self, resource: &Resource, action: Action) -> bool {
        let bits = action.grant_bits();
        resource.grant_keys().any(|key| self.grant(&key).has(bits))
    }

    fn assigned(&self, resource: &Resource) -> bool {
        resource
            .matter_id()
            .is_some_and(|m| self.matters.contains(&m))
            || self.granted(resource, Action::Read)
    }

    fn may(&self, scope: &str, action: Action, resource: &Resource) -> bool {
        if self.walled(resource) {
            return false;
        }
        match self.reach(scope) {
            Some(Reach::All) => true,
            Some(Reach::Assigned) => self.assigned(resource) || self.granted(resource, action),
            None => self.granted(resource, action),
        }
    }

    /// May the user use `scope` on `resource`?
    pub fn decide(&self, scope: &str, resource: &Resource) -> Decision {
        let action = Action::of_scope(scope);
        if self.may(scope, action, resource) {
            return Decision::Allowed;
        }
        let read_scope = read_scope_of(scope);
        if action != Action::Read && self.may(&read_scope, Action::Read, resource) {
            Decision::Forbidden
        } else {
            Decision::Hidden
        }
    }

    /// May the user use `scope` at firm level (a list, a create)? Reach decides
    /// what a list shows ([`Capabilities::matter_filter`]), not whether it runs.
    pub fn decide_firm(&self, scope: &str) -> Decision {
        if self.reach(scope).is_some() {
            Decision::Allowed
        } else {
            Decision::Forbidden
        }
    }
}

/// `matters:update` → `matters:read`.
pub fn read_scope_of(scope: &str) -> String {
    match scope.rsplit_once(':') {
        Some((module, _)) => format!("{module}:read"),
        None => format!("{scope}:read"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capabilities::sample::caps;
    use Decision::{Allowed, Forbidden, Hidden};
    use Reach::{All, Assigned};

    #[test]
    fn scopes_name_their_action() {
        assert_eq!(Action::of_scope("matters:read"), Action::Read);
        assert_eq!(Action::of_scope("matters:update"), Action::Write);
        assert_eq!(Action::of_scope("documents:delete"), Action::Delete);
        assert_eq!(read_scope_of("time-entries:approve"), "time-entries:read");
    }

    #[test]
    fn firm_wide_reach_is_narrowed_only_by_a_wall() {
        let (open, walled) = (Uuid::now_v7(), Uuid::now_v7());
        let c = caps(
            &[("matters:read", All), ("matters:update", All)],
            &[],
            &[("MATTER", walled, None, "DENY")],
            &[],
        );
        assert_eq!(c.decide("matters:read", &Resource::matter(open)), Allowed);
        assert_eq!(c.decide("matters:update", &Resource::matter(open)), Allowed);
        assert_eq!(c.decide("matters:read", &Resource::matter(walled)), Hidden);
        assert_eq!(
            c.decide("matters:update", &Resource::matter(walled)),
            Hidden
        );
        let doc = Resource::new("DOCUMENT", Uuid::now_v7()).under(MATTER, walled);
        assert!(c.walled(&doc), "a wall on a matter covers its documents");
    }

    #[test]
    fn assigned_reach_covers_assigned_matters_and_what_lies_under_them() {
        let (mine, other) = (Uuid::now_v7(), Uuid::now_v7());
        let c = caps(
            &[("matters:read", Assigned), ("documents:read", Assigned)],
            &[mine],
            &[],
            &[],
        );
        assert_eq!(c.decide("matters:read", &Resource::matter(mine)), Allowed);
        assert_eq!(c.decide("matters:read", &Resource::matter(other)), Hidden);
        let doc = |m| Resource::new("DOCUMENT", Uuid::now_v7()).under(MATTER, m);
        assert_eq!(c.decide("documents:read", &doc(mine)), Allowed);
        assert_eq!(c.decide("documents:read", &doc(other)), Hidden);
        // Visible but not allowed: 403, not 404.
        assert_eq!(
            c.decide("matters:update", &Resource::matter(mine)),
            Forbidden
        );
        assert_eq!(c.decide_firm("matters:read"), Allowed);
        assert_eq!(c.decide_firm("matters:create"), Forbidden);
    }

    #[test]
    fn grants_give_their_action_without_the_scope() {
        let (client, doc, other_doc) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
        let matter = Uuid::now_v7();
        let c = caps(
            &[],
            &[],
            &[
                ("CLIENT", client, None, "READ"),
                ("MATTER", matter, Some(("DOCUMENT", doc)), "WRITE"),
            ],
            &[],
        );
        assert_eq!(c.decide("clients:read", &Resource::client(client)), Allowed);
        assert_eq!(
            c.decide("clients:update", &Resource::client(client)),
            Forbidden
        );
        assert_eq!(
            c.decide("clients:delete", &Resource::client(client)),
            Forbidden
        );
        let d = Resource::new("DOCUMENT", doc).under(MATTER, matter);
        assert_eq!(c.decide("documents:read", &d), Allowed);
        assert_eq!(c.decide("documents:update", &d), Allowed);
        assert_eq!(c.decide("documents:delete", &d), Forbidden);
        let sibling = Resource::new("DOCUMENT", other_doc).under(MATTER, matter);
        assert_eq!(c.decide("documents:read", &sibling), Hidden);
        assert_eq!(c.decide("matters:read", &Resource::matter(matter)), Hidden);
    }

    #[test]
    fn a_sub_resource_wall_hides_only_that_sub_resource() {
        let (matter, doc) = (Uuid::now_v7(), Uuid::now_v7());
        let c = caps(
            &[("matters:read", All), ("documents:read", All)],
            &[],
            &[("MATTER", matter, Some(("DOCUMENT", doc)), "DENY")],
            &[],
        );
        assert_eq!(c.decide("matters:read", &Resource::matter(matter)), Allowed);
        let walled = Resource::new("DOCUMENT", doc).under(MATTER, matter);
        assert_eq!(c.decide("documents:read", &walled), Hidden);
        let open = Resource::new("DOCUMENT", Uuid::now_v7()).under(MATTER, matter);
        assert_eq!(c.decide("documents:read", &open), Allowed);
    }
}
