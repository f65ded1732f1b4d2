//! Money: integer minor units with an ISO 4217 currency. A time entry's
//! amount is `durationMinutes / 60 × rate` computed exactly in integers (i128)
//! and rounded half-even (banker's rounding) to the minor unit.

/// `minutes / 60 × rate_minor`, rounded half-even; `None` if it does not fit an i64
/// or an input is negative.
pub fn time_amount(minutes: i64, rate_minor: i64) -> Option<i64> {
    if minutes < 0 || rate_minor < 0 {
        return None;
    }
    let product = i128::from(minutes) * i128::from(rate_minor);
    let quotient = product / 60;
    let remainder = product % 60;
    let rounded = match (remainder * 2).cmp(&60) {
        std::cmp::Ordering::Less => quotient,
        std::cmp::Ordering::Greater => quotient + 1,
        std::cmp::Ordering::Equal => quotient + (quotient % 2),
    };
    i64::try_from(rounded).ok()
}

/// Digits after the decimal point of `currency`'s minor unit (ISO 4217).
pub fn exponent(currency: &str) -> u32 {
    match currency {
        "BIF" | "CLP" | "DJF" | "GNF" | "ISK" | "JPY" | "KMF" | "KRW" | "PYG" | "RWF" | "UGX"
        | "UYI" | "VND" | "VUV" | "XAF" | "XOF" | "XPF" => 0,
        "BHD" | "IQD" | "JOD" | "KWD" | "LYD" | "OMR" | "TND" => 3,
        _ => 2,
    }
}

/// `123456` USD → `1,234.56`; negative amounts keep their sign.
pub fn format_minor(amount: i64, currency: &str) -> String {
    let exp = exponent(currency);
    let scale = 10_u64.pow(exp);
    let abs = amount.unsigned_abs();
    let (units, cents) = (abs / scale, abs % scale);
    let digits = units.to_string();
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    let sign = if amount < 0 { "-" } else { "" };
    if exp == 0 {
        format!("{sign}{grouped}")
    } else {
        format!("{sign}{grouped}.{cents:0width$}", width = exp as usize)
    }
}

/// Whether `code` looks like an ISO 4217 code (three capital letters).
pub fn is_currency(code: &str) -> bool {
    code.len() == 3 && code.chars().all(|c| c.is_ascii_uppercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn half_even_rounding_table() {
        // (minutes, rate per hour in minor units, expected amount in minor units)
        let table = [
            (7, 25_000, 2_917),             // 7 min at 250.00/h = 29.1666… → 29.17
            (1, 1, 0),                      // 1 min at 0.01/h = 0.000166… → 0.00
            (30, 1, 0),                     // 0.005 → tie, 0 is even → 0.00
            (90, 1, 2),                     // 0.015 → tie, 2 is even → 0.02
            (30, 3, 2),                     // 1.5 → 2 (even)
            (30, 5, 2),                     // 2.5 → 2 (even)
            (30, 7, 4),                     // 3.5 → 4 (even)
            (6, 12_345, 1_234),             // 1234.5 → 1234 (even)
            (18, 12_345, 3_704),            // 3703.5 → 3704 (even)
            (60, 25_000, 25_000),           // a whole hour
            (45, 30_000, 22_500),           // 0.75 h exactly
            (1, 59, 1),                     // 0.983… → 1
            (1, 29, 0),                     // 0.483… → 0
            (1, 31, 1),                     // 0.516… → 1
            (1_440, 1_000_000, 24_000_000), // a full day at 10,000.00/h
        ];
        for (minutes, rate, expected) in table {
            assert_eq!(
                time_amount(minutes, rate),
                Some(expected),
                "{minutes} min at {rate}/h"
            );
        }
    }

    #[test]
    fn amounts_that_do_not_fit_are_refused() {
        assert_eq!(time_amount(1_440, i64::MAX), None);
        assert_eq!(time_amount(-1, 100), None);
        assert_eq!(time_amount(60, i64::MAX), Some(i64::MAX));
    }

    #[test]
    fn minor_units_format_per_currency() {
        assert_eq!(format_minor(123_456, "USD"), "1,234.56");
        assert_eq!(format_minor(5, "USD"), "0.05");
        assert_eq!(format_minor(-250_000, "EUR"), "-2,500.00");
        assert_eq!(format_minor(1_234_567, "JPY"), "1,234,567");
        assert_eq!(format_minor(1_234, "KWD"), "1.234");
        assert!(is_currency("USD") && !is_currency("usd") && !is_currency("US"));
    }
}
