//! Steps of the subscriptions area: a value chosen by the feature itself, remembered for later
//! steps (for example the secret a webhook subscription is created with, which signature checks
//! need whether or not the target echoes it, assumptions.md #157).

use crate::conform::world::{ApiWorld, StepResult};
use cucumber::given;

/// `Given I remember "{unique:secret}" as secret`: expands the placeholders once and keeps the
/// result under `name`, so `{name}` and steps that take a remembered value see the same text.
#[given(regex = r#"^I remember "([^"]*)" as (\w+)$"#)]
async fn remember_text(world: &mut ApiWorld, text: String, name: String) -> StepResult {
    let value = world.expand(&text)?;
    world.vars.insert(name, value);
    Ok(())
}
