//! Everything a load run prepares before its clock starts, and removes afterwards: the
//! base identities (conformance's provisioning: two users, an agency, a verified agent, a
//! hook key), the seeded history (endpoints.md §8.4: hook messages posted one after the
//! other, at least 2 ms apart), and one identity per virtual user — session, PAT, password
//! and, when the plan exchanges agent tokens, a verified agent of its own.
//!
//! Registrations are rate limited on real deployments (10 per minute per IP), so against a
//! target the harness did not start the virtual users share the two base accounts and the
//! base agent instead of minting their own; the report says so.

use super::plan::Plan;
use super::scenario::{ScenarioKind, SharedTarget, VuIdentity};
use crate::conform::context::{Profile, Records, SafetyOptions};
use crate::conform::identities::{self, Identities, Person, Preprovisioned, field, post};
use crate::conform::ledger::{Created, Ledger, Leftover};
use crate::http::{ApiClient, Auth, Redactor, RequestBody, Secret};
use crate::interrupt::Interrupt;
use anyhow::{Context, bail};
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;

/// What the measured phase works with.
pub struct Prepared {
    pub shared: SharedTarget,
    pub vus: Vec<Arc<VuIdentity>>,
    pub notes: Vec<String>,
}

/// The run's provisioning state: what it created (for teardown) and its names.
pub struct Provisioner {
    records: Records,
    ledger: Ledger,
    teardown_budget: Duration,
}

impl Provisioner {
    /// `teardown_budget`: how long the teardown may take before the rest is left over.
    pub fn new(
        run_id: &str,
        redactor: &Redactor,
        max_exposition_bytes: usize,
        teardown_budget: Duration,
    ) -> Provisioner {
        Provisioner {
            records: Records::new(
                Profile::Default,
                SafetyOptions::default(),
                run_id.to_owned(),
                redactor.clone(),
                max_exposition_bytes,
            ),
            ledger: Ledger::default(),
            teardown_budget,
        }
    }

    /// Provisions, seeds and mints. `own_target`: an instance the harness started (no rate
    /// limits, nobody else on it), where every virtual user gets identities of its own.
    pub async fn prepare(
        &self,
        client: &ApiClient,
        plan: &Plan,
        own_target: bool,
        interrupt: &Interrupt,
    ) -> anyhow::Result<Prepared> {
        let base = identities::provision(
            client,
            &self.records,
            &self.ledger,
            &Preprovisioned::default(),
            "https://example.com",
        )
        .await
        .context("provisioning the load run's identities")?;
        let shared = SharedTarget {
            agency_id: base.agency_id.clone(),
            hook_key: base.hook.key.clone(),
            cursor: plan.cursor,
            run_id: self.records.run_id.clone(),
        };
        let wanted = plan.model.identities();
        let needs_agents = plan
            .scenarios
            .iter()
            .any(|(k, _)| *k == ScenarioKind::AgentAuth);
        let mut notes = Vec::new();
        let vus = if own_target {
            let mut vus = Vec::with_capacity(wanted);
            for index in 0..wanted {
                if interrupt.is_requested() {
                    bail!("interrupted while minting virtual-user identities");
                }
                vus.push(Arc::new(
                    self.mint(client, &base, index, needs_agents).await?,
                ));
            }
            vus
        } else {
            notes.push(format!(
                "{wanted} virtual users share the run's 2 accounts and 1 agent: registrations \
                 are rate limited on a target tidegauge did not start"
            ));
            let pool = [&base.owner, &base.other]
                .map(|person| Arc::new(identity_of(person, &base.agent.token)));
            (0..wanted).map(|i| pool[i % pool.len()].clone()).collect()
        };
        // Seeding last: the identities exist before any long series of posts.
        self.seed(client, &shared, plan.seed_messages, interrupt)
            .await?;
        Ok(Prepared { shared, vus, notes })
    }

    /// endpoints.md §8.4: hook messages, each sent after the previous answer and ≥ 2 ms later.
    async fn seed(
        &self,
        client: &ApiClient,
        shared: &SharedTarget,
        count: usize,
        interrupt: &Interrupt,
    ) -> anyhow::Result<()> {
        let auth = Auth::HookKey(shared.hook_key.expose().to_owned());
        for n in 0..count {
            if interrupt.is_requested() {
                bail!("interrupted while seeding history ({n} of {count} messages posted)");
            }
            let body = json!({
                "agencyId": shared.agency_id,
                "content": format!("tg_{} seed {n}", self.records.run_id),
            });
            // A seed is setup, not a check: an answer of 5xx is tried again (twice at most);
            // an extra seeded message changes nothing the run measures.
            let body = RequestBody::Json(body);
            for attempt in 1..=3 {
                let answer = client
                    .send("POST", "/api/hooks/messages", &auth, Some(&body), &[])
                    .await
                    .map_err(anyhow::Error::new)
                    .with_context(|| format!("seeding message {} of {count}", n + 1))?;
                match answer.status {
                    200..=299 => break,
                    500..=599 if attempt < 3 => continue,
                    status => bail!(
                        "seeding message {} of {count}: POST /api/hooks/messages answered \
                         {status}: {}",
                        n + 1,
                        answer.body
                    ),
                }
            }
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        Ok(())
    }

    /// One virtual user's own account (session, PAT), membership of the seeded agency and,
    /// if asked, a verified agent of its own owned by the run's owner.
    async fn mint(
        &self,
        client: &ApiClient,
        base: &Identities,
        index: usize,
        with_agent: bool,
    ) -> anyhow::Result<VuIdentity> {
        let role = format!("vu{index}");
        let person = identities::person(client, &self.records, &self.ledger, &role, None)
            .await
            .with_context(|| format!("minting virtual user {index}"))?;
        let session = Auth::Bearer(person.session.expose().to_owned());
        let join = client
            .send(
                "POST",
                &format!("/api/agencies/{}/join", base.agency_id),
                &session,
                None,
                &[],
            )
            .await
            .map_err(anyhow::Error::new)
            .with_context(|| format!("virtual user {index} joining the seeded agency"))?;
        if !matches!(join.status, 200 | 201 | 409) {
            bail!(
                "virtual user {index} could not join the seeded agency: {}",
                join.status
            );
        }
        let agent_token = if with_agent {
            self.agent(client, base).await?
        } else {
            base.agent.token.clone()
        };
        Ok(identity_of(&person, &agent_token))
    }

    async fn agent(&self, client: &ApiClient, base: &Identities) -> anyhow::Result<Secret> {
        let owner = Auth::Bearer(base.owner.session.expose().to_owned());
        let body = json!({"name": self.records.unique_agent_name(), "agencyId": base.agency_id});
        let created = post(client, "/api/agents", &owner, body).await?;
        let id = field(&created, "/agent/id", "agent id")?;
        let token = Secret::new(field(&created, "/agentToken", "agent token")?);
        self.records.redactor.add_secret(&token);
        self.ledger.record(Created::Agent {
            id: id.clone(),
            owner: base.owner.session.clone(),
        });
        post(
            client,
            &format!("/api/agents/{id}/verify"),
            &owner,
            json!({}),
        )
        .await?;
        Ok(token)
    }

    /// Deletes everything the run created; returns what could not be deleted.
    pub async fn teardown(&self, client: &ApiClient) -> Vec<Leftover> {
        self.ledger
            .teardown(client, None, self.teardown_budget)
            .await
    }
}

fn identity_of(person: &Person, agent_token: &Secret) -> VuIdentity {
    VuIdentity {
        username: person.username.clone(),
        password: person.password.clone(),
        session: person.session.clone(),
        pat: person.pat.clone(),
        agent_token: agent_token.clone(),
    }
}
