//! Every operation through the generated raw client (token auth via a default header).

mod common;

use common::*;
use dataarts_release_raw::types::{
    CancelBody, CreatePackageBody, DeployBody, ListReleasePackagesBody,
};
use dataarts_release_raw::{Client, Hooks};

fn raw_client(url: &str) -> Client {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(
        "X-Auth-Token",
        dataarts_emulator::DEMO_TOKEN.parse().unwrap(),
    );
    let http = reqwest::Client::builder()
        .default_headers(headers)
        .build()
        .unwrap();
    Client::new_with_client(url, http, Hooks::default())
}

#[tokio::test]
async fn every_operation_through_the_generated_client() {
    let emu = start().await;
    let c = raw_client(&emu.url());

    // Pending items.
    let items = c
        .list_factory_pending_items()
        .project_id(P)
        .workspace(WS)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(items.total, Some(5));

    // Package item 26.
    let created = c
        .create_factory_pending_items_package()
        .project_id(P)
        .workspace(WS)
        .body(CreatePackageBody {
            apply_user_id: "f8ccc2ff3c7748e8a7bfede38ae1cffa".into(),
            approver_ids: vec!["0c2b4d1e9f8a47b6a5d3c2e1f0a9b8c7".into()],
            package_name: "raw_client_package".into(),
            pending_item_list: vec!["26".into()],
        })
        .send()
        .await
        .unwrap()
        .into_inner();
    let new_id = created.release_package_id.clone().unwrap();
    assert_eq!(created.package_name.as_deref(), Some("raw_client_package"));

    // List the packages.
    let list = c
        .list_factory_release_packages()
        .project_id(P)
        .body(ListReleasePackagesBody::default())
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(list.total, Some(4));

    // Release the new package and 23.
    let deployed = c
        .deploy_factory_packages()
        .project_id(P)
        .body(DeployBody {
            package_ids: vec![new_id.clone(), "23".into()],
            startup_mode: 1.try_into().unwrap(),
        })
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(deployed.deploy_package_details.len(), 2);
    assert_eq!(deployed.deploy_package_details[1].package_id, Some(23));
    let task_id = deployed.deploy_package_details[0]
        .asy_task_id
        .clone()
        .unwrap();

    // The system task while running, then after completion.
    let t = c
        .list_system_tasks()
        .project_id(P)
        .task_id(&task_id)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(t.status, "RUNNING");
    emu.complete_all_tasks();
    let t = c
        .list_system_tasks()
        .project_id(P)
        .task_id(&task_id)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(t.status, "SUCCESSFUL");
    assert_eq!(t.subtasks.len(), 1);
    assert_eq!(t.sub_tasks, t.subtasks);

    // Package detail.
    let d = c
        .show_factory_package_detail()
        .project_id(P)
        .package_id(&new_id)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(d.release_package.deploy_status, Some(2));
    assert_eq!(d.task_details[0].start_job_status, Some(2));

    // Revoke.
    c.cancel_factory_packages()
        .project_id(P)
        .body(CancelBody {
            package_ids: vec!["12".into(), "13".into()],
        })
        .send()
        .await
        .unwrap();
    let d = c
        .show_factory_package_detail()
        .project_id(P)
        .package_id("12")
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(d.release_package.delete_flag, Some(1));

    // An error decodes into ErrorBody with its status.
    let err = c
        .show_factory_package_detail()
        .project_id(P)
        .package_id("999")
        .send()
        .await
        .unwrap_err();
    match err {
        dataarts_release_raw::Error::ErrorResponse(r) => {
            assert_eq!(r.status().as_u16(), 400);
            assert_eq!(r.error_code.as_deref(), Some("DLF.0810"));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(emu.journal().len(), 10);
}
