@hooks
Feature: A command's hook key
  `POST /api/custom-commands/:agencyId/commands/:commandId/hook-key` issues a new key for the
  command's hook (its creator only; the agency owner when the command has lost its hook, which
  then gets a new one), and `DELETE` on the same path clears the key while keeping the hook
  (endpoints.md §15.2, rows 60–61). Each scenario publishes a URL of its own, so the run's
  shared hook key is never rotated or cleared.

  Scenario: The hook's creator gets a new key; the old one stops working
    Given I use the pat credential
    When I send POST "/api/custom-commands/{agency.id}/commands"
      """
      {"name": "{agent_name:cmd}", "webhookUrl": "https://example.com/tg/{run}/{unique:url}", "creator": "@{owner.username}"}
      """
    Then the status is one of 200, 201
    And I remember $.id as cmd
    And I remember $.hookKey or $.hook_key as key
    When I send POST "/api/custom-commands/{agency.id}/commands/{cmd}/hook-key"
    Then the status is 200
    And $.hookKey or $.hook_key is a non-empty string
    And $.hookKey matches "^[0-9a-f]{64}$" (assumed)
    And I remember $.hookKey or $.hook_key as new_key
    Given I use the hook key remembered as new_key
    When I send GET "/api/hooks/agencies"
    Then the status is 200
    And the response is a list
    And the list contains an item where $.id equals "{agency.id}"
    Given I use the hook key remembered as key
    When I send GET "/api/hooks/agencies"
    Then the request is refused (assumed)
    And the status is 401 (assumed)

  Scenario: Someone who did not create the hook gets no key for it
    Given I use the pat credential
    When I send POST "/api/custom-commands/{agency.id}/commands"
      """
      {"name": "{agent_name:cmd}", "webhookUrl": "https://example.com/tg/{run}/{unique:url}", "creator": "@{owner.username}"}
      """
    Then the status is one of 200, 201
    And I remember $.id as cmd
    Given I use the agent session credential
    When I send POST "/api/custom-commands/{agency.id}/commands/{cmd}/hook-key"
    Then the request is refused
    And the status is 403 (assumed)
    And the answer is an API error

  Scenario: Asking for the hook key of an unknown command is 404
    Given I use the pat credential
    When I send POST "/api/custom-commands/{agency.id}/commands/{random_uuid}/hook-key"
    Then the status is 404 (assumed)
    And the answer is an API error

  Scenario: The agency owner gives a command whose hook was revoked a new hook and key
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
    When I send PATCH "/api/custom-commands/{agency.id}/commands/{cmd}"
      """
      {"description": "its hook was revoked"}
      """
    Then the status is 200
    And $.hook_id equals null (assumed)
    When I send POST "/api/custom-commands/{agency.id}/commands/{cmd}/hook-key"
    Then the status is 200
    And $.hookKey or $.hook_key is a non-empty string
    And I remember $.hookKey or $.hook_key as new_key
    When I send PATCH "/api/custom-commands/{agency.id}/commands/{cmd}"
      """
      {"description": "it has a hook again"}
      """
    Then the status is 200
    And $.hook_id is a string (assumed)
    And I remember $.hook_id as new_hook
    Given I use the hook key remembered as new_key
    When I send GET "/api/hooks/agencies"
    Then the status is 200
    And the response is a list
    And the list contains an item where $.id equals "{agency.id}"
    # The new hook is the caller's: they may revoke it (which also leaves nothing behind).
    Given I use the pat credential
    When I send DELETE "/api/hooks/by-id/{new_hook}/revoke-key"
    Then the status is one of 200, 204
    And the status is 200 (assumed)

  Scenario: Clearing a command's hook key ends the key but keeps the hook
    Given I use the pat credential
    When I send POST "/api/custom-commands/{agency.id}/commands"
      """
      {"name": "{agent_name:cmd}", "webhookUrl": "https://example.com/tg/{run}/{unique:url}", "creator": "@{owner.username}"}
      """
    Then the status is one of 200, 201
    And I remember $.id as cmd
    And I remember $.hook_id as hook
    And I remember $.hookKey or $.hook_key as key
    When I send DELETE "/api/custom-commands/{agency.id}/commands/{cmd}/hook-key"
    Then the status is one of 200, 204
    And the status is 200 (assumed)
    And $.ok equals true (assumed)
    Given I use the hook key remembered as key
    When I send GET "/api/hooks/agencies"
    Then the request is refused
    And the status is 401 (assumed)
    And the answer is an API error
    When I send POST "/api/hooks/messages"
      """
      {"agencyId": "{agency.id}", "content": "a cleared key posts nothing"}
      """
    Then the request is refused
    And the status is 401 (assumed)
    Given I use the pat credential
    When I send GET "/api/hooks/by-id/{hook}"
    Then the status is 200 (assumed)
    And $.enabled equals true (assumed)

  Scenario: After clearing, asking again issues a working key
    Given I use the pat credential
    When I send POST "/api/custom-commands/{agency.id}/commands"
      """
      {"name": "{agent_name:cmd}", "webhookUrl": "https://example.com/tg/{run}/{unique:url}", "creator": "@{owner.username}"}
      """
    Then the status is one of 200, 201
    And I remember $.id as cmd
    When I send DELETE "/api/custom-commands/{agency.id}/commands/{cmd}/hook-key"
    Then the status is one of 200, 204
    When I send POST "/api/custom-commands/{agency.id}/commands/{cmd}/hook-key"
    Then the status is 200
    And I remember $.hookKey or $.hook_key as new_key
    Given I use the hook key remembered as new_key
    When I send GET "/api/hooks/agencies"
    Then the status is 200
    And the response is a list
    And the list contains an item where $.id equals "{agency.id}"

  Scenario: Only the hook's creator clears its key
    Given I use the pat credential
    When I send POST "/api/custom-commands/{agency.id}/commands"
      """
      {"name": "{agent_name:cmd}", "webhookUrl": "https://example.com/tg/{run}/{unique:url}", "creator": "@{owner.username}"}
      """
    Then the status is one of 200, 201
    And I remember $.id as cmd
    Given I use the agent session credential
    When I send DELETE "/api/custom-commands/{agency.id}/commands/{cmd}/hook-key"
    Then the request is refused
    And the status is 403 (assumed)
    And the answer is an API error

  Scenario: Clearing the hook key of an unknown command is 404
    Given I use the pat credential
    When I send DELETE "/api/custom-commands/{agency.id}/commands/{random_uuid}/hook-key"
    Then the status is 404 (assumed)
    And the answer is an API error

  Scenario: DM rooms have no command hook keys
    Given I use the pat credential
    When I send POST "/api/dm/{other.id}"
    Then the status is one of 200, 201
    And I remember $.agencyId or $.agency_id as dm
    When I send POST "/api/custom-commands/{dm}/commands/{random_uuid}/hook-key"
    Then the status is one of 400, 403, 404
    And the status is 403 (assumed)
