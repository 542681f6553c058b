//! Release packages: list them, show one, and revoke (cancel) them.

use std::num::NonZeroU32;

use dataarts_release_raw::{types, Operation};
use futures::stream::{self, BoxStream, StreamExt};

use crate::client::Client;
use crate::error::{Error, Input, InputProblem, Result};
use crate::ids::PackageId;
use crate::model::{DeployStatus, EpochMillis, PackageDetail, Page, ReleasePackage, SortDirection};
use crate::ops::collect_ids;
use crate::{paging, validate};

const LIST: Operation = Operation::ListFactoryReleasePackages;
const SHOW: Operation = Operation::ShowFactoryPackageDetail;
const CANCEL: Operation = Operation::CancelFactoryPackages;

/// Most ids per revoke request.
pub(crate) const MAX_IDS_PER_REQUEST: usize = 100;

/// Page size used by [`ListPackages::stream`] when none is set.
const STREAM_PAGE: u32 = 100;
/// Largest page size accepted (the API documents none).
const MAX_LIST_LIMIT: u32 = 1000;

/// Builder for listing release packages; see [`Client::list_packages`].
///
/// Every filter is optional. [`send`](Self::send) fetches one page; [`stream`](Self::stream)
/// pages through everything lazily.
#[derive(Debug, Clone)]
#[must_use]
pub struct ListPackages<'a> {
    client: &'a Client,
    body: types::ListReleasePackagesBody,
    limit: Option<u32>,
    offset: u32,
}

impl Client {
    /// Lists release packages (`list_factory_release_packages`, a read despite being a POST).
    ///
    /// ```no_run
    /// use dataarts_release::DeployStatus;
    /// use futures::TryStreamExt;
    ///
    /// # async fn f(client: dataarts_release::Client) -> dataarts_release::Result<()> {
    /// let page = client.list_packages().status(DeployStatus::AwaitingReview).limit(20).send().await?;
    /// let everything: Vec<_> = client.list_packages().keyword("daily").stream().try_collect().await?;
    /// # Ok(()) }
    /// ```
    pub fn list_packages(&self) -> ListPackages<'_> {
        ListPackages {
            client: self,
            body: types::ListReleasePackagesBody::default(),
            limit: None,
            offset: 0,
        }
    }

    /// Reads one package with its items (`show_factory_package_detail`).
    ///
    /// # Errors
    ///
    /// [`Error::NotFound`] for an unknown package (`DLF.0810`).
    ///
    /// ```no_run
    /// # async fn f(client: dataarts_release::Client) -> dataarts_release::Result<()> {
    /// let detail = client.show_package("23").await?;
    /// println!("{:?}: {} items", detail.package.deploy_status, detail.items.len());
    /// # Ok(()) }
    /// ```
    pub async fn show_package(&self, package_id: impl Into<PackageId>) -> Result<PackageDetail> {
        let id = package_id.into();
        validate::id(Input::PackageId, id.as_str())?;
        let ws = self.workspace_checked(false)?;
        let project_id = self.ready().await?;
        let mut b = self
            .inner
            .v2
            .show_factory_package_detail()
            .project_id(project_id.as_str())
            .package_id(id.as_str());
        if let Some(ws) = ws {
            b = b.workspace(ws);
        }
        Ok(self.call(SHOW, b.send()).await?.into())
    }

    /// Revokes (rejects) 1 to 100 packages awaiting review (`cancel_factory_packages`). Not retried after an
    /// ambiguous failure: read the packages back with [`Client::show_package`].
    ///
    /// ```no_run
    /// # async fn f(client: dataarts_release::Client) -> dataarts_release::Result<()> {
    /// client.cancel_packages(["12", "13"]).await?;
    /// # Ok(()) }
    /// ```
    pub async fn cancel_packages<I, T>(&self, package_ids: I) -> Result<()>
    where
        I: IntoIterator<Item = T>,
        T: Into<PackageId>,
    {
        let ids: Vec<PackageId> = collect_ids(package_ids);
        validate::id_list(Input::PackageId, &ids, Some(MAX_IDS_PER_REQUEST))?;
        let ws = self.workspace_checked(false)?;
        let body = types::CancelBody {
            package_ids: ids.into_iter().map(PackageId::into_string).collect(),
        };
        let project_id = self.ready().await?;
        let mut b = self
            .inner
            .v2
            .cancel_factory_packages()
            .project_id(project_id.as_str())
            .body(body);
        if let Some(ws) = ws {
            b = b.workspace(ws);
        }
        self.call(CANCEL, b.send()).await
    }
}

impl<'a> ListPackages<'a> {
    /// Keyword matched against package names.
    ///
    /// ```no_run
    /// # fn f(c: &dataarts_release::Client) { let _ = c.list_packages().keyword("etl"); }
    /// ```
    pub fn keyword(mut self, keyword: impl Into<String>) -> Self {
        self.body.key_word = Some(keyword.into());
        self
    }

    /// Applicant name.
    ///
    /// ```no_run
    /// # fn f(c: &dataarts_release::Client) { let _ = c.list_packages().apply_user_name("dev_user"); }
    /// ```
    pub fn apply_user_name(mut self, name: impl Into<String>) -> Self {
        self.body.apply_user_name = Some(name.into());
        self
    }

    /// Deployer name.
    ///
    /// ```no_run
    /// # fn f(c: &dataarts_release::Client) { let _ = c.list_packages().deploy_user_name("ops"); }
    /// ```
    pub fn deploy_user_name(mut self, name: impl Into<String>) -> Self {
        self.body.deploy_user_name = Some(name.into());
        self
    }

    /// Set of applicant names.
    ///
    /// ```no_run
    /// # fn f(c: &dataarts_release::Client) { let _ = c.list_packages().apply_user_names(["a", "b"]); }
    /// ```
    pub fn apply_user_names<I: IntoIterator<Item = S>, S: Into<String>>(
        mut self,
        names: I,
    ) -> Self {
        self.body.apply_user_name_filter = names.into_iter().map(Into::into).collect();
        self
    }

    /// Set of deployer names.
    ///
    /// ```no_run
    /// # fn f(c: &dataarts_release::Client) { let _ = c.list_packages().deploy_user_names(["ops"]); }
    /// ```
    pub fn deploy_user_names<I: IntoIterator<Item = S>, S: Into<String>>(
        mut self,
        names: I,
    ) -> Self {
        self.body.deploy_user_name_filter = names.into_iter().map(Into::into).collect();
        self
    }

    /// Adds a status to the status filter (packages in any of the given statuses match).
    ///
    /// ```no_run
    /// # use dataarts_release::DeployStatus;
    /// # fn f(c: &dataarts_release::Client) {
    /// let _ = c.list_packages().status(DeployStatus::Succeeded).status(DeployStatus::Failed);
    /// # }
    /// ```
    pub fn status(mut self, status: DeployStatus) -> Self {
        self.body.deploy_status_filter.push(status.code());
        self
    }

    /// Application time range (inclusive, ms).
    ///
    /// ```no_run
    /// # use dataarts_release::EpochMillis;
    /// # fn f(c: &dataarts_release::Client) {
    /// let _ = c.list_packages().applied_between(EpochMillis(1_700_000_000_000), EpochMillis(1_800_000_000_000));
    /// # }
    /// ```
    pub fn applied_between(mut self, from: EpochMillis, to: EpochMillis) -> Self {
        self.body.apply_begin_time = Some(from.millis());
        self.body.apply_end_time = Some(to.millis());
        self
    }

    /// Release time range (inclusive, ms).
    ///
    /// ```no_run
    /// # use dataarts_release::EpochMillis;
    /// # fn f(c: &dataarts_release::Client) {
    /// let _ = c.list_packages().deployed_between(EpochMillis(1_700_000_000_000), EpochMillis(1_800_000_000_000));
    /// # }
    /// ```
    pub fn deployed_between(mut self, from: EpochMillis, to: EpochMillis) -> Self {
        self.body.deploy_begin_time = Some(from.millis());
        self.body.deploy_end_time = Some(to.millis());
        self
    }

    /// Sort column (`apply_timestamp` by default on the server) and direction.
    ///
    /// ```no_run
    /// # use dataarts_release::SortDirection;
    /// # fn f(c: &dataarts_release::Client) { let _ = c.list_packages().sort("package_id", SortDirection::Asc); }
    /// ```
    pub fn sort(mut self, column: impl Into<String>, direction: SortDirection) -> Self {
        self.body.order_column = Some(column.into());
        self.body.sorted_direction = Some(direction.as_str().to_string());
        self
    }

    /// Page size (1 to 1000; server default 10, stream default 100).
    ///
    /// ```no_run
    /// # fn f(c: &dataarts_release::Client) { let _ = c.list_packages().limit(50); }
    /// ```
    pub fn limit(mut self, limit: u32) -> Self {
        self.limit = Some(limit);
        self
    }

    /// Row offset of the first item (default 0). The client translates it when the service
    /// counts `offset` in pages (see [`stream`](Self::stream)).
    ///
    /// ```no_run
    /// # fn f(c: &dataarts_release::Client) { let _ = c.list_packages().offset(100); }
    /// ```
    pub fn offset(mut self, offset: u32) -> Self {
        self.offset = offset;
        self
    }

    /// Fetches one page: up to `limit` packages from the row `offset`. Usually one request;
    /// see [`stream`](Self::stream) for when the client needs more.
    ///
    /// ```no_run
    /// # async fn f(c: &dataarts_release::Client) -> dataarts_release::Result<()> {
    /// let page = c.list_packages().send().await?;
    /// # Ok(()) }
    /// ```
    pub async fn send(self) -> Result<Page<ReleasePackage>> {
        let limit = self.limit.unwrap_or(10);
        validate::limit(Input::Limit, limit, 1, MAX_LIST_LIMIT)?;
        let units = &self.client.inner.offset_units;
        paging::one_page(LIST, units, self.offset, limit, key, |off, lim| {
            self.fetch(lim, off)
        })
        .await
    }

    async fn fetch(&self, limit: u32, offset: u32) -> Result<Page<ReleasePackage>> {
        validate::limit(Input::Limit, limit, 1, MAX_LIST_LIMIT)?;
        let offset_i32 = i32::try_from(offset).map_err(|_| {
            Error::invalid(Input::Offset, InputProblem::OutOfRange, "it is too large")
        })?;
        let ws = self.client.workspace_checked(false)?;
        let mut body = self.body.clone();
        body.limit = NonZeroU32::new(limit);
        body.offset = Some(offset_i32);
        let project_id = self.client.ready().await?;
        let mut b = self
            .client
            .inner
            .v2
            .list_factory_release_packages()
            .project_id(project_id.as_str())
            .body(body);
        if let Some(ws) = ws {
            b = b.workspace(ws);
        }
        let r = self.client.call(LIST, b.send()).await?;
        Ok(Page {
            items: r.data.into_iter().map(Into::into).collect(),
            total: r.total.map(|t| u32::try_from(t).unwrap_or(0)),
            offset,
            limit,
        })
    }

    /// Pages through every matching package lazily, each exactly once (stops on a short or
    /// empty page or at `total`, and refuses to loop on a repeated page).
    ///
    /// Huawei documents `offset` both as a row offset and as a "start page". The first time a
    /// listing needs a second page, the client asks for offset 1 once: an answer that repeats
    /// the first page shifted by one row means rows, one that follows it means pages. The
    /// client remembers the finding (per operation, shared by its clones) and translates
    /// every later offset; a listing that fits one page costs nothing extra. Answers that fit
    /// neither, or that end before the `total` the service reports, are an
    /// [`Error::Decode`] instead of a listing with items missing or twice.
    ///
    /// ```no_run
    /// use futures::TryStreamExt;
    /// # async fn f(c: &dataarts_release::Client) -> dataarts_release::Result<()> {
    /// let mut s = c.list_packages().stream();
    /// while let Some(p) = s.try_next().await? {
    ///     println!("{} {:?}", p.id, p.deploy_status);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn stream(self) -> BoxStream<'a, Result<ReleasePackage>> {
        paging::items(self.pages())
    }

    /// Like [`stream`](Self::stream), one page at a time.
    ///
    /// ```no_run
    /// use futures::TryStreamExt;
    /// # async fn f(c: &dataarts_release::Client) -> dataarts_release::Result<()> {
    /// let pages: Vec<_> = c.list_packages().limit(100).pages().try_collect().await?;
    /// # Ok(()) }
    /// ```
    pub fn pages(self) -> BoxStream<'a, Result<Page<ReleasePackage>>> {
        let limit = self.limit.unwrap_or(STREAM_PAGE);
        if let Err(e) = validate::limit(Input::Limit, limit, 1, MAX_LIST_LIMIT) {
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

/// What tells two packages apart in a listing.
fn key(p: &ReleasePackage) -> String {
    p.id.to_string()
}
