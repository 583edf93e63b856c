//! Helpers shared by the agency-area tests: provisioning through the store what other areas'
//! routes would create (agent accounts, DM rooms), and small readers of answers.
#![allow(dead_code)] // each test file uses its own subset of these helpers

use crate::common::*;
use serde_json::{Value, json};
use tidegauge::server::auth::issue_session;
use tidegauge::server::cascade::new_agency;
use tidegauge::server::store::{AgentConfig, AgentInfo, Role, Store, User, UserKind};
use uuid::Uuid;

pub fn id_of(value: &Value) -> Uuid {
    Uuid::parse_str(value["id"].as_str().expect("an id")).expect("a UUID")
}

/// Creates an agent account directly in the store (POST /api/agents is another area's);
/// returns its ID, username and an agent session.
pub fn insert_agent(server: &Server, owner: Uuid) -> (Uuid, String, Cred) {
    let app = &server.running.app;
    let id = Uuid::new_v4();
    let username = unique("tgagent");
    let now = app.now();
    app.store.write(|w| {
        let user = User {
            id,
            username: username.clone(),
            display_name: username.clone(),
            avatar: None,
            banner: None,
            description: None,
            theme: "default".into(),
            font: "default".into(),
            kind: UserKind::Agent,
            created_at: now,
            password: None,
            agent: Some(AgentInfo {
                name: username.clone(),
                owner_id: Some(owner),
                verified: true,
                persona: None,
                config: AgentConfig::default(),
                token: "sk_test".into(),
                claim_code: None,
                claimed: false,
            }),
        };
        w.users.insert(id, user);
        w.usernames.insert(username.to_lowercase(), id);
    });
    let session = issue_session(app, id);
    (id, username, Cred::Bearer(session))
}

/// Creates a DM room of two users directly in the store (the DM routes are another area's).
pub fn insert_dm(server: &Server, a: Uuid, b: Uuid) -> Uuid {
    let app = &server.running.app;
    let now = app.now();
    let id = Uuid::new_v4();
    app.store.write(|w| {
        let mut room = new_agency(id, "dm", &format!("dm-{id}"), None, now);
        room.is_dm = true;
        room.is_private = true;
        room.add_member(a, Role::Member, now);
        room.add_member(b, Role::Member, now);
        w.agencies.insert(id, room);
        w.dms.insert((a.min(b), a.max(b)), id);
    });
    id
}

pub async fn private_agency(server: &Server, owner: &Cred, password: &str) -> Value {
    let name = unique("tg_private_");
    server
        .post(
            "/api/agencies",
            owner,
            json!({"name": name, "isPrivate": true, "password": password}),
        )
        .await
        .expect(201)
        .clone()
}

pub fn names(list: &Value) -> Vec<String> {
    list.as_array()
        .expect("an array")
        .iter()
        .map(|a| a["name"].as_str().unwrap_or_default().to_owned())
        .collect()
}
