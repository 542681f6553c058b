//! Turning "fetch the page at this offset" into one page or a lazy stream, with guard rails,
//! whatever the service's `offset` counts.
//!
//! Huawei's documents call `offset` a row offset in places and a "start page" in others. The
//! caller always counts rows; the client finds out what the service counts the first time a
//! listing needs a second page, remembers it per operation, and translates (see
//! [`reader`]).

mod reader;
mod unit;

use std::future::Future;

use dataarts_release_raw::Operation;
use futures::stream::{self, BoxStream, StreamExt};

use crate::error::Result;
use crate::model::Page;

use self::reader::Reader;
pub(crate) use self::unit::OffsetUnits;

/// Pages from row `offset` on, `limit` rows per request; `fetch(offset, limit)` sends one
/// request. Stops after an empty or short answer or once `total` rows were passed; an item
/// the listing already returned is not returned again. Errors when the server sends the same
/// page twice, when its answers fit neither a row offset nor a page index, and when it ends
/// the listing before the `total` it reports.
pub(crate) fn pages<'a, T, F, Fut>(
    operation: Operation,
    units: &'a OffsetUnits,
    offset: u32,
    limit: u32,
    key: fn(&T) -> String,
    fetch: F,
) -> BoxStream<'a, Result<Page<T>>>
where
    T: Send + 'a,
    F: FnMut(u32, u32) -> Fut + Send + 'a,
    Fut: Future<Output = Result<Page<T>>> + Send + 'a,
{
    let reader = Reader::new(operation, units, offset, limit, key, fetch);
    stream::unfold(reader, |mut r| async move {
        let next = r.next().await?;
        Some((next, r))
    })
    .boxed()
}

/// Up to `limit` items from row `offset` on, as one page: usually one request; more when the
/// unit is still unknown or a page-counting service needs two pages for an unaligned offset.
pub(crate) async fn one_page<T, F, Fut>(
    operation: Operation,
    units: &OffsetUnits,
    offset: u32,
    limit: u32,
    key: fn(&T) -> String,
    fetch: F,
) -> Result<Page<T>>
where
    F: FnMut(u32, u32) -> Fut,
    Fut: Future<Output = Result<Page<T>>>,
{
    let mut reader = Reader::new(operation, units, offset, limit, key, fetch);
    let wanted = limit as usize;
    let mut out = Page {
        items: Vec::new(),
        total: None,
        offset,
        limit,
    };
    while out.items.len() < wanted {
        let Some(page) = reader.next().await else {
            break;
        };
        let page = page?;
        out.items.extend(page.items);
        out.total = page.total;
    }
    out.items.truncate(wanted);
    Ok(out)
}

/// The items of [`pages`], one by one.
pub(crate) fn items<'a, T: Send + 'a>(
    pages: BoxStream<'a, Result<Page<T>>>,
) -> BoxStream<'a, Result<T>> {
    pages
        .flat_map(|page| match page {
            Ok(p) => stream::iter(p.items.into_iter().map(Ok).collect::<Vec<_>>()),
            Err(e) => stream::iter(vec![Err(e)]),
        })
        .boxed()
}

#[cfg(test)]
mod tests;
