//! The results table: one row per series, p50/p95/p99 in milliseconds, and each
//! percentile as a multiple of the same percentile of the baseline.

use std::fmt::Write;
use std::time::Duration;

use crate::stats::Summary;

const LABEL_WIDTH: usize = 44;

/// One line of the table.
#[derive(Debug, Clone)]
pub struct Row {
    pub label: String,
    /// `None` prints dashes (no samples).
    pub summary: Option<Summary>,
    /// Whether to print the ratio columns for this row.
    pub ratio: bool,
}

impl Row {
    pub fn new(label: impl Into<String>, summary: Option<Summary>) -> Self {
        Self {
            label: label.into(),
            summary,
            ratio: true,
        }
    }

    /// A row without ratio columns (a component or a measurement aid, not a result).
    pub fn detail(label: impl Into<String>, summary: Option<Summary>) -> Self {
        Self {
            ratio: false,
            ..Self::new(label, summary)
        }
    }
}

fn ms(d: Duration) -> String {
    format!("{:.2}", d.as_secs_f64() * 1e3)
}

/// `value / base` as `12.3x`; `-` when the base is zero.
pub fn ratio(value: Duration, base: Duration) -> String {
    if base.is_zero() {
        return "-".to_owned();
    }
    format!("{:.1}x", value.as_secs_f64() / base.as_secs_f64())
}

/// The header line and the rows, ratios taken against `baseline`.
pub fn render(baseline: Option<&Summary>, rows: &[Row]) -> String {
    let mut out = format!(
        "{:<LABEL_WIDTH$} {:>6} {:>8} {:>8} {:>8} {:>10} {:>10} {:>10}\n",
        "row", "n", "p50 ms", "p95 ms", "p99 ms", "ratio p50", "ratio p95", "ratio p99"
    );
    for row in rows {
        let _ = write!(out, "{:<LABEL_WIDTH$}", row.label);
        match &row.summary {
            None => {
                let _ = write!(out, " {:>6} {:>8} {:>8} {:>8}", 0, "-", "-", "-");
            }
            Some(s) => {
                let _ = write!(out, " {:>6}", s.n);
                for p in s.percentiles() {
                    let _ = write!(out, " {:>8}", ms(p));
                }
                if let (true, Some(base)) = (row.ratio, baseline) {
                    for (p, b) in s.percentiles().into_iter().zip(base.percentiles()) {
                        let _ = write!(out, " {:>10}", ratio(p, b));
                    }
                }
            }
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary(p50: u64, p95: u64, p99: u64) -> Summary {
        Summary {
            n: 10,
            p50: Duration::from_millis(p50),
            p95: Duration::from_millis(p95),
            p99: Duration::from_millis(p99),
        }
    }

    #[test]
    fn ratios_are_per_percentile() {
        assert_eq!(
            ratio(Duration::from_millis(30), Duration::from_millis(2)),
            "15.0x"
        );
        assert_eq!(ratio(Duration::from_millis(1), Duration::ZERO), "-");
    }

    #[test]
    fn renders_aligned_rows_with_and_without_ratios() {
        let base = summary(2, 4, 8);
        let rows = [
            Row::new("baseline", Some(base)),
            Row::new("audit delay → seen", Some(summary(20, 80, 80))),
            Row::detail("poll cycle", Some(summary(5, 6, 7))),
            Row::new("empty", None),
        ];
        let text = render(Some(&base), &rows);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 5);
        assert!(lines[0].starts_with("row "));
        assert!(
            lines[1].ends_with("1.0x       1.0x       1.0x"),
            "{}",
            lines[1]
        );
        assert!(
            lines[2].ends_with("10.0x      20.0x      10.0x"),
            "{}",
            lines[2]
        );
        assert!(lines[3].ends_with("7.00"), "{}", lines[3]);
        assert!(lines[4].ends_with("-        -        -"), "{}", lines[4]);
        // The arrow counts as one column: every full row is as wide as the header.
        let width = lines[0].chars().count();
        assert_eq!(lines[2].chars().count(), width);
        assert_eq!(lines[3].chars().count() + 33, width);
    }
}
