//! `@mentions` in a comment's Markdown: `@[Display Name](user-uuid)`, the
//! form an editor inserts when a member is picked (the name is for readers;
//! the id is what counts). Each mentioned id must be an active member of the
//! firm (asked of the auth directory); a comment mentions at most
//! [`MAX_MENTIONS`] people.

use uuid::Uuid;

pub const MAX_MENTIONS: usize = 20;

/// The distinct user ids `body` mentions, in order of first appearance.
pub fn parse(body: &str) -> Vec<Uuid> {
    let mut found = Vec::new();
    let mut rest = body;
    while let Some(at) = rest.find("@[") {
        rest = &rest[at + 2..];
        let Some(close) = rest.find("](") else {
            break;
        };
        let name = &rest[..close];
        let after = &rest[close + 2..];
        // A name is one line and holds no bracket: otherwise this is not a mention.
        if name.is_empty() || name.contains(['[', ']', '\n']) {
            continue;
        }
        let Some(end) = after.find(')') else {
            break;
        };
        if let Ok(id) = after[..end].trim().parse::<Uuid>() {
            if !found.contains(&id) {
                found.push(id);
            }
            rest = &after[end + 1..];
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mentions_are_read_from_the_markdown() {
        let (a, b) = (Uuid::now_v7(), Uuid::now_v7());
        let body = format!(
            "Hi @[Ada Lovelace]({a}), can you and @[Bob]( {b} ) check this? cc @[Ada]({a}) \
             — not @[broken](nope), not @Ada"
        );
        assert_eq!(parse(&body), [a, b]);
        assert!(parse(&format!("a link [x]({a}), @[multi\nline]({a})")).is_empty());
        assert!(parse("no mentions, @[unclosed](").is_empty());
        assert!(parse("").is_empty());
    }
}
