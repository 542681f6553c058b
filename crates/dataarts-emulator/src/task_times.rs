//! How the system-task query writes its times: JSON numbers, as Huawei documents them, or
//! numeric strings, as the official Go and Java SDKs declare them (they fail to decode
//! numbers). The setting: `--system-task-times`, [`EmulatorBuilder::system_task_times`],
//! [`RunningEmulator::set_system_task_times`] and the admin endpoint
//! `GET`/`PUT /_emulator/system-task-times`.

use serde::{Deserialize, Serialize};

use dataarts_release_raw::types::SystemTask;

use crate::emulator::{EmulatorBuilder, RunningEmulator};
use crate::error::ApiError;

/// How `list_system_tasks` answers write `startTime`, `endTime` and `lastUpdate`, of the task
/// and of each subtask (under both `subtasks` and `subTasks`).
///
/// ```
/// use dataarts_emulator::SystemTaskTimes;
/// assert_eq!(SystemTaskTimes::default(), SystemTaskTimes::Number);
/// let s: SystemTaskTimes = serde_json::from_str(r#""string""#).unwrap();
/// assert_eq!(s, SystemTaskTimes::String);
/// ```
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize, clap::ValueEnum,
)]
#[serde(rename_all = "lowercase")]
pub enum SystemTaskTimes {
    /// Milliseconds since the epoch as a JSON number (`1544777083000`), as documented.
    #[default]
    Number,
    /// Milliseconds since the epoch as a numeric string (`"1544777083000"`), what the official
    /// Go and Java SDKs can decode.
    String,
}

impl SystemTaskTimes {
    /// The value's name on the command line and in the admin endpoint's body.
    pub fn as_str(self) -> &'static str {
        match self {
            SystemTaskTimes::Number => "number",
            SystemTaskTimes::String => "string",
        }
    }
}

/// The body of `GET`/`PUT /_emulator/system-task-times`: `{"format": "number"}` or
/// `{"format": "string"}`.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct TimesSetting {
    pub format: SystemTaskTimes,
}

impl TimesSetting {
    /// Reads a `PUT` body; a wrong one is a 400 that names the accepted bodies.
    pub(crate) fn parse(body: &[u8]) -> Result<Self, ApiError> {
        serde_json::from_slice(body).map_err(|e| {
            ApiError::invalid(format!(
                "the body must be {{\"format\": \"number\"}} or {{\"format\": \"string\"}}: {e}"
            ))
        })
    }
}

/// The time fields of a task and of a subtask.
const TIME_FIELDS: [&str; 3] = ["startTime", "endTime", "lastUpdate"];
/// The two keys the subtasks are sent under.
const SUBTASK_KEYS: [&str; 2] = ["subtasks", "subTasks"];

/// The JSON answer of the system-task query, with its times written as `times` says.
pub(crate) fn render(task: &SystemTask, times: SystemTaskTimes) -> serde_json::Result<Vec<u8>> {
    if times == SystemTaskTimes::Number {
        return serde_json::to_vec(task);
    }
    let mut value = serde_json::to_value(task)?;
    stringify_times(&mut value);
    if let Some(obj) = value.as_object_mut() {
        for key in SUBTASK_KEYS {
            if let Some(subs) = obj.get_mut(key).and_then(|v| v.as_array_mut()) {
                subs.iter_mut().for_each(stringify_times);
            }
        }
    }
    serde_json::to_vec(&value)
}

/// Turns the numeric time fields of one JSON object into decimal strings.
fn stringify_times(value: &mut serde_json::Value) {
    let Some(obj) = value.as_object_mut() else {
        return;
    };
    for field in TIME_FIELDS {
        if let Some(v) = obj.get_mut(field) {
            if let Some(n) = v.as_i64() {
                *v = serde_json::Value::String(n.to_string());
            }
        }
    }
}

impl EmulatorBuilder {
    /// Sets how the system-task query writes its times (default [`SystemTaskTimes::Number`],
    /// as documented; [`SystemTaskTimes::String`] for the official Go and Java SDKs).
    ///
    /// ```no_run
    /// # async fn f() -> Result<(), dataarts_emulator::EmulatorError> {
    /// use dataarts_emulator::{Emulator, SystemTaskTimes};
    /// let emu = Emulator::builder()
    ///     .demo()
    ///     .system_task_times(SystemTaskTimes::String)
    ///     .start()
    ///     .await?;
    /// assert_eq!(emu.system_task_times(), SystemTaskTimes::String);
    /// # Ok(()) }
    /// ```
    pub fn system_task_times(mut self, times: SystemTaskTimes) -> Self {
        self.system_task_times = times;
        self
    }
}

impl RunningEmulator {
    /// How the system-task query writes its times.
    pub fn system_task_times(&self) -> SystemTaskTimes {
        self.shared.state.lock().system_task_times()
    }

    /// Changes how the system-task query writes its times (kept across resets).
    pub fn set_system_task_times(&self, times: SystemTaskTimes) {
        self.shared.state.lock().set_system_task_times(times);
    }
}

#[cfg(test)]
mod tests {
    use dataarts_release_raw::types::SubTask;
    use dataarts_release_raw::EpochMillis;

    use super::*;

    fn task() -> SystemTask {
        let sub = SubTask {
            end_time: None,
            id: Some("s".into()),
            last_update: Some(EpochMillis(1_544_777_083_000)),
            name: Some("n".into()),
            start_time: Some(EpochMillis(1_544_777_081_000)),
            status: Some("RUNNING".into()),
            task_id: Some("t".into()),
        };
        SystemTask {
            end_time: Some(EpochMillis(1_544_777_083_001)),
            id: "t".into(),
            last_update: Some(EpochMillis(1_544_777_083_000)),
            message: None,
            name: Some("n".into()),
            project_id: Some("p".into()),
            start_time: Some(EpochMillis(1_544_777_081_000)),
            status: "SUCCESSFUL".into(),
            sub_tasks: vec![sub.clone()],
            subtasks: vec![sub],
        }
    }

    fn rendered(times: SystemTaskTimes) -> serde_json::Value {
        serde_json::from_slice(&render(&task(), times).unwrap()).unwrap()
    }

    #[test]
    fn number_mode_writes_numbers() {
        let v = rendered(SystemTaskTimes::Number);
        assert_eq!(v["startTime"], 1_544_777_081_000_i64);
        assert_eq!(v["endTime"], 1_544_777_083_001_i64);
        assert_eq!(v["subTasks"][0]["lastUpdate"], 1_544_777_083_000_i64);
    }

    #[test]
    fn string_mode_writes_every_time_as_a_string_and_nothing_else() {
        let v = rendered(SystemTaskTimes::String);
        assert_eq!(v["startTime"], "1544777081000");
        assert_eq!(v["endTime"], "1544777083001");
        assert_eq!(v["lastUpdate"], "1544777083000");
        for key in SUBTASK_KEYS {
            let sub = &v[key][0];
            assert_eq!(sub["startTime"], "1544777081000", "{key}");
            assert_eq!(sub["lastUpdate"], "1544777083000", "{key}");
            assert!(sub.get("endTime").is_none(), "{key}: {sub}");
            assert_eq!(sub["id"], "s");
        }
        assert_eq!(v["status"], "SUCCESSFUL");
        // The wrapper's type still reads the answer, with the same values.
        let back: SystemTask = serde_json::from_value(v).unwrap();
        assert_eq!(back, task());
    }

    #[test]
    fn the_admin_body_names_the_accepted_values_when_wrong() {
        let ok = TimesSetting::parse(br#"{"format":"string"}"#).unwrap();
        assert_eq!(ok.format, SystemTaskTimes::String);
        for bad in [
            &br#"{"format":"text"}"#[..],
            b"{}",
            b"[]",
            b"",
            br#"{"format":"number","x":1}"#,
        ] {
            let e = TimesSetting::parse(bad).unwrap_err();
            assert_eq!((e.status, e.code), (400, "EMU.0002"));
            assert!(
                e.msg.contains(r#"{"format": "number"}"#)
                    && e.msg.contains(r#"{"format": "string"}"#),
                "{}",
                e.msg
            );
        }
        assert_eq!(
            serde_json::to_string(&TimesSetting {
                format: SystemTaskTimes::Number
            })
            .unwrap(),
            r#"{"format":"number"}"#
        );
        assert_eq!(SystemTaskTimes::String.as_str(), "string");
    }
}
