//! Turning "fetch the page at this offset" into a lazy stream with guard rails.

use std::future::Future;

use dataarts_release_raw::Operation;
use futures::stream::{self, BoxStream, StreamExt};

use crate::error::{Error, Result};
use crate::model::Page;

/// The offset of the page after one that started at `offset` and held `len` items.
/// `offset` is taken as a row offset (the service's documentation does not say whether it
/// counts rows or pages); flip it here if the service turns out to count pages.
pub(crate) fn next_offset(offset: u32, len: usize) -> u32 {
    offset.saturating_add(u32::try_from(len).unwrap_or(u32::MAX))
}

struct State<F> {
    fetch: F,
    offset: u32,
    seen: u64,
    previous: Option<Vec<String>>,
    done: bool,
}

/// Pages from `offset` on. Stops after an empty or short page, once `total` items were seen,
/// and with an error if the server sends the same page twice.
pub(crate) fn pages<'a, T, F, Fut>(
    operation: Operation,
    offset: u32,
    limit: u32,
    key: fn(&T) -> String,
    fetch: F,
) -> BoxStream<'a, Result<Page<T>>>
where
    T: Send + 'a,
    F: FnMut(u32) -> Fut + Send + 'a,
    Fut: Future<Output = Result<Page<T>>> + Send + 'a,
{
    let state = State {
        fetch,
        offset,
        seen: 0,
        previous: None,
        done: false,
    };
    stream::unfold(state, move |mut st| async move {
        if st.done {
            return None;
        }
        let page = match (st.fetch)(st.offset).await {
            Ok(p) => p,
            Err(e) => {
                st.done = true;
                return Some((Err(e), st));
            }
        };
        let keys: Vec<String> = page.items.iter().map(key).collect();
        if !keys.is_empty() && st.previous.as_ref() == Some(&keys) {
            st.done = true;
            let err = Error::Decode {
                operation,
                status: 200,
                message: format!(
                    "the server returned the same page again at offset {}; stopping instead of looping",
                    st.offset
                ),
                excerpt: String::new(),
                request_id: None,
            };
            return Some((Err(err), st));
        }
        st.seen += page.items.len() as u64;
        let short = page.items.len() < limit as usize;
        let reached_total = page.total.is_some_and(|t| st.seen >= u64::from(t));
        if page.items.is_empty() || short || reached_total {
            st.done = true;
        }
        st.offset = next_offset(st.offset, page.items.len());
        st.previous = Some(keys);
        Some((Ok(page), st))
    })
    .boxed()
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
mod tests {
    use super::*;
    use futures::TryStreamExt;

    fn page(items: Vec<u32>, total: Option<u32>, offset: u32) -> Page<u32> {
        Page {
            items,
            total,
            offset,
            limit: 2,
        }
    }

    #[tokio::test]
    async fn stops_on_short_page_total_and_repeats() {
        let data: Vec<u32> = (0..5).collect();
        let all: Vec<u32> = items(pages(
            Operation::ListFactoryReleasePackages,
            0,
            2,
            |x: &u32| x.to_string(),
            move |off| {
                let d = data.clone();
                async move {
                    let s = off as usize;
                    Ok(page(d[s.min(5)..(s + 2).min(5)].to_vec(), None, off))
                }
            },
        ))
        .try_collect()
        .await
        .unwrap();
        assert_eq!(all, vec![0, 1, 2, 3, 4]);

        let mut calls = 0;
        let r: Vec<u32> = items(pages(
            Operation::ListFactoryReleasePackages,
            0,
            2,
            |x: &u32| x.to_string(),
            move |off| {
                calls += 1;
                assert!(calls <= 2, "fetched past total");
                async move { Ok(page(vec![off, off + 1], Some(4), off)) }
            },
        ))
        .try_collect()
        .await
        .unwrap();
        assert_eq!(r, vec![0, 1, 2, 3]);

        let r: Result<Vec<u32>> = items(pages(
            Operation::ListFactoryReleasePackages,
            0,
            2,
            |x: &u32| x.to_string(),
            |off| async move { Ok(page(vec![7, 8], None, off)) },
        ))
        .try_collect()
        .await;
        assert!(r.unwrap_err().to_string().contains("same page"));
    }
}
