//! Offset pagination with a capped limit; every list is ordered deterministically.

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

pub const DEFAULT_LIMIT: u32 = 20;
pub const MAX_LIMIT: u32 = 100;

#[derive(Debug, Deserialize, IntoParams, Clone, Copy)]
pub struct PageParams {
    /// Items per page, 1 to 100 (default 20).
    pub limit: Option<u32>,
    /// Items to skip (default 0).
    pub offset: Option<u32>,
}

impl PageParams {
    pub fn limit(&self) -> u32 {
        self.limit.unwrap_or(DEFAULT_LIMIT).clamp(1, MAX_LIMIT)
    }
    pub fn offset(&self) -> u32 {
        self.offset.unwrap_or(0)
    }
}

/// One page of a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct Page<T: ToSchema> {
    pub items: Vec<T>,
    /// Items in the whole list.
    pub total: u64,
    pub limit: u32,
    pub offset: u32,
}

impl<T: ToSchema> Page<T> {
    /// Slices an in-memory list.
    pub fn of(all: Vec<T>, p: PageParams) -> Self {
        let total = all.len() as u64;
        let items = all
            .into_iter()
            .skip(p.offset() as usize)
            .take(p.limit() as usize)
            .collect();
        Page {
            items,
            total,
            limit: p.limit(),
            offset: p.offset(),
        }
    }
}
