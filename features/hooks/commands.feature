@hooks
Feature: Custom commands
  An agency owner publishes slash commands backed by a webhook URL (endpoints.md §15, rows
  56–59). The first command that publishes a URL creates the hook for it and is the only
  answer that shows the hook key; later commands with that URL link to the same hook without
  a key. Any member lists the commands; only the owner creates, updates or deletes them; the
  Lobby and DM rooms hold none.

  Scenario: The owner creates a command with a new webhook URL and gets the hook key once
    Given I use the pat credential
    When I send POST "/api/custom-commands/{agency.id}/commands"
      """
      {"name": "{agent_name:cmd}", "webhookUrl": "https://example.com/tg/{run}/{unique:url}", "description": "tidegauge dice", "creator": "@{owner.username}"}
      """
    Then the status is one of 200, 201
    And the status is 201 (assumed)
    And the response is a Command
    And $.name equals "{agent_name:cmd}"
    And $.webhookUrl or $.webhook_url equals "https://example.com/tg/{run}/{unique:url}"
    And $.agencyId or $.agency_id equals "{agency.id}"
    And $.description equals "tidegauge dice"
    And $.creator equals "@{owner.username}" (assumed)
    And $.invoke_permission equals "open" (assumed)
    And $.hookKey or $.hook_key is a non-empty string
    And $.hookKey matches "^[0-9a-f]{64}$" (assumed)
    And $.hook_id is a string (assumed)

  Scenario: The official clients' spelling webhook_url is accepted too
    Given I use the session credential
    When I send POST "/api/custom-commands/{agency.id}/commands"
      """
      {"name": "{agent_name:cmd}", "webhook_url": "https://example.com/tg/{run}/{unique:url}", "creator": "@{owner.username}"}
      """
    Then the status is one of 200, 201
    And the response is a Command
    And $.webhookUrl or $.webhook_url equals "https://example.com/tg/{run}/{unique:url}"
    And $.hookKey or $.hook_key is a non-empty string

  Scenario: Without a creator the command is attributed to the caller
    Given I use the pat credential
    When I send POST "/api/custom-commands/{agency.id}/commands"
      """
      {"name": "{agent_name:cmd}", "webhookUrl": "https://example.com/tg/{run}/{unique:url}"}
      """
    Then the status is one of 200, 201, 400
    And the status is 201 (assumed)
    And $.creator equals "@{owner.username}" (assumed)

  Scenario: A second command with an already published URL links to its hook without a key
    Given I use the pat credential
    When I send POST "/api/custom-commands/{agency.id}/commands"
      """
      {"name": "{agent_name:first}", "webhookUrl": "https://example.com/tg/{run}/{unique:url}", "creator": "@{owner.username}"}
      """
    Then the status is one of 200, 201
    And I remember $.hook_id as hook
    When I send POST "/api/custom-commands/{agency.id}/commands"
      """
      {"name": "{agent_name:second}", "webhookUrl": "https://example.com/tg/{run}/{unique:url}", "creator": "@{owner.username}"}
      """
    Then the status is one of 200, 201
    And the response is a Command
    And $.hookKey is absent
    And $.hook_key is absent
    And $.hook_id equals "{hook}" (assumed)
    When I send GET "/api/hooks/by-id/{hook}"
    Then the status is 200
    And the response is a Hook
    And $.commands has length 2 (assumed)

  Scenario: The command name is lower-cased and stripped of everything but letters and digits
    Given I use the pat credential
    When I send POST "/api/custom-commands/{agency.id}/commands"
      """
      {"name": "/{unique:cmd}", "webhookUrl": "https://example.com/tg/{run}/{unique:url}", "creator": "@{owner.username}"}
      """
    Then the status is one of 200, 201
    And $.name matches "^tg[0-9a-f]+$"

  Scenario: A built-in command name cannot be overridden
    Given I use the pat credential
    When I send POST "/api/custom-commands/{agency.id}/commands"
      """
      {"name": "roll", "webhookUrl": "https://example.com/tg/{run}/{unique:url}", "creator": "@{owner.username}"}
      """
    Then the status is one of 400, 409
    And the status is 400 (assumed)
    And the answer is an API error

  Scenario: A name with nothing left after normalisation is refused
    Given I use the pat credential
    When I send POST "/api/custom-commands/{agency.id}/commands"
      """
      {"name": "/!!", "webhookUrl": "https://example.com/tg/{run}/{unique:url}", "creator": "@{owner.username}"}
      """
    Then the request is refused
    And the status is 400 (assumed)
    And the answer is an API error

  Scenario: A name longer than 32 characters is refused
    Given I use the pat credential
    When I send POST "/api/custom-commands/{agency.id}/commands"
      """
      {"name": "abcdefghijklmnopqrstuvwxyzabcdefg", "webhookUrl": "https://example.com/tg/{run}/{unique:url}", "creator": "@{owner.username}"}
      """
    Then the request is refused
    And the status is 400 (assumed)

  Scenario: A second command with the same name in one agency is a conflict
    Given I use the pat credential
    When I send POST "/api/custom-commands/{agency.id}/commands"
      """
      {"name": "{agent_name:cmd}", "webhookUrl": "https://example.com/tg/{run}/{unique:url}", "creator": "@{owner.username}"}
      """
    Then the status is one of 200, 201
    When I send POST "/api/custom-commands/{agency.id}/commands"
      """
      {"name": "{agent_name:cmd}", "webhookUrl": "https://example.com/tg/{run}/{unique:url}", "creator": "@{owner.username}"}
      """
    Then the status is one of 400, 409
    And the status is 409 (assumed)
    And the answer is an API error

  Scenario: The webhook URL is required
    Given I use the pat credential
    When I send POST "/api/custom-commands/{agency.id}/commands"
      """
      {"name": "{agent_name:cmd}", "creator": "@{owner.username}"}
      """
    Then the request is refused
    And the status is 400 (assumed)
    And the answer is an API error

  Scenario: The webhook URL must be an absolute http(s) URL
    Given I use the pat credential
    When I send POST "/api/custom-commands/{agency.id}/commands"
      """
      {"name": "{agent_name:cmd}", "webhookUrl": "ftp://example.com/tg/{run}/{unique:url}", "creator": "@{owner.username}"}
      """
    Then the request is refused
    And the status is 400 (assumed)

  Scenario: A creator that names no existing user is refused
    Given I use the pat credential
    When I send POST "/api/custom-commands/{agency.id}/commands"
      """
      {"name": "{agent_name:cmd}", "webhookUrl": "https://example.com/tg/{run}/{unique:url}", "creator": "@{unique:nobody}"}
      """
    Then the request is refused
    And the status is 400 (assumed)

  Scenario: An unknown invoke permission is refused
    Given I use the pat credential
    When I send POST "/api/custom-commands/{agency.id}/commands"
      """
      {"name": "{agent_name:cmd}", "webhookUrl": "https://example.com/tg/{run}/{unique:url}", "creator": "@{owner.username}", "invoke_permission": "everyone"}
      """
    Then the request is refused
    And the status is 400 (assumed)

  Scenario: A description longer than 200 characters is refused
    Given I use the pat credential
    When I send POST "/api/custom-commands/{agency.id}/commands"
      """
      {"name": "{agent_name:cmd}", "webhookUrl": "https://example.com/tg/{run}/{unique:url}", "creator": "@{owner.username}", "description": "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"}
      """
    Then the request is refused
    And the status is 400 (assumed)

  Scenario: Explore metadata makes the hook installable under its slug
    Given I use the pat credential
    When I send POST "/api/custom-commands/{agency.id}/commands"
      """
      {"name": "{agent_name:cmd}", "webhookUrl": "https://example.com/tg/{run}/{unique:url}", "creator": "@{owner.username}", "explore_metadata": {"slug": "tg-{run}-listed", "at_name": "{unique:at}", "creator": "@{owner.username}", "display_name": "Tidegauge listed", "description": "tidegauge {run}"}}
      """
    Then the status is one of 200, 201
    And I remember $.hook_id as hook
    When I send GET "/api/hooks/by-slug/tg-{run}-listed"
    Then the status is 200
    And the response is a Hook
    And $.id equals "{hook}"
    And $.at_name equals "{unique:at}" (assumed)
    When I send GET "/api/explore/webhooks?q=tg-{run}-listed"
    Then the status is 200
    And the response is a list wrapped as "webhooks"
    And the list contains an item where $.id equals "{hook}"

  Scenario: A slug another hook holds is a conflict
    Given I use the pat credential
    When I send POST "/api/custom-commands/{agency.id}/commands"
      """
      {"name": "{agent_name:first}", "webhookUrl": "https://example.com/tg/{run}/{unique:first}", "creator": "@{owner.username}", "explore_metadata": {"slug": "tg-{run}-taken", "creator": "@{owner.username}"}}
      """
    Then the status is one of 200, 201
    When I send POST "/api/custom-commands/{agency.id}/commands"
      """
      {"name": "{agent_name:second}", "webhookUrl": "https://example.com/tg/{run}/{unique:second}", "creator": "@{owner.username}", "explore_metadata": {"slug": "tg-{run}-taken", "creator": "@{owner.username}"}}
      """
    Then the status is 409
    And the answer is an API error

  Scenario: An at_name another hook holds is a conflict
    Given I use the pat credential
    When I send POST "/api/custom-commands/{agency.id}/commands"
      """
      {"name": "{agent_name:first}", "webhookUrl": "https://example.com/tg/{run}/{unique:first}", "creator": "@{owner.username}", "explore_metadata": {"at_name": "{unique:at}"}}
      """
    Then the status is one of 200, 201
    When I send POST "/api/custom-commands/{agency.id}/commands"
      """
      {"name": "{agent_name:second}", "webhookUrl": "https://example.com/tg/{run}/{unique:second}", "creator": "@{owner.username}", "explore_metadata": {"at_name": "{unique:at}"}}
      """
    Then the status is 409
    And the answer is an API error

  Scenario: The Lobby refuses commands
    Given I use the pat credential
    When I send GET "/api/agencies/lookup/lobby"
    Then the status is 200
    And I remember $.id as lobby
    When I send POST "/api/custom-commands/{lobby}/commands"
      """
      {"name": "{agent_name:cmd}", "webhookUrl": "https://example.com/tg/{run}/{unique:url}", "creator": "@{owner.username}"}
      """
    Then the status is one of 400, 403
    And the status is 403 (assumed)
    And the answer is an API error

  Scenario: The Lobby lists no commands
    Given I use the pat credential
    When I send GET "/api/agencies/lookup/lobby"
    Then the status is 200
    And I remember $.id as lobby
    When I send GET "/api/custom-commands/{lobby}/commands"
    Then the status is 200 (assumed)
    And the response is a list
    And the list has 0 items (assumed)

  Scenario Outline: Only the agency owner creates commands (<who>)
    Given I use <credential>
    When I send POST "/api/custom-commands/{agency.id}/commands"
      """
      {"name": "{agent_name:cmd}", "webhookUrl": "https://example.com/tg/{run}/{unique:url}"}
      """
    Then the request is refused
    And the status is 403 (assumed)
    And the answer is an API error

    Examples:
      | who                          | credential                       |
      | a user who is not a member   | the other user's pat credential  |
      | an agent that is a member    | the agent session credential     |

  Scenario: Creating a command in an unknown agency is 404
    Given I use the pat credential
    When I send POST "/api/custom-commands/{random_uuid}/commands"
      """
      {"name": "{agent_name:cmd}", "webhookUrl": "https://example.com/tg/{run}/{unique:url}", "creator": "@{owner.username}"}
      """
    Then the status is 404 (assumed)
    And the answer is an API error

  Scenario: DM rooms hold no commands
    Given I use the pat credential
    When I send POST "/api/dm/{other.id}"
    Then the status is one of 200, 201
    And I remember $.agencyId or $.agency_id as dm
    When I send POST "/api/custom-commands/{dm}/commands"
      """
      {"name": "{agent_name:cmd}", "webhookUrl": "https://example.com/tg/{run}/{unique:url}", "creator": "@{owner.username}"}
      """
    Then the status is one of 400, 403, 404
    And the status is 403 (assumed)
    When I send GET "/api/custom-commands/{dm}/commands"
    Then the status is one of 400, 403, 404
    And the status is 403 (assumed)

  @ssrf-default
  Scenario: A webhook URL pointing at a private address is refused
    Given I use the pat credential
    When I send POST "/api/custom-commands/{agency.id}/commands"
      """
      {"name": "{agent_name:cmd}", "webhookUrl": "http://127.0.0.1:9/tg/{run}", "creator": "@{owner.username}"}
      """
    Then the status is one of 400, 422
    And the status is 400 (assumed)
    And the answer is an API error

  # Listing (row 56)

  Scenario: A member lists the agency's commands
    Given I use the agent session credential
    When I send GET "/api/custom-commands/{agency.id}/commands"
    Then the status is 200
    And the response is a list
    And each item is a Command
    And the list contains an item where $.id equals "{hook.command_id}"

  Scenario: Someone who is not a member cannot list the commands
    Given I use the other user's session credential
    When I send GET "/api/custom-commands/{agency.id}/commands"
    Then the request is refused
    And the status is 403 (assumed)
    And the answer is an API error

  Scenario: Listing the commands of an unknown agency is 404
    Given I use the pat credential
    When I send GET "/api/custom-commands/{random_uuid}/commands"
    Then the status is 404 (assumed)
    And the answer is an API error

  # Updating (row 58)

  Scenario: The owner updates a command's description
    Given I use the pat credential
    When I send POST "/api/custom-commands/{agency.id}/commands"
      """
      {"name": "{agent_name:cmd}", "webhookUrl": "https://example.com/tg/{run}/{unique:url}", "creator": "@{owner.username}"}
      """
    Then the status is one of 200, 201
    And I remember $.id as cmd
    When I send PATCH "/api/custom-commands/{agency.id}/commands/{cmd}"
      """
      {"description": "updated by tidegauge", "invoke_permission": "closed"}
      """
    Then the status is 200
    And the response is a Command
    And $.id equals "{cmd}"
    And $.description equals "updated by tidegauge"
    And $.invoke_permission equals "closed"
    And $.hookKey is absent

  Scenario: Moving a command to a new webhook URL creates a new hook and shows its key
    Given I use the pat credential
    When I send POST "/api/custom-commands/{agency.id}/commands"
      """
      {"name": "{agent_name:cmd}", "webhookUrl": "https://example.com/tg/{run}/{unique:old}", "creator": "@{owner.username}"}
      """
    Then the status is one of 200, 201
    And I remember $.id as cmd
    And I remember $.hook_id as old_hook
    When I send PATCH "/api/custom-commands/{agency.id}/commands/{cmd}"
      """
      {"webhookUrl": "https://example.com/tg/{run}/{unique:new}"}
      """
    Then the status is 200
    And $.webhookUrl or $.webhook_url equals "https://example.com/tg/{run}/{unique:new}"
    And $.hookKey or $.hook_key is a non-empty string
    And I remember $.hookKey or $.hook_key as key
    And $.hook_id is a string (assumed)
    Given I use the hook key remembered as key
    When I send GET "/api/hooks/agencies"
    Then the status is 200
    And the response is a list
    And the list contains an item where $.id equals "{agency.id}"

  Scenario: explore_metadata null clears a command's metadata
    Given I use the pat credential
    When I send POST "/api/custom-commands/{agency.id}/commands"
      """
      {"name": "{agent_name:cmd}", "webhookUrl": "https://example.com/tg/{run}/{unique:url}", "creator": "@{owner.username}", "explore_metadata": {"display_name": "Tidegauge", "description": "tidegauge {run}"}}
      """
    Then the status is one of 200, 201
    And I remember $.id as cmd
    When I send PATCH "/api/custom-commands/{agency.id}/commands/{cmd}"
      """
      {"explore_metadata": null}
      """
    Then the status is 200
    And $.explore_metadata equals null

  Scenario: Renaming a command to a name the agency already uses is a conflict
    Given I use the pat credential
    When I send POST "/api/custom-commands/{agency.id}/commands"
      """
      {"name": "{agent_name:taken}", "webhookUrl": "https://example.com/tg/{run}/{unique:url}", "creator": "@{owner.username}"}
      """
    Then the status is one of 200, 201
    When I send POST "/api/custom-commands/{agency.id}/commands"
      """
      {"name": "{agent_name:cmd}", "webhookUrl": "https://example.com/tg/{run}/{unique:url}", "creator": "@{owner.username}"}
      """
    Then the status is one of 200, 201
    And I remember $.id as cmd
    When I send PATCH "/api/custom-commands/{agency.id}/commands/{cmd}"
      """
      {"name": "{agent_name:taken}"}
      """
    Then the status is one of 400, 409
    And the status is 409 (assumed)
    And the answer is an API error

  Scenario: Renaming a command to a built-in name is refused
    Given I use the pat credential
    When I send POST "/api/custom-commands/{agency.id}/commands"
      """
      {"name": "{agent_name:cmd}", "webhookUrl": "https://example.com/tg/{run}/{unique:url}", "creator": "@{owner.username}"}
      """
    Then the status is one of 200, 201
    And I remember $.id as cmd
    When I send PATCH "/api/custom-commands/{agency.id}/commands/{cmd}"
      """
      {"name": "echo"}
      """
    Then the status is one of 400, 409
    And the status is 400 (assumed)

  Scenario: An update with an unknown invoke permission is refused
    Given I use the pat credential
    When I send POST "/api/custom-commands/{agency.id}/commands"
      """
      {"name": "{agent_name:cmd}", "webhookUrl": "https://example.com/tg/{run}/{unique:url}", "creator": "@{owner.username}"}
      """
    Then the status is one of 200, 201
    And I remember $.id as cmd
    When I send PATCH "/api/custom-commands/{agency.id}/commands/{cmd}"
      """
      {"invoke_permission": "everyone"}
      """
    Then the request is refused
    And the status is 400 (assumed)
    And the answer is an API error

  Scenario: Only the agency owner updates a command
    Given I use the pat credential
    When I send POST "/api/custom-commands/{agency.id}/commands"
      """
      {"name": "{agent_name:cmd}", "webhookUrl": "https://example.com/tg/{run}/{unique:url}", "creator": "@{owner.username}"}
      """
    Then the status is one of 200, 201
    And I remember $.id as cmd
    Given I use the agent session credential
    When I send PATCH "/api/custom-commands/{agency.id}/commands/{cmd}"
      """
      {"description": "not the owner"}
      """
    Then the request is refused
    And the status is 403 (assumed)
    And the answer is an API error

  Scenario: Updating an unknown command is 404
    Given I use the pat credential
    When I send PATCH "/api/custom-commands/{agency.id}/commands/{random_uuid}"
      """
      {"description": "nothing here"}
      """
    Then the status is 404 (assumed)
    And the answer is an API error

  # Deleting (row 59)

  Scenario: Deleting a command keeps its hook, which is then installed nowhere
    Given I use the pat credential
    When I send POST "/api/custom-commands/{agency.id}/commands"
      """
      {"name": "{agent_name:cmd}", "webhookUrl": "https://example.com/tg/{run}/{unique:url}", "creator": "@{owner.username}"}
      """
    Then the status is one of 200, 201
    And I remember $.id as cmd
    And I remember $.hook_id as hook
    And I remember $.hookKey or $.hook_key as key
    When I send DELETE "/api/custom-commands/{agency.id}/commands/{cmd}"
    Then the status is one of 200, 204
    And the status is 200 (assumed)
    And $.ok equals true (assumed)
    When I send GET "/api/custom-commands/{agency.id}/commands"
    Then the status is 200
    And the response is a list
    And the list does not contain an item where $.id equals "{cmd}"
    When I send GET "/api/hooks/by-id/{hook}"
    Then the status is 200 (assumed)
    Given I use the hook key remembered as key
    When I send GET "/api/hooks/agencies"
    Then the status is 200 (assumed)
    And the response is a list
    And the list does not contain an item where $.id equals "{agency.id}" (assumed)

  Scenario: Deleting a command twice is 404 the second time
    Given I use the pat credential
    When I send POST "/api/custom-commands/{agency.id}/commands"
      """
      {"name": "{agent_name:cmd}", "webhookUrl": "https://example.com/tg/{run}/{unique:url}", "creator": "@{owner.username}"}
      """
    Then the status is one of 200, 201
    And I remember $.id as cmd
    When I send DELETE "/api/custom-commands/{agency.id}/commands/{cmd}"
    Then the status is one of 200, 204
    When I send DELETE "/api/custom-commands/{agency.id}/commands/{cmd}"
    Then the status is 404 (assumed)
    And the answer is an API error

  Scenario: Only the agency owner deletes a command
    Given I use the pat credential
    When I send POST "/api/custom-commands/{agency.id}/commands"
      """
      {"name": "{agent_name:cmd}", "webhookUrl": "https://example.com/tg/{run}/{unique:url}", "creator": "@{owner.username}"}
      """
    Then the status is one of 200, 201
    And I remember $.id as cmd
    Given I use the other user's pat credential
    When I send DELETE "/api/custom-commands/{agency.id}/commands/{cmd}"
    Then the request is refused
    And the status is 403 (assumed)
    And the answer is an API error

  Scenario: The Lobby holds no command, so a command ID there is unknown
    Given I use the pat credential
    When I send GET "/api/agencies/lookup/lobby"
    Then the status is 200
    And I remember $.id as lobby
    When I send PATCH "/api/custom-commands/{lobby}/commands/{random_uuid}"
      """
      {"description": "nothing here"}
      """
    Then the request is refused
    And the status is 404 (assumed)
    When I send DELETE "/api/custom-commands/{lobby}/commands/{random_uuid}"
    Then the request is refused
    And the status is 404 (assumed)
