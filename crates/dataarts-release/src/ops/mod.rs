//! One module per group of operations.

pub(crate) mod deploy;
pub(crate) mod packages;
pub(crate) mod pending;
pub(crate) mod tasks;

/// Collects ids from anything iterable.
pub(crate) fn collect_ids<I, T, Id>(ids: I) -> Vec<Id>
where
    I: IntoIterator<Item = T>,
    T: Into<Id>,
{
    ids.into_iter().map(Into::into).collect()
}
