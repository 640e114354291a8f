//! Offset pagination with a bounded limit; every list is ordered deterministically.

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::error::ApiError;

pub const DEFAULT_LIMIT: u32 = 20;
pub const MAX_LIMIT: u32 = 100;

#[derive(Debug, Deserialize, IntoParams, Clone, Copy)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct PageParams {
    /// Items per page (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<u32>,
    /// Items to skip (default 0).
    #[param(value_type = Option<u64>, maximum = 4294967295_u64)]
    pub offset: Option<u32>,
}

impl PageParams {
    /// Refuses a limit outside 1 to [`MAX_LIMIT`], naming the parameter.
    pub fn checked(self) -> Result<Self, ApiError> {
        match self.limit {
            Some(l) if !(1..=MAX_LIMIT).contains(&l) => Err(ApiError::field(
                "limit",
                "out_of_range",
                format!("limit is 1 to {MAX_LIMIT}"),
            )),
            _ => Ok(self),
        }
    }

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
