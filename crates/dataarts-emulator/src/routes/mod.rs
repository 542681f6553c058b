//! The routes: the seven API operations behind the gateway, the admin endpoints, and the API
//! description with its reference page.
//!
//! `matcher` finds the operation from the spec's path templates, `api` runs the request
//! pipeline, `ops` runs each operation against the state, `body` checks request bodies and
//! queries, `admin` serves `/_emulator/` behind `guard` (local callers only, optional token),
//! `reference` serves `/openapi.yaml`, `/openapi.json` and `/reference/` (public, read-only).

pub(crate) mod admin;
pub(crate) mod api;
mod body;
pub(crate) mod guard;
mod matcher;
mod ops;
pub(crate) mod reference;
