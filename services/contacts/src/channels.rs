//! How e-mail addresses and phone numbers are compared: addresses lower-cased,
//! numbers normalised to E.164 (`+` and 8–15 digits).

/// `raw` as E.164, or `None` when it is not a phone number. A number starting
/// with `+` or `00` carries its country code; a national number (no prefix) gets
/// `calling_code`, after dropping one national trunk `0` (`020 7946 0958` with
/// `44` → `+442079460958`). Spaces, dots, dashes, slashes and parentheses are
/// ignored.
pub fn e164(raw: &str, calling_code: &str) -> Option<String> {
    let trimmed = raw.trim();
    let international = trimmed.starts_with('+');
    let mut digits = String::new();
    for (i, c) in trimmed.chars().enumerate() {
        match c {
            '0'..='9' => digits.push(c),
            '+' if i == 0 => {}
            ' ' | '.' | '-' | '/' | '(' | ')' => {}
            _ => return None,
        }
    }
    let full = if international {
        digits
    } else if let Some(rest) = digits.strip_prefix("00") {
        rest.to_owned()
    } else if calling_code == "1" && digits.len() == 11 && digits.starts_with('1') {
        digits
    } else {
        let national = digits.strip_prefix('0').unwrap_or(&digits);
        format!("{calling_code}{national}")
    };
    ((8..=15).contains(&full.len()) && !full.starts_with('0')).then(|| format!("+{full}"))
}

/// Whether a search term looks like a phone number rather than a name or address.
pub fn looks_like_phone(term: &str) -> bool {
    let digits = term.chars().filter(char::is_ascii_digit).count();
    digits >= 7
        && term
            .chars()
            .all(|c| c.is_ascii_digit() || " +.-/()".contains(c))
}

pub fn email_key(address: &str) -> String {
    address.trim().to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_in_any_usual_format_normalise_to_one_e164() {
        for raw in [
            "+1 (555) 010-2030",
            "555.010.2030",
            "(555) 010 2030",
            "1-555-010-2030",
            "001 555 010 2030",
        ] {
            assert_eq!(e164(raw, "1").as_deref(), Some("+15550102030"), "{raw}");
        }
        assert_eq!(
            e164("020 7946 0958", "44").as_deref(),
            Some("+442079460958")
        );
        assert_eq!(
            e164("+44 20 7946 0958", "1").as_deref(),
            Some("+442079460958")
        );
        assert_eq!(e164("12", "1"), None);
        assert_eq!(e164("call me", "1"), None);
        assert_eq!(e164("+1234567890123456", "1"), None);
        assert!(looks_like_phone("(555) 010-2030"));
        assert!(!looks_like_phone("Ada Lovelace"));
    }
}
