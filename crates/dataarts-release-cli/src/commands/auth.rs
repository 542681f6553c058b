//! `auth`: where the credentials, the project id and the endpoints come from, and how
//! requests are signed. It obtains the credentials and the project id as any command would
//! (so it fails the same way, with the same exit code), and prints no secret.

use std::time::{Duration, SystemTime};

use dataarts_release::{AuthReport, ProjectIdSource};

use crate::context::Context;
use crate::exit::{configured_by, CliError};
use crate::output::{
    AuthCredentialsJson, AuthEndpointsJson, AuthJson, AuthProjectJson, SCHEMA_VERSION,
};

/// Runs `auth`.
pub async fn run(ctx: &Context) -> Result<(), CliError> {
    let report = ctx.client.auth_report().await?;
    let doc = document(&report, ctx.embedded, SystemTime::now());
    super::emit(ctx, || &doc, || doc.text())
}

/// The `auth` document of a report, with the expiry counted from `now`.
pub fn document(r: &AuthReport, embedded: bool, now: SystemTime) -> AuthJson {
    let configured = if embedded {
        Some("--emulator: the demo credentials".to_string())
    } else {
        configured_by(&r.source_origin)
    };
    let (project_by, project_configured, discovered_from) = match &r.project_id_source {
        ProjectIdSource::Discovered { iam_endpoint } => {
            ("discovered", None, Some(iam_endpoint.clone()))
        }
        ProjectIdSource::Configured { .. } if embedded => {
            ("configured", Some("--emulator".to_string()), None)
        }
        ProjectIdSource::Configured { origin } => ("configured", configured_by(origin), None),
        _ => ("configured", None, None),
    };
    AuthJson {
        schema_version: SCHEMA_VERSION,
        credentials: AuthCredentialsJson {
            source: r.source.key(),
            description: r.source.to_string(),
            configured_by: configured,
            access_key: r.access_key.clone(),
            temporary: r.temporary,
            refreshed: r.source.is_refreshed(),
            expires_at: r
                .expires_at
                .map(|t| humantime::format_rfc3339_seconds(t).to_string()),
            expires_in_seconds: r
                .expires_at
                .map(|t| t.duration_since(now).unwrap_or(Duration::ZERO).as_secs()),
        },
        region: r.region.clone(),
        project: AuthProjectJson {
            id: r.project_id.clone(),
            found_by: project_by,
            configured_by: project_configured,
            discovered_from,
        },
        endpoints: AuthEndpointsJson {
            dataarts: r.endpoints.dataarts.clone(),
            dataarts_v1: r.endpoints.dataarts_v1.clone(),
            iam: r.endpoints.iam.clone(),
            sts: r.endpoints.sts.clone(),
            metadata: r.endpoints.metadata.clone(),
        },
        signing_algorithm: r.signing_algorithm.map(|a| a.as_str()),
    }
}
