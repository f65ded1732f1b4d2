//! `Content-Disposition` with a file name (RFC 6266): a quoted ASCII fallback
//! for old clients and the exact UTF-8 name as `filename*` (RFC 8187).

/// `attachment` (or `inline`) with `file_name`, safe whatever the name holds:
/// quotes, backslashes, control characters and non-ASCII never reach the
/// quoted form, and the extended form percent-encodes everything but
/// RFC 8187's `attr-char`.
pub fn content_disposition(inline: bool, file_name: &str) -> String {
    let kind = if inline { "inline" } else { "attachment" };
    let fallback: String = file_name
        .chars()
        .map(|c| match c {
            ' '..='~' if c != '"' && c != '\\' && c != '%' => c,
            _ => '_',
        })
        .collect();
    let fallback = if fallback.trim().is_empty() {
        "download".to_owned()
    } else {
        fallback
    };
    let mut encoded = String::with_capacity(file_name.len() * 3);
    for b in file_name.bytes() {
        if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
            encoded.push(b as char);
        } else {
            encoded.push_str(&format!("%{b:02X}"));
        }
    }
    format!("{kind}; filename=\"{fallback}\"; filename*=UTF-8''{encoded}")
}

#[cfg(test)]
mod tests {
    use super::content_disposition;

    #[test]
    fn plain_names_pass_through() {
        assert_eq!(
            content_disposition(false, "brief.pdf"),
            "attachment; filename=\"brief.pdf\"; filename*=UTF-8''brief.pdf"
        );
    }

    #[test]
    fn quotes_and_unicode_cannot_break_the_header() {
        let h = content_disposition(false, "a\"b\\c\r\nSet-Cookie: x.pdf");
        assert_eq!(
            h,
            "attachment; filename=\"a_b_c__Set-Cookie: x.pdf\"; filename*=UTF-8''a%22b%5Cc%0D%0ASet-Cookie%3A%20x.pdf"
        );
        let h = content_disposition(true, "Schriftsatz – Müller.pdf");
        assert!(h.starts_with("inline; filename=\"Schriftsatz _ M_ller.pdf\""));
        assert!(h.ends_with("filename*=UTF-8''Schriftsatz%20%E2%80%93%20M%C3%BCller.pdf"));
    }
}
