//! Op 7: system task details (V1 host).

use crate::client::Client;
use crate::error::Result;
use crate::ids::TaskId;
use crate::model::SystemTask;
use crate::validate;

const OP: &str = "list_system_tasks";

impl Client {
    /// Reads a system task (e.g. a release's `asy_task_id`) with its subtasks.
    ///
    /// # Errors
    ///
    /// [`Error::NotFound`](crate::Error::NotFound) for an unknown task (`DLF.20810` or
    /// `DLF.0810`); [`Error::InvalidInput`](crate::Error::InvalidInput) for a malformed id.
    ///
    /// ```no_run
    /// # async fn f(client: dataarts_release::Client) -> dataarts_release::Result<()> {
    /// let task = client.system_task("ff8080818c81c8ab018c8b43f85d0008").await?;
    /// println!("{}: {}/{}", task.status, task.completed_subtasks(), task.subtasks.len());
    /// # Ok(()) }
    /// ```
    pub async fn system_task(&self, task_id: impl Into<TaskId>) -> Result<SystemTask> {
        let task_id = task_id.into();
        validate::id("task id", task_id.as_str())?;
        let ws = self.workspace_checked(false)?;
        let mut b = self
            .inner
            .v1
            .list_system_tasks()
            .project_id(self.project_id())
            .task_id(task_id.as_str());
        if let Some(ws) = ws {
            b = b.workspace(ws);
        }
        let task = self.call(OP, b.send()).await?;
        Ok(task.into())
    }
}
