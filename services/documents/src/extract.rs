//! Text for search, from a version's bytes: plain text and Markdown as they
//! are (UTF-8, invalid sequences replaced), PDF through `lopdf`'s text
//! extraction (the text layer; scanned images carry none: OCR is out of scope).
//! Anything else has no text to extract.

/// The most text kept per version for the index (PostgreSQL's tsvector has a
/// size limit; the head of a long document is what search needs most).
pub const MAX_CHARS: usize = 200_000;

/// What extraction made of a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Extracted {
    Text(String),
    /// A type without text extraction.
    Unsupported,
}

/// Which extractor a file needs, from its media type or, for the generic
/// types, its name.
fn kind(mime_type: &str, file_name: &str) -> Option<&'static str> {
    let mime = mime_type.split(';').next().unwrap_or_default().trim();
    let ext = file_name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match (mime, ext.as_str()) {
        ("application/pdf", _) | (_, "pdf") => Some("pdf"),
        ("text/plain" | "text/markdown" | "text/x-markdown", _) => Some("text"),
        ("application/octet-stream", "txt" | "md" | "markdown") => Some("text"),
        _ => None,
    }
}

/// Whether `extract` would read this file at all.
pub fn supported(mime_type: &str, file_name: &str) -> bool {
    kind(mime_type, file_name).is_some()
}

/// The text of `bytes`; `Err` when a PDF cannot be parsed.
pub fn extract(mime_type: &str, file_name: &str, bytes: &[u8]) -> Result<Extracted, String> {
    let text = match kind(mime_type, file_name) {
        None => return Ok(Extracted::Unsupported),
        Some("pdf") => pdf_text(bytes)?,
        Some(_) => String::from_utf8_lossy(bytes).into_owned(),
    };
    Ok(Extracted::Text(clean(&text)))
}

fn pdf_text(bytes: &[u8]) -> Result<String, String> {
    let doc = lopdf::Document::load_mem(bytes).map_err(|e| format!("not a readable PDF: {e}"))?;
    let pages: Vec<u32> = doc.get_pages().keys().copied().collect();
    if pages.is_empty() {
        return Ok(String::new());
    }
    doc.extract_text(&pages)
        .map_err(|e| format!("PDF text: {e}"))
}

/// No NUL bytes (PostgreSQL text refuses them), whitespace runs folded, at
/// most [`MAX_CHARS`] characters.
fn clean(text: &str) -> String {
    let mut out = String::with_capacity(text.len().min(MAX_CHARS));
    let mut space = false;
    let mut count = 0;
    for c in text.chars() {
        if count >= MAX_CHARS {
            break;
        }
        if c == '\0' || c.is_whitespace() || c.is_control() {
            space = !out.is_empty();
            continue;
        }
        if space {
            out.push(' ');
            space = false;
            count += 1;
        }
        out.push(c);
        count += 1;
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn text_and_markdown_are_read_as_they_are() {
        let got = extract(
            "text/markdown",
            "notes.md",
            b"# Title\n\nSome  \0 words\r\n",
        )
        .unwrap();
        assert_eq!(got, Extracted::Text("# Title Some words".into()));
        let got = extract("application/octet-stream", "readme.TXT", b"plain").unwrap();
        assert_eq!(got, Extracted::Text("plain".into()));
    }

    #[test]
    fn other_types_have_no_text() {
        assert_eq!(
            extract("image/png", "scan.png", b"\x89PNG").unwrap(),
            Extracted::Unsupported
        );
        assert!(!supported("application/zip", "a.zip"));
        assert!(supported("application/pdf", "x"));
    }

    /// A one-page PDF whose text layer says `text`.
    pub(crate) fn pdf(text: &str) -> Vec<u8> {
        use lopdf::content::{Content, Operation};
        use lopdf::{Document, Object, Stream, dictionary};
        let mut doc = Document::with_version("1.5");
        let pages_id = doc.new_object_id();
        let font_id = doc.add_object(dictionary! {
            "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica", "Encoding" => "WinAnsiEncoding",
        });
        let resources_id =
            doc.add_object(dictionary! { "Font" => dictionary! { "F1" => font_id } });
        let content = Content {
            operations: vec![
                Operation::new("BT", vec![]),
                Operation::new("Tf", vec!["F1".into(), 14.into()]),
                Operation::new("Td", vec![72.into(), 720.into()]),
                Operation::new("Tj", vec![Object::string_literal(text)]),
                Operation::new("ET", vec![]),
            ],
        };
        let content_id = doc.add_object(Stream::new(dictionary! {}, content.encode().unwrap()));
        let page_id = doc.add_object(dictionary! {
            "Type" => "Page", "Parent" => pages_id, "Contents" => content_id,
        });
        doc.objects.insert(
            pages_id,
            Object::Dictionary(dictionary! {
                "Type" => "Pages", "Kids" => vec![page_id.into()], "Count" => 1,
                "Resources" => resources_id, "MediaBox" => vec![0.into(), 0.into(), 612.into(), 792.into()],
            }),
        );
        let catalog_id = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
        doc.trailer.set("Root", catalog_id);
        let mut out = Vec::new();
        doc.save_to(&mut out).unwrap();
        out
    }

    #[test]
    fn a_pdf_text_layer_is_read() {
        let got = extract(
            "application/pdf",
            "a.pdf",
            &pdf("The indemnification clause survives."),
        )
        .unwrap();
        assert_eq!(
            got,
            Extracted::Text("The indemnification clause survives.".into())
        );
    }

    #[test]
    fn a_broken_pdf_is_an_error() {
        assert!(extract("application/pdf", "x.pdf", b"%PDF-1.4 nonsense").is_err());
    }
}
