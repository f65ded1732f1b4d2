//! Validated request bodies and query parameters.

pub mod comments;
pub mod messages;
pub mod sms_numbers;

use lawos_core::PageParams;
use schemars::JsonSchema;
use serde::Deserialize;

/// `?cursor=&limit=` of a plain list.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PageQuery {
    pub cursor: Option<String>,
    /// 1–100 (default 20).
    pub limit: Option<i64>,
}

impl PageQuery {
    pub fn page(&self) -> PageParams {
        PageParams {
            cursor: self.cursor.clone(),
            limit: self.limit,
        }
    }
}
