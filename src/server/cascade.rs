//! Creating the Lobby and the deletions that cascade (endpoints.md §4.6 account, §7.2 agency,
//! §11.2 agent): what goes with each, in one place, so that gauges and lists agree afterwards.
//! Lock order: these run inside a world write and then take room locks, never the reverse.

use super::clock::Millis;
use super::store::{Agency, Credentials, Membership, Role, Rooms, World};
use std::collections::{HashMap, VecDeque};
use uuid::Uuid;

/// The default public agency every new user joins (endpoints.md §7.1).
pub fn create_lobby(w: &mut World, now: Millis) {
    let id = Uuid::new_v4();
    w.lobby_id = id;
    w.slugs.insert("lobby".into(), id);
    w.agencies
        .insert(id, new_agency(id, "Lobby", "lobby", None, now));
}

/// A public agency with no members yet.
pub fn new_agency(id: Uuid, name: &str, slug: &str, owner: Option<Uuid>, now: Millis) -> Agency {
    Agency {
        id,
        name: name.to_owned(),
        slug: slug.to_owned(),
        charter: None,
        is_private: false,
        password: None,
        owner_id: owner,
        created_at: now,
        members: owner
            .map(|user_id| {
                vec![Membership {
                    user_id,
                    role: Role::Owner,
                    joined_at: now,
                }]
            })
            .unwrap_or_default(),
        skills: Vec::new(),
        is_dm: false,
        hidden_at: HashMap::new(),
    }
}

/// The slug of an agency name: lower-case, runs of other characters → `-`, trimmed (§7.1).
pub fn slugify(name: &str) -> String {
    let mut slug = String::new();
    for c in name.to_lowercase().chars() {
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            slug.push(c);
        } else if !slug.ends_with('-') {
            slug.push('-');
        }
    }
    slug.trim_matches('-').to_owned()
}

/// An agent's username from its name: lower-case, only `a–z 0–9` (§11.1).
pub fn agent_username(name: &str) -> String {
    name.to_lowercase()
        .chars()
        .filter(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        .collect()
}

/// Deletes an agency or DM room with its memberships, messages, invites, commands and
/// subscriptions. Hooks stay (their installs are derived from commands).
pub fn delete_agency(w: &mut World, rooms: &Rooms, agency_id: Uuid) {
    let Some(agency) = w.agencies.remove(&agency_id) else {
        return;
    };
    if w.slugs.get(&agency.slug) == Some(&agency_id) {
        w.slugs.remove(&agency.slug);
    }
    w.invites.retain(|_, i| i.agency_id != agency_id);
    w.commands.retain(|_, c| c.agency_id != agency_id);
    w.subscriptions.retain(|_, s| s.agency_id != agency_id);
    w.dms.retain(|_, room| *room != agency_id);
    for hook in w.hooks.values_mut() {
        hook.native_installs.remove(&agency_id);
    }
    rooms.drop_room(agency_id);
}

/// Deletes a hook entity: its key dies, its commands stay without a hook (§17 revoke).
pub fn delete_hook(w: &mut World, creds: &Credentials, hook_id: Uuid) {
    if let Some(hook) = w.hooks.remove(&hook_id)
        && let Some(hash) = hook.key_hash
    {
        creds.hook_keys.remove(&hash);
    }
    for command in w
        .commands
        .values_mut()
        .filter(|c| c.hook_id == Some(hook_id))
    {
        command.hook_id = None;
    }
}

/// Deletes a user or agent and everything that goes with it (§4.6, §11.2): sessions, PATs,
/// the agents it owns (each with its own cascade), agencies it owns, its other memberships,
/// follows both ways, DM rooms, claim requests and the hooks it created.
pub fn delete_user(w: &mut World, creds: &Credentials, rooms: &Rooms, user_id: Uuid) {
    let mut queue = VecDeque::from([user_id]);
    while let Some(id) = queue.pop_front() {
        let owned_agents = w
            .users
            .values()
            .filter(|u| u.agent.as_ref().is_some_and(|a| a.owner_id == Some(id)))
            .map(|u| u.id);
        queue.extend(owned_agents);
        delete_one_account(w, creds, rooms, id);
    }
}

fn delete_one_account(w: &mut World, creds: &Credentials, rooms: &Rooms, id: Uuid) {
    let Some(user) = w.users.remove(&id) else {
        return;
    };
    w.usernames.remove(&user.username.to_lowercase());
    creds.forget_user(id);
    w.pats.retain(|_, p| p.user_id != id);
    let doomed: Vec<Uuid> = w
        .agencies
        .values()
        .filter(|a| a.owner_id == Some(id) || (a.is_dm && a.is_member(id)))
        .map(|a| a.id)
        .collect();
    for agency_id in doomed {
        delete_agency(w, rooms, agency_id);
    }
    for agency in w.agencies.values_mut() {
        agency.members.retain(|m| m.user_id != id);
    }
    w.follows.retain(|(a, b)| *a != id && *b != id);
    w.claims.retain(|_, c| c.user_id != id && c.agent_id != id);
    let hooks: Vec<Uuid> = w
        .hooks
        .values()
        .filter(|h| h.creator_id == id)
        .map(|h| h.id)
        .collect();
    for hook_id in hooks {
        delete_hook(w, creds, hook_id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_and_agent_usernames() {
        assert_eq!(slugify("My Team"), "my-team");
        assert_eq!(slugify("YourAgentName's Agency"), "youragentname-s-agency");
        assert_eq!(slugify("  --  "), "");
        assert_eq!(agent_username("My-Agent 2"), "myagent2");
    }
}
