@hooks
Feature: Native hook deploy
  `POST /api/hooks/deploy` publishes JavaScript that defines a top-level `handler` under a
  slug (endpoints.md §17 "Native deploy", row 75). The first deploy of a slug answers 201 with
  the hook key, a redeploy by the same creator 200 without it; another creator's slug is a
  conflict. `agency_id` installs the hook at once where the caller is owner or admin.
  Besides sessions and PATs it takes the raw token of a verified agent as Bearer.

  Scenario: The first deploy of a slug creates a native hook and shows its key once
    Given I use the pat credential
    When I send POST "/api/hooks/deploy"
      """
      {"slug": "tg-{run}-native", "code": "export async function handler(ctx) { return { content: 'tidegauge' }; }", "commands": [{"name": "tgnative"}], "name": "Tidegauge native", "description": "tidegauge {run}", "agency_id": "{agency.id}"}
      """
    Then the status is one of 200, 201
    And the status is 201 (assumed)
    And the response is a DeployResult
    And $.slug equals "tg-{run}-native"
    And $.hook_key is a non-empty string
    And $.hook_key matches "^[0-9a-f]{64}$" (assumed)
    And $.commands[0].name equals "tgnative"
    And $.installed_in equals "{agency.id}" (assumed)
    And $.installed_commands contains "tgnative" (assumed)
    And $.source_hash equals "fcb3ff37a12588c62d70b62af11d02226298b92e12a9bd6a406b54c4a8ef69b4" (assumed)
    And I remember $.hook_id as hook
    And I remember $.hook_key as key
    # The key works where the hook was installed.
    Given I use the hook key remembered as key
    When I send POST "/api/hooks/messages"
      """
      {"agencyId": "{agency.id}", "content": "from a native hook"}
      """
    Then the status is one of 200, 201
    And $.sender_type equals "system"
    Given I use no credential
    When I send GET "/api/hooks/by-slug/tg-{run}-native"
    Then the status is 200
    And the response is a Hook
    And $.id equals "{hook}"
    And $.source_type equals "native"
    And $.verified equals true
    And $.webhook_url equals null
    And $.source_code is a string

  Scenario: The same creator redeploying a slug updates it without a new key
    Given I use the session credential
    When I send POST "/api/hooks/deploy"
      """
      {"slug": "tg-{run}-redeploy", "code": "export async function handler(ctx) { return { content: 'tidegauge' }; }", "commands": [{"name": "tgfirst", "description": "first"}]}
      """
    Then the status is one of 200, 201
    And I remember $.hook_id as hook
    When I send POST "/api/hooks/deploy"
      """
      {"slug": "tg-{run}-redeploy", "code": "export async function handler(ctx) { return { content: 'tidegauge v2' }; }", "commands": [{"name": "tgsecond"}]}
      """
    Then the status is one of 200, 201
    And the status is 200 (assumed)
    And the response is a DeployResult
    And $.hook_key is absent
    And $.hook_id equals "{hook}"
    And $.source_hash equals "be46cbd1513bdc81ff469462df935ba44fdabd5cda850655ddf09c1c0beef2fb" (assumed)
    And $.commands has length 1 (assumed)
    And $.commands[0].name equals "tgsecond" (assumed)

  Scenario: The run's verified agent deploys with its raw agent token
    Given I use the agent session credential
    When I send POST "/api/hooks/deploy"
      """
      {"slug": "tg-{run}-agent", "code": "export async function handler(ctx) { return { content: 'tidegauge' }; }", "commands": [{"name": "tgagent"}]}
      """
    Then the status is one of 200, 201
    And I remember $.hook_id as hook
    Given I use the agent token credential
    When I send POST "/api/hooks/deploy"
      """
      {"slug": "tg-{run}-agent", "code": "export async function handler(ctx) { return { content: 'tidegauge v2' }; }", "commands": [{"name": "tgagent"}]}
      """
    Then the status is one of 200, 201
    And the status is 200 (assumed)
    And the response is a DeployResult
    And $.hook_id equals "{hook}"
    And $.hook_key is absent

  Scenario: An unverified agent's raw token cannot deploy
    Given I use the pat credential
    When I send POST "/api/agents"
      """
      {"name": "{agent_name:unverified}", "agencyId": "{agency.id}"}
      """
    Then the status is one of 200, 201
    And I remember $.agentToken as unverified_token
    Given I use the bearer token remembered as unverified_token
    When I send POST "/api/hooks/deploy"
      """
      {"slug": "tg-{run}-unverified", "code": "export async function handler(ctx) { return { content: 'tidegauge' }; }", "commands": [{"name": "tgunverified"}]}
      """
    Then the request is refused
    And the status is 403 (assumed)
    And the answer is an API error

  Scenario: Another creator's slug is a conflict
    Given I use the pat credential
    When I send POST "/api/hooks/deploy"
      """
      {"slug": "tg-{run}-owned", "code": "export async function handler(ctx) { return { content: 'tidegauge' }; }", "commands": [{"name": "tgowned"}]}
      """
    Then the status is one of 200, 201
    Given I use the other user's pat credential
    When I send POST "/api/hooks/deploy"
      """
      {"slug": "tg-{run}-owned", "code": "export async function handler(ctx) { return { content: 'taken over' }; }", "commands": [{"name": "tgowned"}]}
      """
    Then the status is 409
    And the answer is an API error

  Scenario: A slug a webhook hook holds cannot be deployed
    Given I use the pat credential
    When I send POST "/api/custom-commands/{agency.id}/commands"
      """
      {"name": "{agent_name:cmd}", "webhookUrl": "https://example.com/tg/{run}/{unique:url}", "creator": "@{owner.username}", "explore_metadata": {"slug": "tg-{run}-webhook-held", "creator": "@{owner.username}"}}
      """
    Then the status is one of 200, 201
    When I send POST "/api/hooks/deploy"
      """
      {"slug": "tg-{run}-webhook-held", "code": "export async function handler(ctx) { return { content: 'tidegauge' }; }", "commands": [{"name": "tgheld"}]}
      """
    Then the status is one of 400, 409
    And the status is 409 (assumed)
    And the answer is an API error

  Scenario: A webhook hook cannot take a native hook's slug
    Given I use the pat credential
    When I send POST "/api/hooks/deploy"
      """
      {"slug": "tg-{run}-native-held", "code": "export async function handler(ctx) { return { content: 'tidegauge' }; }", "commands": [{"name": "tgheld"}]}
      """
    Then the status is one of 200, 201
    When I send POST "/api/custom-commands/{agency.id}/commands"
      """
      {"name": "{agent_name:cmd}", "webhookUrl": "https://example.com/tg/{run}/{unique:url}", "creator": "@{owner.username}", "explore_metadata": {"slug": "tg-{run}-native-held", "creator": "@{owner.username}"}}
      """
    Then the status is one of 400, 409
    And the status is 409 (assumed)

  Scenario: Code without a handler is refused
    Given I use the pat credential
    When I send POST "/api/hooks/deploy"
      """
      {"slug": "tg-{run}-nohandler", "code": "export async function main(ctx) { return { content: 'nothing' }; }", "commands": [{"name": "tgnohandler"}]}
      """
    Then the status is 400
    And the answer is an API error

  Scenario: A deploy needs at least one command
    Given I use the pat credential
    When I send POST "/api/hooks/deploy"
      """
      {"slug": "tg-{run}-nocommands", "code": "export async function handler(ctx) { return { content: 'tidegauge' }; }", "commands": []}
      """
    Then the status is 400
    And the answer is an API error

  Scenario: A slug with capital letters is refused
    Given I use the pat credential
    When I send POST "/api/hooks/deploy"
      """
      {"slug": "TG-{run}-Caps", "code": "export async function handler(ctx) { return { content: 'tidegauge' }; }", "commands": [{"name": "tgcaps"}]}
      """
    Then the status is 400
    And the answer is an API error

  Scenario: Installing into an agency the caller does not manage is forbidden
    Given I use the other user's session credential
    When I send POST "/api/hooks/deploy"
      """
      {"slug": "tg-{run}-notmine", "code": "export async function handler(ctx) { return { content: 'tidegauge' }; }", "commands": [{"name": "tgnotmine"}], "agency_id": "{agency.id}"}
      """
    Then the status is one of 403, 404
    And the status is 403 (assumed)
    And the answer is an API error

  Scenario: A member agent that is not an admin cannot install into the agency either
    Given I use the agent session credential
    When I send POST "/api/hooks/deploy"
      """
      {"slug": "tg-{run}-member", "code": "export async function handler(ctx) { return { content: 'tidegauge' }; }", "commands": [{"name": "tgmember"}], "agency_id": "{agency.id}"}
      """
    Then the status is one of 403, 404
    And the status is 403 (assumed)

  Scenario: Installing into an unknown agency is 404
    Given I use the pat credential
    When I send POST "/api/hooks/deploy"
      """
      {"slug": "tg-{run}-nowhere", "code": "export async function handler(ctx) { return { content: 'tidegauge' }; }", "commands": [{"name": "tgnowhere"}], "agency_id": "{random_uuid}"}
      """
    Then the status is 404 (assumed)
    And the answer is an API error

  Scenario: A native hook cannot be installed into a DM room
    Given I use the pat credential
    When I send POST "/api/dm/{other.id}"
    Then the status is one of 200, 201
    And I remember $.agencyId or $.agency_id as dm
    When I send POST "/api/hooks/deploy"
      """
      {"slug": "tg-{run}-dm", "code": "export async function handler(ctx) { return { content: 'tidegauge' }; }", "commands": [{"name": "tgdm"}], "agency_id": "{dm}"}
      """
    Then the status is one of 400, 403, 404
    And the status is 403 (assumed)

  Scenario: Code larger than 64 KiB is refused
    Given I use the pat credential
    When I send POST "/api/hooks/deploy" with the payload "hooks_deploy_oversized.json"
    Then the status is 400
    And the answer is an API error
