//! The ledger of everything a run creates on the target, and the teardown that deletes it —
//! after passing runs, failing runs and interrupted runs alike — in the order of the spec
//! README (subscriptions, commands, hooks disabled then revoked, agents, agencies, PATs,
//! accounts), except that agencies go before agents (see `Created::order`). It never touches
//! an object it did not record. What could not be deleted, or whose deletion could not be
//! confirmed, is returned as leftovers for the report.

use crate::http::{ApiClient, Auth, Exchange, Secret};
use parking_lot::Mutex;
use serde_json::{Value, json};

/// One object the run created, with the credential that may delete it.
#[derive(Clone, Debug)]
pub enum Created {
    Subscription {
        agency_id: String,
        id: String,
        owner: Secret,
    },
    Command {
        agency_id: String,
        id: String,
        owner: Secret,
    },
    Hook {
        id: String,
        creator: Secret,
    },
    Agent {
        id: String,
        owner: Secret,
    },
    /// A self-registered agent: no owner, so no endpoint deletes it until it is claimed.
    UnownedAgent {
        id: String,
        username: String,
        claim_code: Secret,
    },
    Agency {
        id: String,
        owner: Secret,
    },
    Pat {
        id: String,
        owner: Secret,
    },
    Account {
        username: String,
        token: Secret,
    },
}

impl Created {
    fn order(&self) -> u8 {
        match self {
            Created::Subscription { .. } => 0,
            Created::Command { .. } => 1,
            Created::Hook { .. } => 2,
            // Agencies go before agents: an agency an agent created can only be deleted
            // with that agent's session, which deleting the agent revokes.
            Created::Agency { .. } => 3,
            Created::Agent { .. } => 4,
            Created::UnownedAgent { .. } => 5,
            Created::Pat { .. } => 6,
            Created::Account { .. } => 7,
        }
    }

    pub fn kind(&self) -> &'static str {
        match self {
            Created::Subscription { .. } => "subscription",
            Created::Command { .. } => "command",
            Created::Hook { .. } => "hook",
            Created::Agent { .. } => "agent",
            Created::UnownedAgent { .. } => "self-registered agent",
            Created::Agency { .. } => "agency",
            Created::Pat { .. } => "personal access token",
            Created::Account { .. } => "account",
        }
    }

    pub fn id(&self) -> &str {
        match self {
            Created::Subscription { id, .. }
            | Created::Command { id, .. }
            | Created::Hook { id, .. }
            | Created::Agent { id, .. }
            | Created::UnownedAgent { id, .. }
            | Created::Agency { id, .. }
            | Created::Pat { id, .. } => id,
            Created::Account { username, .. } => username,
        }
    }
}

/// An object the teardown could not delete, and why.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Leftover {
    pub kind: &'static str,
    pub id: String,
    pub reason: String,
}

#[derive(Default)]
pub struct Ledger {
    created: Mutex<Vec<Created>>,
}

fn text(value: &Value, pointer: &str) -> Option<String> {
    value
        .pointer(pointer)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

impl Ledger {
    pub fn record(&self, created: Created) {
        self.created.lock().push(created);
    }

    pub fn len(&self) -> usize {
        self.created.lock().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Records what a successful answer of a create row made. `caller` is the bearer token or
    /// cookie value that sent the request (the one that may delete it).
    pub fn record_answer(
        &self,
        row: u32,
        path: &str,
        caller: Option<&Secret>,
        exchange: &Exchange,
    ) {
        if !(200..300).contains(&exchange.status) {
            return;
        }
        let body = &exchange.json;
        let segment = |n: usize| path.split('/').nth(n).unwrap_or_default().to_owned();
        let owned = |f: &dyn Fn(Secret) -> Created| caller.cloned().map(f);
        let mut made: Vec<Created> = Vec::new();
        match row {
            1 => {
                if let (Some(token), Some(username)) =
                    (text(body, "/token"), text(body, "/user/username"))
                {
                    made.push(Created::Account {
                        username,
                        token: Secret::new(token),
                    });
                }
            }
            12 => {
                if let (Some(token), Some(username)) =
                    (text(body, "/user/token"), text(body, "/user/username"))
                {
                    let token = Secret::new(token);
                    if let Some(id) = text(body, "/agent/id") {
                        made.push(Created::Agent {
                            id,
                            owner: token.clone(),
                        });
                    }
                    if let Some(id) = text(body, "/agency/id") {
                        made.push(Created::Agency {
                            id,
                            owner: token.clone(),
                        });
                    }
                    made.push(Created::Account { username, token });
                }
            }
            9 => made.extend(text(body, "/id").and_then(|id| {
                owned(&|owner| Created::Pat {
                    id: id.clone(),
                    owner,
                })
            })),
            14 => made.extend(text(body, "/id").and_then(|id| {
                owned(&|owner| Created::Agency {
                    id: id.clone(),
                    owner,
                })
            })),
            34 => made.extend(text(body, "/agent/id").and_then(|id| {
                owned(&|owner| Created::Agent {
                    id: id.clone(),
                    owner,
                })
            })),
            36 => {
                if let (Some(id), Some(username), Some(code)) = (
                    text(body, "/agent/id"),
                    text(body, "/agent/username"),
                    text(body, "/claimCode"),
                ) {
                    made.push(Created::UnownedAgent {
                        id,
                        username,
                        claim_code: Secret::new(code),
                    });
                }
            }
            57 | 58 | 60 => {
                let agency_id = segment(3);
                if row == 57 {
                    made.extend(text(body, "/id").and_then(|id| {
                        owned(&|owner| Created::Command {
                            agency_id: agency_id.clone(),
                            id: id.clone(),
                            owner,
                        })
                    }));
                }
                let new_key = body
                    .get("hookKey")
                    .or_else(|| body.get("hook_key"))
                    .is_some();
                if new_key && let Some(id) = text(body, "/hook_id") {
                    made.extend(owned(&|creator| Created::Hook {
                        id: id.clone(),
                        creator,
                    }));
                }
            }
            75 => made.extend(text(body, "/hook_id").and_then(|id| {
                owned(&|creator| Created::Hook {
                    id: id.clone(),
                    creator,
                })
            })),
            78 => {
                let agency_id = segment(3);
                made.extend(text(body, "/id").and_then(|id| {
                    owned(&|owner| Created::Subscription {
                        agency_id: agency_id.clone(),
                        id: id.clone(),
                        owner,
                    })
                }));
            }
            _ => {}
        }
        let mut created = self.created.lock();
        for item in made {
            let duplicate = created
                .iter()
                .any(|c| c.kind() == item.kind() && c.id() == item.id());
            if !duplicate {
                created.push(item);
            }
        }
    }

    /// Deletes everything recorded, in dependency order; returns what is left over.
    /// `claimer` is a human account that may claim self-registered agents through the claim
    /// outbox, which only an instance the harness started offers (`None` elsewhere).
    /// The whole teardown ends within `budget` (`--teardown-timeout`): what is not deleted
    /// by then is left over, with that reason.
    pub async fn teardown(
        &self,
        client: &ApiClient,
        claimer: Option<&Secret>,
        budget: std::time::Duration,
    ) -> Vec<Leftover> {
        let deadline = tokio::time::Instant::now() + budget;
        let mut items = std::mem::take(&mut *self.created.lock());
        items.sort_by_key(Created::order);
        let mut leftovers = Vec::new();
        for item in items {
            let deletion = async {
                match (&item, claimer) {
                    (
                        Created::UnownedAgent {
                            id,
                            username,
                            claim_code,
                        },
                        Some(claimer),
                    ) => claim_and_delete(client, id, username, claim_code, claimer).await,
                    _ => delete(client, &item).await,
                }
            };
            let result = tokio::time::timeout_at(deadline, deletion)
                .await
                .unwrap_or_else(|_| {
                    Err(format!(
                        "not deleted: the teardown ran out of its {} s (--teardown-timeout)",
                        budget.as_secs_f64()
                    ))
                });
            if let Err(reason) = result {
                leftovers.push(Leftover {
                    kind: item.kind(),
                    id: item.id().to_owned(),
                    reason,
                });
            }
        }
        leftovers
    }
}

fn bearer(secret: &Secret) -> Auth {
    Auth::Bearer(secret.expose().to_owned())
}

/// One deletion; 404 counts as already gone (a cascade got there first).
async fn call(
    client: &ApiClient,
    method: &str,
    path: &str,
    auth: &Auth,
    body: Option<Value>,
) -> Result<(), String> {
    let body = body.map(crate::http::RequestBody::Json);
    match client.send(method, path, auth, body.as_ref(), &[]).await {
        Ok(exchange) if (200..300).contains(&exchange.status) || exchange.status == 404 => Ok(()),
        Ok(exchange) => Err(format!("{method} {path} answered {}", exchange.status)),
        Err(error) => Err(error.to_string()),
    }
}

/// Claims a self-registered agent for `claimer` through the reference target's claim outbox,
/// then deletes it (its own agency passed to the claimant and goes with that account).
async fn claim_and_delete(
    client: &ApiClient,
    id: &str,
    username: &str,
    claim_code: &Secret,
    claimer: &Secret,
) -> Result<(), String> {
    let auth = bearer(claimer);
    let body = json!({"claimCode": claim_code.expose(), "email": "teardown@example.com"});
    call(client, "POST", "/api/agents/claim", &auth, Some(body)).await?;
    let outbox = client
        .send("GET", "/__reference/outbox", &Auth::None, None, &[])
        .await
        .map_err(|e| e.to_string())?;
    let link = outbox
        .json
        .as_array()
        .and_then(|mails| mails.iter().rev().find(|m| m["agentUsername"] == username))
        .and_then(|mail| mail["token"].as_str())
        .ok_or("no claim e-mail for the agent in the outbox")?
        .to_owned();
    client.redactor().add(&link);
    let verify = format!("/api/agents/claim/verify/{link}");
    client
        .send("GET", &verify, &Auth::None, None, &[])
        .await
        .map_err(|e| e.to_string())?;
    call(client, "DELETE", &format!("/api/agents/{id}"), &auth, None).await
}

async fn delete(client: &ApiClient, item: &Created) -> Result<(), String> {
    match item {
        Created::Subscription {
            agency_id,
            id,
            owner,
        } => {
            call(
                client,
                "DELETE",
                &format!("/api/webhook-subscriptions/{agency_id}/{id}"),
                &bearer(owner),
                None,
            )
            .await
        }
        Created::Command {
            agency_id,
            id,
            owner,
        } => {
            call(
                client,
                "DELETE",
                &format!("/api/custom-commands/{agency_id}/commands/{id}"),
                &bearer(owner),
                None,
            )
            .await
        }
        Created::Hook { id, creator } => {
            let auth = bearer(creator);
            call(
                client,
                "PATCH",
                &format!("/api/hooks/by-id/{id}"),
                &auth,
                Some(json!({"enabled": false})),
            )
            .await?;
            call(
                client,
                "DELETE",
                &format!("/api/hooks/by-id/{id}/revoke-key"),
                &auth,
                None,
            )
            .await
        }
        Created::Agent { id, owner } => {
            call(
                client,
                "DELETE",
                &format!("/api/agents/{id}"),
                &bearer(owner),
                None,
            )
            .await
        }
        Created::UnownedAgent { .. } => Err(
            "self-registered agents have no owner; no endpoint deletes them until claimed".into(),
        ),
        Created::Agency { id, owner } => {
            call(
                client,
                "DELETE",
                &format!("/api/agencies/{id}"),
                &bearer(owner),
                None,
            )
            .await
        }
        Created::Pat { id, owner } => {
            call(
                client,
                "DELETE",
                &format!("/api/auth/tokens/{id}"),
                &bearer(owner),
                None,
            )
            .await
        }
        Created::Account { token, .. } => {
            call(client, "DELETE", "/api/auth/account", &bearer(token), None).await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::{ClientOptions, Redactor};
    use std::time::{Duration, Instant};

    /// Regression: a target that stops answering during teardown used to hold the run for
    /// every object times the request timeout and its retries.
    #[tokio::test]
    async fn a_teardown_past_its_budget_leaves_the_rest_over_with_the_reason() {
        // A loopback target that accepts and never answers.
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let held = tokio::spawn(async move {
            let mut open = Vec::new();
            while let Ok((stream, _)) = listener.accept().await {
                open.push(stream);
            }
        });
        let options = ClientOptions {
            timeout: Duration::from_secs(30),
            ..ClientOptions::default()
        };
        let client = ApiClient::new(&format!("http://{addr}"), options, Redactor::new()).unwrap();
        let ledger = Ledger::default();
        for n in 0..3 {
            ledger.record(Created::Agency {
                id: format!("agency-{n}"),
                owner: Secret::new("owner-token"),
            });
        }
        let started = Instant::now();
        let leftovers = ledger
            .teardown(&client, None, Duration::from_millis(300))
            .await;
        held.abort();
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "{:?}",
            started.elapsed()
        );
        assert_eq!(leftovers.len(), 3, "{leftovers:?}");
        assert!(
            leftovers
                .iter()
                .all(|l| l.reason.contains("--teardown-timeout")),
            "{leftovers:?}"
        );
        assert!(ledger.is_empty());
    }
}
