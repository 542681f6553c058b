//! Pending items: list what is waiting to be packaged, and package it.

use std::num::NonZeroU32;

use dataarts_release_raw::{types, Operation};
use futures::stream::{self, BoxStream, StreamExt};

use crate::client::Client;
use crate::error::{Error, Input, InputProblem, Result};
use crate::ids::{PackageId, PendingItemId};
use crate::model::{CreatedPackage, EpochMillis, Page, PendingItem, TaskType, UpdateType};
use crate::ops::collect_ids;
use crate::{paging, validate};

const LIST: Operation = Operation::ListFactoryPendingItems;
const CREATE: Operation = Operation::CreateFactoryPendingItemsPackage;

/// Largest page size of the pending-item listing.
const MAX_LIMIT: u32 = 100;

/// Builder for listing pending items; see [`Client::pending_items`]. Needs a workspace.
#[derive(Debug, Clone)]
#[must_use]
pub struct ListPendingItems<'a> {
    client: &'a Client,
    submit_user_name: Option<String>,
    item_name: Option<String>,
    update_type: Option<UpdateType>,
    task_type: Option<TaskType>,
    start_time: Option<EpochMillis>,
    end_time: Option<EpochMillis>,
    limit: Option<u32>,
    offset: u32,
}

/// Builder for packaging pending items into a release package; see
/// [`Client::package_pending_items`]. Needs a workspace.
#[derive(Debug, Clone)]
#[must_use]
pub struct CreatePackage<'a> {
    client: &'a Client,
    items: Vec<PendingItemId>,
    name: Option<String>,
    applicant: Option<String>,
    approvers: Vec<String>,
}

impl Client {
    /// Lists items waiting to be packaged (`list_factory_pending_items`). Requires a workspace.
    ///
    /// ```no_run
    /// use futures::TryStreamExt;
    /// # async fn f(client: dataarts_release::Client) -> dataarts_release::Result<()> {
    /// let page = client.pending_items().item_name("etl").limit(50).send().await?;
    /// let all: Vec<_> = client.pending_items().stream().try_collect().await?;
    /// # Ok(()) }
    /// ```
    pub fn pending_items(&self) -> ListPendingItems<'_> {
        ListPendingItems {
            client: self,
            submit_user_name: None,
            item_name: None,
            update_type: None,
            task_type: None,
            start_time: None,
            end_time: None,
            limit: None,
            offset: 0,
        }
    }

    /// Bundles pending items into a new release package awaiting review
    /// (`create_factory_pending_items_package`). Requires a
    /// workspace, a package name, the applicant's user id and at least one approver.
    ///
    /// ```no_run
    /// # async fn f(client: dataarts_release::Client) -> dataarts_release::Result<()> {
    /// let created = client
    ///     .package_pending_items(["26"])
    ///     .name("job_0948_20250513112100444444")
    ///     .applicant("f8ccc2ff3c7748e8a7bfede38ae1cffa")
    ///     .approvers(["0c2b4d1e9f8a47b6a5d3c2e1f0a9b8c7"])
    ///     .send()
    ///     .await?;
    /// println!("package {}", created.id);
    /// # Ok(()) }
    /// ```
    pub fn package_pending_items<I, T>(&self, items: I) -> CreatePackage<'_>
    where
        I: IntoIterator<Item = T>,
        T: Into<PendingItemId>,
    {
        CreatePackage {
            client: self,
            items: collect_ids(items),
            name: None,
            applicant: None,
            approvers: Vec::new(),
        }
    }
}

impl<'a> ListPendingItems<'a> {
    /// Submitter name.
    ///
    /// ```no_run
    /// # fn f(c: &dataarts_release::Client) { let _ = c.pending_items().submit_user_name("dev_user"); }
    /// ```
    pub fn submit_user_name(mut self, name: impl Into<String>) -> Self {
        self.submit_user_name = Some(name.into());
        self
    }

    /// Task name (substring).
    ///
    /// ```no_run
    /// # fn f(c: &dataarts_release::Client) { let _ = c.pending_items().item_name("job_batch"); }
    /// ```
    pub fn item_name(mut self, name: impl Into<String>) -> Self {
        self.item_name = Some(name.into());
        self
    }

    /// Change type.
    ///
    /// ```no_run
    /// # fn f(c: &dataarts_release::Client) { let _ = c.pending_items().update_type(dataarts_release::UpdateType::Add); }
    /// ```
    pub fn update_type(mut self, t: UpdateType) -> Self {
        self.update_type = Some(t);
        self
    }

    /// Task type.
    ///
    /// ```no_run
    /// # fn f(c: &dataarts_release::Client) { let _ = c.pending_items().task_type(dataarts_release::TaskType::Job); }
    /// ```
    pub fn task_type(mut self, t: TaskType) -> Self {
        self.task_type = Some(t);
        self
    }

    /// Submit time range (inclusive, ms).
    ///
    /// ```no_run
    /// # use dataarts_release::EpochMillis;
    /// # fn f(c: &dataarts_release::Client) {
    /// let _ = c.pending_items().submitted_between(EpochMillis(1_700_000_000_000), EpochMillis(1_800_000_000_000));
    /// # }
    /// ```
    pub fn submitted_between(mut self, from: EpochMillis, to: EpochMillis) -> Self {
        self.start_time = Some(from);
        self.end_time = Some(to);
        self
    }

    /// Page size, 1 to 100 (default 10 for `send`, 100 for `stream`).
    ///
    /// ```no_run
    /// # fn f(c: &dataarts_release::Client) { let _ = c.pending_items().limit(100); }
    /// ```
    pub fn limit(mut self, limit: u32) -> Self {
        self.limit = Some(limit);
        self
    }

    /// Row offset (default 0). The client translates it when the service counts `offset` in
    /// pages (see [`stream`](Self::stream)).
    ///
    /// ```no_run
    /// # fn f(c: &dataarts_release::Client) { let _ = c.pending_items().offset(10); }
    /// ```
    pub fn offset(mut self, offset: u32) -> Self {
        self.offset = offset;
        self
    }

    /// Fetches one page: up to `limit` items from the row `offset`. Usually one request; see
    /// [`stream`](Self::stream) for when the client needs more.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] without a workspace or with a limit outside 1..=100.
    ///
    /// ```no_run
    /// # async fn f(c: &dataarts_release::Client) -> dataarts_release::Result<()> {
    /// let page = c.pending_items().send().await?;
    /// # Ok(()) }
    /// ```
    pub async fn send(self) -> Result<Page<PendingItem>> {
        let limit = self.limit.unwrap_or(10);
        validate::limit(Input::Limit, limit, 1, MAX_LIMIT)?;
        self.client.workspace_checked(true)?;
        let units = &self.client.inner.offset_units;
        paging::one_page(LIST, units, self.offset, limit, key, |off, lim| {
            self.fetch(lim, off)
        })
        .await
    }

    async fn fetch(&self, limit: u32, offset: u32) -> Result<Page<PendingItem>> {
        validate::limit(Input::Limit, limit, 1, MAX_LIMIT)?;
        let offset_i32 = i32::try_from(offset).map_err(|_| {
            Error::invalid(Input::Offset, InputProblem::OutOfRange, "it is too large")
        })?;
        let ws = self.client.workspace_checked(true)?.unwrap_or_default();
        let project_id = self.client.ready().await?;
        let mut b = self
            .client
            .inner
            .v2
            .list_factory_pending_items()
            .project_id(project_id.as_str())
            .workspace(ws)
            .offset(offset_i32);
        if let Some(l) = NonZeroU32::new(limit) {
            b = b.limit(l);
        }
        if let Some(v) = &self.submit_user_name {
            b = b.submit_user_name(v.clone());
        }
        if let Some(v) = &self.item_name {
            b = b.item_name(v.clone());
        }
        if let Some(v) = self.update_type {
            b = b.update_type(v.code().to_string());
        }
        if let Some(v) = self.task_type {
            b = b.task_type(v.code().to_string());
        }
        if let Some(v) = self.start_time {
            b = b.start_time(v.millis().to_string());
        }
        if let Some(v) = self.end_time {
            b = b.end_time(v.millis().to_string());
        }
        let r = self.client.call(LIST, b.send()).await?;
        Ok(Page {
            items: r.data.into_iter().map(Into::into).collect(),
            total: r.total.map(|t| u32::try_from(t).unwrap_or(0)),
            offset,
            limit,
        })
    }

    /// Pages through every matching item lazily, each exactly once, whatever the service's
    /// `offset` counts (found out and remembered as for
    /// [`ListPackages::stream`](crate::ListPackages::stream)).
    ///
    /// ```no_run
    /// use futures::TryStreamExt;
    /// # async fn f(c: &dataarts_release::Client) -> dataarts_release::Result<()> {
    /// let all: Vec<_> = c.pending_items().stream().try_collect().await?;
    /// # Ok(()) }
    /// ```
    pub fn stream(self) -> BoxStream<'a, Result<PendingItem>> {
        paging::items(self.pages())
    }

    /// Like [`stream`](Self::stream), one page at a time.
    ///
    /// ```no_run
    /// use futures::TryStreamExt;
    /// # async fn f(c: &dataarts_release::Client) -> dataarts_release::Result<()> {
    /// let pages: Vec<_> = c.pending_items().pages().try_collect().await?;
    /// # Ok(()) }
    /// ```
    pub fn pages(self) -> BoxStream<'a, Result<Page<PendingItem>>> {
        let limit = self.limit.unwrap_or(MAX_LIMIT);
        let checked = validate::limit(Input::Limit, limit, 1, MAX_LIMIT)
            .and_then(|()| self.client.workspace_checked(true).map(|_| ()));
        if let Err(e) = checked {
            return stream::iter([Err(e)]).boxed();
        }
        let start = self.offset;
        let units = &self.client.inner.offset_units;
        paging::pages(LIST, units, start, limit, key, move |off, lim| {
            let me = self.clone();
            async move { me.fetch(lim, off).await }
        })
    }
}

impl CreatePackage<'_> {
    /// The package name.
    ///
    /// ```no_run
    /// # fn f(c: &dataarts_release::Client) { let _ = c.package_pending_items(["26"]).name("nightly"); }
    /// ```
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// The applicant's user id (a pending item's `submit_user_id`).
    ///
    /// ```no_run
    /// # fn f(c: &dataarts_release::Client) { let _ = c.package_pending_items(["26"]).applicant("f8cc..."); }
    /// ```
    pub fn applicant(mut self, user_id: impl Into<String>) -> Self {
        self.applicant = Some(user_id.into());
        self
    }

    /// Approver user ids (deployers or admins).
    ///
    /// ```no_run
    /// # fn f(c: &dataarts_release::Client) { let _ = c.package_pending_items(["26"]).approvers(["0c2b..."]); }
    /// ```
    pub fn approvers<I: IntoIterator<Item = S>, S: Into<String>>(mut self, user_ids: I) -> Self {
        self.approvers = user_ids.into_iter().map(Into::into).collect();
        self
    }

    /// Creates the package. A write: not retried after an ambiguous failure.
    ///
    /// ```no_run
    /// # async fn f(c: &dataarts_release::Client) -> dataarts_release::Result<()> {
    /// let p = c.package_pending_items(["26"]).name("n").applicant("u").approvers(["a"]).send().await?;
    /// # Ok(()) }
    /// ```
    pub async fn send(self) -> Result<CreatedPackage> {
        validate::id_list(Input::PendingItemId, &self.items, Some(100))?;
        let name = self.name.filter(|n| !n.trim().is_empty()).ok_or_else(|| {
            Error::invalid(
                Input::PackageName,
                InputProblem::Missing,
                "it is missing or blank; call .name(..)",
            )
        })?;
        let applicant = self
            .applicant
            .filter(|n| !n.trim().is_empty())
            .ok_or_else(|| {
                Error::invalid(
                    Input::Applicant,
                    InputProblem::Missing,
                    "it is missing or blank; call .applicant(user id)",
                )
            })?;
        if self.approvers.is_empty() {
            return Err(Error::invalid(
                Input::Approvers,
                InputProblem::Missing,
                "at least one approver is required; call .approvers([..])",
            ));
        }
        for a in &self.approvers {
            validate::id(Input::ApproverId, a)?;
        }
        let ws = self.client.workspace_checked(true)?.unwrap_or_default();
        let body = types::CreatePackageBody {
            apply_user_id: applicant,
            approver_ids: self.approvers,
            package_name: name,
            pending_item_list: self
                .items
                .into_iter()
                .map(PendingItemId::into_string)
                .collect(),
        };
        let project_id = self.client.ready().await?;
        let b = self
            .client
            .inner
            .v2
            .create_factory_pending_items_package()
            .project_id(project_id.as_str())
            .workspace(ws)
            .body(body);
        let r = self.client.call(CREATE, b.send()).await?;
        let id = r
            .release_package_id
            .filter(|s| !s.is_empty())
            .ok_or_else(|| Error::Decode {
                operation: CREATE,
                status: 200,
                message: "the answer has no release_package_id".into(),
                excerpt: String::new(),
                request_id: None,
            })?;
        Ok(CreatedPackage {
            id: PackageId::new(id),
            name: r.package_name,
        })
    }
}

/// What tells two pending items apart in a listing.
fn key(p: &PendingItem) -> String {
    p.id.to_string()
}
