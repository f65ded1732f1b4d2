//! The PDF of an issued invoice, rendered with `printpdf` in DejaVu Sans
//! (embedded from `assets/DejaVuSans.ttf`, committed with its licence; nothing
//! is fetched at run time). Its total is the sum of the very line items the
//! JSON answers, checked before anything is written.

use std::sync::OnceLock;

use lawos_core::ApiError;
use printpdf::{
    FontId, Mm, Op, ParsedFont, PdfDocument, PdfFontHandle, PdfPage, PdfSaveOptions, Point, Pt,
    TextItem,
};

use crate::model::InvoiceView;
use crate::money::format_minor;

const FONT: &[u8] = include_bytes!("../assets/DejaVuSans.ttf");
const LINES_PER_PAGE: usize = 38;

fn font() -> Result<&'static ParsedFont, ApiError> {
    static PARSED: OnceLock<Option<ParsedFont>> = OnceLock::new();
    PARSED
        .get_or_init(|| ParsedFont::from_bytes(FONT, 0, &mut Vec::new()))
        .as_ref()
        .ok_or_else(|| ApiError::internal("the embedded invoice font does not parse"))
}

/// What the PDF names besides the invoice itself.
pub struct Parties {
    pub firm_name: Option<String>,
    pub client_name: String,
    pub matter_number: String,
    pub matter_title: String,
}

struct Page {
    ops: Vec<Op>,
    font: FontId,
}

impl Page {
    fn new(font: FontId) -> Self {
        Self {
            ops: Vec::new(),
            font,
        }
    }

    fn text(&mut self, x: f32, y: f32, size: f32, text: impl Into<String>) {
        self.ops.extend([
            Op::StartTextSection,
            Op::SetFont {
                font: PdfFontHandle::External(self.font.clone()),
                size: Pt(size),
            },
            Op::SetTextCursor {
                pos: Point::new(Mm(x), Mm(y)),
            },
            Op::ShowText {
                items: vec![TextItem::Text(text.into())],
            },
            Op::EndTextSection,
        ]);
    }
}

fn clip(text: &str, max: usize) -> String {
    let one_line: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if one_line.chars().count() <= max {
        return one_line;
    }
    let mut cut: String = one_line.chars().take(max.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

fn hours(minutes: Option<i32>) -> String {
    minutes.map_or_else(String::new, |m| {
        format!("{}.{:02}", m / 60, (m % 60) * 100 / 60)
    })
}

/// The invoice as PDF bytes.
pub fn render(invoice: &InvoiceView, parties: &Parties) -> Result<Vec<u8>, ApiError> {
    let lines_total: i64 = invoice.line_items.iter().map(|l| l.amount_minor).sum();
    if lines_total != invoice.total_minor {
        return Err(ApiError::internal(format!(
            "invoice {} lines sum to {lines_total}, its total is {}",
            invoice.id, invoice.total_minor
        )));
    }
    let number = invoice
        .invoice_number
        .clone()
        .unwrap_or_else(|| "DRAFT".to_owned());
    let cur = invoice.currency.as_str();
    let mut doc = PdfDocument::new(&format!("Invoice {number}"));
    let font = doc.add_font(font()?);
    let mut pages = Vec::new();
    let mut page = Page::new(font.clone());
    page.text(20.0, 275.0, 20.0, format!("Invoice {number}"));
    if let Some(firm) = &parties.firm_name {
        page.text(130.0, 275.0, 11.0, clip(firm, 40));
    }
    let date = |d: Option<chrono::NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
    page.text(
        20.0,
        265.0,
        10.0,
        format!(
            "Issue date: {}    Due date: {}",
            date(invoice.issue_date),
            date(invoice.due_date)
        ),
    );
    page.text(
        20.0,
        259.0,
        10.0,
        format!("Bill to: {}", clip(&parties.client_name, 70)),
    );
    page.text(
        20.0,
        253.0,
        10.0,
        format!(
            "Matter: {} {}",
            parties.matter_number,
            clip(&parties.matter_title, 60)
        ),
    );
    page.text(
        20.0,
        247.0,
        10.0,
        format!("Period: {} to {}", invoice.period_start, invoice.period_end),
    );
    if invoice.status == "VOID" {
        page.text(130.0, 265.0, 14.0, "VOID");
    }
    let header = |p: &mut Page, y: f32| {
        p.text(20.0, y, 9.0, "Date");
        p.text(42.0, y, 9.0, "Description");
        p.text(140.0, y, 9.0, "Hours");
        p.text(155.0, y, 9.0, "Rate");
        p.text(175.0, y, 9.0, format!("Amount ({cur})"));
    };
    let mut y = 235.0;
    header(&mut page, y);
    for (i, line) in invoice.line_items.iter().enumerate() {
        if i > 0 && i % LINES_PER_PAGE == 0 {
            pages.push(PdfPage::new(
                Mm(210.0),
                Mm(297.0),
                std::mem::take(&mut page.ops),
            ));
            y = 275.0;
            header(&mut page, y);
        }
        y -= 5.5;
        page.text(20.0, y, 8.5, date(line.service_date));
        page.text(42.0, y, 8.5, clip(&line.description, 62));
        page.text(140.0, y, 8.5, hours(line.quantity_minutes));
        page.text(
            155.0,
            y,
            8.5,
            line.rate_minor
                .map(|r| format_minor(r, cur))
                .unwrap_or_default(),
        );
        page.text(175.0, y, 8.5, format_minor(line.amount_minor, cur));
    }
    if y < 45.0 {
        pages.push(PdfPage::new(
            Mm(210.0),
            Mm(297.0),
            std::mem::take(&mut page.ops),
        ));
        y = 275.0;
    }
    let totals = [
        ("Total", invoice.total_minor),
        ("Credited", invoice.credited_minor),
        ("Paid", invoice.paid_minor),
        ("Balance due", invoice.balance_minor),
    ];
    y -= 10.0;
    for (label, amount) in totals {
        page.text(130.0, y, 10.0, label);
        page.text(
            160.0,
            y,
            10.0,
            format!("{cur} {}", format_minor(amount, cur)),
        );
        y -= 6.0;
    }
    pages.push(PdfPage::new(Mm(210.0), Mm(297.0), page.ops));
    let options = PdfSaveOptions {
        optimize: true,
        subset_fonts: true,
        secure: true,
        image_optimization: None,
    };
    Ok(doc.with_pages(pages).save(&options, &mut Vec::new()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hours_and_clipping() {
        assert_eq!(hours(Some(90)), "1.50");
        assert_eq!(hours(Some(7)), "0.11");
        assert_eq!(clip("abcdef", 4), "abc…");
        assert_eq!(clip("a\nb", 10), "a b");
    }
}
