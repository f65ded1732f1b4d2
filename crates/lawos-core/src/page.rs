//! Cursor pagination: `?cursor=&limit=` in, `{"data":[…],"pagination":{…}}` out.

use serde::{Deserialize, Serialize};

use crate::validation::FieldErrors;

pub const DEFAULT_LIMIT: i64 = 20;
pub const MAX_LIMIT: i64 = 100;

/// The query parameters every list endpoint accepts.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct PageParams {
    pub cursor: Option<String>,
    pub limit: Option<i64>,
}

impl PageParams {
    /// The page size, 1..=100 (default 20).
    pub fn limit(&self) -> Result<i64, FieldErrors> {
        match self.limit {
            None => Ok(DEFAULT_LIMIT),
            Some(n) if (1..=MAX_LIMIT).contains(&n) => Ok(n),
            Some(_) => Err(FieldErrors::single(
                "limit",
                crate::ErrorCode::InvalidFieldFormat,
                "must be between 1 and 100",
            )),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Pagination {
    pub next_cursor: Option<String>,
    pub has_more: bool,
    pub total: Option<i64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Page<T> {
    pub data: Vec<T>,
    pub pagination: Pagination,
}

impl<T> Page<T> {
    /// Builds a page from `limit + 1` fetched rows: the extra row only says there is more.
    pub fn from_rows(
        mut rows: Vec<T>,
        limit: i64,
        total: Option<i64>,
        cursor_of: impl FnOnce(&T) -> Result<String, crate::ApiError>,
    ) -> Result<Self, crate::ApiError> {
        let has_more = rows.len() as i64 > limit;
        rows.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
        let next_cursor = match (has_more, rows.last()) {
            (true, Some(last)) => Some(cursor_of(last)?),
            _ => None,
        };
        Ok(Self {
            data: rows,
            pagination: Pagination {
                next_cursor,
                has_more,
                total,
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limit_defaults_and_bounds() {
        assert_eq!(PageParams::default().limit().ok(), Some(20));
        assert!(
            PageParams {
                cursor: None,
                limit: Some(101)
            }
            .limit()
            .is_err()
        );
        assert!(
            PageParams {
                cursor: None,
                limit: Some(0)
            }
            .limit()
            .is_err()
        );
    }

    #[test]
    fn extra_row_means_more() {
        let p = Page::from_rows(vec![1, 2, 3], 2, None, |x| Ok(x.to_string())).unwrap();
        assert_eq!(p.data, vec![1, 2]);
        assert!(p.pagination.has_more);
        assert_eq!(p.pagination.next_cursor.as_deref(), Some("2"));
    }
}
