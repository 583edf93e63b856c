@hooks @metrics-exact
Feature: Active hooks in the metrics
  `crustocean_hooks_active` counts the enabled hook entities, webhook and native (metrics.md
  §3 row 17 and §5): a new webhook URL or a first native deploy adds one, revoking or
  disabling an enabled hook takes one away, and linking a second command or clearing a key
  changes nothing. Each scenario runs on a fresh instance of its own, so the movements are
  exact.

  Scenario: The first command for a new webhook URL adds an active hook
    Given I use the pat credential
    And I take a metrics baseline
    When I send POST "/api/custom-commands/{agency.id}/commands"
      """
      {"name": "{agent_name:cmd}", "webhookUrl": "https://example.com/tg/{run}/{unique:url}", "creator": "@{owner.username}"}
      """
    Then the status is one of 200, 201
    And the metric crustocean_hooks_active increases by 1

  Scenario: A second command for a published URL adds no hook
    Given I use the pat credential
    When I send POST "/api/custom-commands/{agency.id}/commands"
      """
      {"name": "{agent_name:first}", "webhookUrl": "https://example.com/tg/{run}/{unique:url}", "creator": "@{owner.username}"}
      """
    Then the status is one of 200, 201
    Given I take a metrics baseline
    When I send POST "/api/custom-commands/{agency.id}/commands"
      """
      {"name": "{agent_name:second}", "webhookUrl": "https://example.com/tg/{run}/{unique:url}", "creator": "@{owner.username}"}
      """
    Then the status is one of 200, 201
    And the metric crustocean_hooks_active increases by 0

  Scenario: Revoking an enabled hook removes an active hook
    Given I use the pat credential
    When I send POST "/api/custom-commands/{agency.id}/commands"
      """
      {"name": "{agent_name:cmd}", "webhookUrl": "https://example.com/tg/{run}/{unique:url}", "creator": "@{owner.username}"}
      """
    Then the status is one of 200, 201
    And I remember $.hook_id as hook
    Given I take a metrics baseline
    When I send DELETE "/api/hooks/by-id/{hook}/revoke-key"
    Then the status is one of 200, 204
    And the metric crustocean_hooks_active decreases by 1

  Scenario: Disabling a hook removes it from the active count, enabling adds it back
    Given I use the pat credential
    When I send POST "/api/custom-commands/{agency.id}/commands"
      """
      {"name": "{agent_name:cmd}", "webhookUrl": "https://example.com/tg/{run}/{unique:url}", "creator": "@{owner.username}"}
      """
    Then the status is one of 200, 201
    And I remember $.hook_id as hook
    Given I take a metrics baseline
    When I send PATCH "/api/hooks/by-id/{hook}"
      """
      {"enabled": false}
      """
    Then the status is 200
    And the metric crustocean_hooks_active decreases by 1
    Given I take a metrics baseline
    When I send PATCH "/api/hooks/by-id/{hook}"
      """
      {"enabled": true}
      """
    Then the status is 200
    And the metric crustocean_hooks_active increases by 1

  Scenario: Clearing a command's hook key keeps the hook active
    Given I use the pat credential
    When I send POST "/api/custom-commands/{agency.id}/commands"
      """
      {"name": "{agent_name:cmd}", "webhookUrl": "https://example.com/tg/{run}/{unique:url}", "creator": "@{owner.username}"}
      """
    Then the status is one of 200, 201
    And I remember $.id as cmd
    Given I take a metrics baseline
    When I send DELETE "/api/custom-commands/{agency.id}/commands/{cmd}/hook-key"
    Then the status is one of 200, 204
    And the metric crustocean_hooks_active increases by 0

  Scenario: The first native deploy of a slug adds an active hook; a redeploy does not
    Given I use the pat credential
    And I take a metrics baseline
    When I send POST "/api/hooks/deploy"
      """
      {"slug": "tg-{run}-metrics", "code": "export async function handler(ctx) { return { content: 'tidegauge' }; }", "commands": [{"name": "tgmetrics"}]}
      """
    Then the status is one of 200, 201
    And the metric crustocean_hooks_active increases by 1
    Given I take a metrics baseline
    When I send POST "/api/hooks/deploy"
      """
      {"slug": "tg-{run}-metrics", "code": "export async function handler(ctx) { return { content: 'tidegauge v2' }; }", "commands": [{"name": "tgmetrics"}]}
      """
    Then the status is one of 200, 201
    And the metric crustocean_hooks_active increases by 0

  Scenario: A command that lost its hook gets a new active hook from the owner
    Given I use the pat credential
    When I send POST "/api/custom-commands/{agency.id}/commands"
      """
      {"name": "{agent_name:cmd}", "webhookUrl": "https://example.com/tg/{run}/{unique:url}", "creator": "@{owner.username}"}
      """
    Then the status is one of 200, 201
    And I remember $.id as cmd
    And I remember $.hook_id as hook
    When I send DELETE "/api/hooks/by-id/{hook}/revoke-key"
    Then the status is one of 200, 204
    Given I take a metrics baseline
    When I send POST "/api/custom-commands/{agency.id}/commands/{cmd}/hook-key"
    Then the status is 200
    And the metric crustocean_hooks_active increases by 1
