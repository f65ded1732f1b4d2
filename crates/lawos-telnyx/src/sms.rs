//! How many SMS parts a text takes. A text of GSM-7 characters (the GSM 03.38
//! alphabet; its extension characters count twice) fits 160 in one part, 153
//! per part when concatenated; anything else is sent as UCS-2: 70 UTF-16 units
//! in one part, 67 per part.

/// The largest number of parts a message may take ([`segments`]): 1,530 GSM-7
/// characters or 670 UCS-2 units.
pub const MAX_PARTS: usize = 10;

const GSM7_BASIC: &str = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?\
¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
const GSM7_EXTENSION: &str = "^{}\\[~]|€\u{000C}";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Gsm7,
    Ucs2,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Segments {
    pub encoding: Encoding,
    /// Septets (GSM-7) or UTF-16 units (UCS-2).
    pub units: usize,
    pub parts: usize,
}

fn gsm7_units(text: &str) -> Option<usize> {
    text.chars().try_fold(0usize, |n, c| {
        if GSM7_BASIC.contains(c) {
            Some(n + 1)
        } else if GSM7_EXTENSION.contains(c) {
            Some(n + 2)
        } else {
            None
        }
    })
}

/// The encoding and number of parts `text` is sent in.
pub fn segments(text: &str) -> Segments {
    let (encoding, units, single, multi) = match gsm7_units(text) {
        Some(units) => (Encoding::Gsm7, units, 160, 153),
        None => (Encoding::Ucs2, text.encode_utf16().count(), 70, 67),
    };
    let parts = if units <= single {
        1
    } else {
        units.div_ceil(multi)
    };
    Segments {
        encoding,
        units,
        parts,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_follow_the_encoding() {
        let s = segments("Hello, your hearing is on Monday at 10:00.");
        assert_eq!((s.encoding, s.parts), (Encoding::Gsm7, 1));
        assert_eq!(segments(&"a".repeat(160)).parts, 1);
        assert_eq!(segments(&"a".repeat(161)).parts, 2);
        assert_eq!(segments(&"a".repeat(1530)).parts, 10);
        assert_eq!(segments(&"a".repeat(1531)).parts, 11);
        // Extension characters take two septets.
        assert_eq!(segments(&"€".repeat(80)).units, 160);
        assert_eq!(segments(&"€".repeat(81)).parts, 2);
        let u = segments("Grüße 👋");
        assert_eq!(u.encoding, Encoding::Ucs2);
        assert_eq!(u.units, 8);
        assert_eq!(segments(&"ж".repeat(71)).parts, 2);
    }
}
