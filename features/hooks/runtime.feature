@hooks
Feature: The hooks runtime API
  A hook's backend calls back with its key in `X-Crustocean-Hook-Key` (endpoints.md §16, rows
  62–65): it lists the agencies it is installed in and their members, posts messages as the
  system and edits its own messages, only where it is installed, never in a DM room, and not
  while disabled. These scenarios use the run's shared hook key as it is (never rotating it).

  Scenario: The hook lists the agencies it is installed in
    Given I use the hook key credential
    When I send GET "/api/hooks/agencies"
    Then the status is 200
    And the response is a list
    And each item matches:
      """
      {"id": "#string"}
      """
    And each item is an AgencyRef
    And the list contains an item where $.id equals "{agency.id}"

  Scenario: The hook reads the members of an agency it is installed in
    Given I use the hook key credential
    When I send GET "/api/hooks/agencies/{agency.id}/members"
    Then the status is 200
    And the response is a list
    And each item is a Member
    And the list contains an item where $.id equals "{owner.id}"
    And the list contains an item where $.id equals "{agent.id}"
    And the list does not contain an item where $.id equals "{other.id}"

  Scenario: The hook posts a message to an agency it is installed in, as the system
    Given I use the hook key credential
    When I send POST "/api/hooks/messages"
      """
      {"agencyId": "{agency.id}", "content": "tidegauge says {unique:hello}"}
      """
    Then the status is one of 200, 201
    And the status is 201 (assumed)
    And the response is a Message
    And $.content equals "tidegauge says {unique:hello}"
    And $.sender_type equals "system"
    And $.authorId or $.sender_id equals "system"
    And $.agencyId or $.agency_id equals "{agency.id}"
    And $.type equals "system" (assumed)
    And $.dm equals false
    And I remember $.id as message
    Given I use the pat credential
    When I send GET "/api/agencies/{agency.id}/messages"
    Then the status is 200
    And the response is a list
    And the list contains an item where $.id equals "{message}"

  Scenario: The hook may set the message type, metadata and display identity
    Given I use the hook key credential
    When I send POST "/api/hooks/messages"
      """
      {"agencyId": "{agency.id}", "content": "dice: 4", "type": "tool_result", "metadata": {"roll": 4}, "sender_username": "dicebot", "sender_display_name": "Dice Bot"}
      """
    Then the status is one of 200, 201
    And $.type equals "tool_result" (assumed)
    And $.metadata.roll equals 4 (assumed)
    And $.sender_username equals "dicebot" (assumed)
    And $.sender_display_name equals "Dice Bot" (assumed)
    And $.sender_type equals "system"

  Scenario: The hook edits a message it posted
    Given I use the hook key credential
    When I send POST "/api/hooks/messages"
      """
      {"agencyId": "{agency.id}", "content": "before the edit"}
      """
    Then the status is one of 200, 201
    And I remember $.id as message
    When I send PATCH "/api/hooks/messages/{message}"
      """
      {"content": "after the edit"}
      """
    Then the status is 200
    And the response is a Message
    And $.id equals "{message}"
    And $.content equals "after the edit"
    And $.updatedAt or $.updated_at is a datetime
    When I send PATCH "/api/hooks/messages/{message}"
      """
      {"metadata": {"edited": true}}
      """
    Then the status is 200
    And $.content equals "after the edit"
    And $.metadata.edited equals true (assumed)

  Scenario: An edit needs content or metadata
    Given I use the hook key credential
    When I send POST "/api/hooks/messages"
      """
      {"agencyId": "{agency.id}", "content": "nothing will change"}
      """
    Then the status is one of 200, 201
    And I remember $.id as message
    When I send PATCH "/api/hooks/messages/{message}"
      """
      {}
      """
    Then the request is refused
    And the status is 400 (assumed)
    And the answer is an API error

  Scenario: Editing an unknown message is 404
    Given I use the hook key credential
    When I send PATCH "/api/hooks/messages/{random_uuid}"
      """
      {"content": "nobody posted this"}
      """
    Then the status is 404 (assumed)
    And the answer is an API error

  Scenario: A hook cannot edit a message another hook posted
    Given I use the pat credential
    When I send POST "/api/custom-commands/{agency.id}/commands"
      """
      {"name": "{agent_name:cmd}", "webhookUrl": "https://example.com/tg/{run}/{unique:url}", "creator": "@{owner.username}"}
      """
    Then the status is one of 200, 201
    And I remember $.hookKey or $.hook_key as key
    Given I use the hook key remembered as key
    When I send POST "/api/hooks/messages"
      """
      {"agencyId": "{agency.id}", "content": "posted by another hook"}
      """
    Then the status is one of 200, 201
    And I remember $.id as message
    Given I use the hook key credential
    When I send PATCH "/api/hooks/messages/{message}"
      """
      {"content": "not mine to edit"}
      """
    Then the status is one of 403, 404
    And the status is 403 (assumed)
    And the answer is an API error

  Scenario: A message needs an agency
    Given I use the hook key credential
    When I send POST "/api/hooks/messages"
      """
      {"content": "where does this go?"}
      """
    Then the request is refused
    And the status is 400 (assumed)
    And the answer is an API error

  Scenario: A message needs content
    Given I use the hook key credential
    When I send POST "/api/hooks/messages"
      """
      {"agencyId": "{agency.id}"}
      """
    Then the request is refused
    And the status is 400 (assumed)
    And the answer is an API error

  Scenario: An unknown message type is refused
    Given I use the hook key credential
    When I send POST "/api/hooks/messages"
      """
      {"agencyId": "{agency.id}", "content": "typed", "type": "shout"}
      """
    Then the request is refused
    And the status is 400 (assumed)

  Scenario: Posting to an unknown agency is 404
    Given I use the hook key credential
    When I send POST "/api/hooks/messages"
      """
      {"agencyId": "{random_uuid}", "content": "into the void"}
      """
    Then the status is 404 (assumed)
    And the answer is an API error

  Scenario: Reading the members of an unknown agency is 404
    Given I use the hook key credential
    When I send GET "/api/hooks/agencies/{random_uuid}/members"
    Then the status is 404 (assumed)
    And the answer is an API error

  Scenario: The key does not reach the members of an agency where the hook is not installed
    Given I use the pat credential
    When I send GET "/api/agencies/lookup/lobby"
    Then the status is 200
    And I remember $.id as lobby
    Given I use the hook key credential
    When I send GET "/api/hooks/agencies/{lobby}/members"
    Then the status is one of 403, 404
    And the status is 403 (assumed)
    And the answer is an API error

  Scenario: The key cannot post into an agency where the hook is not installed
    Given I use the pat credential
    When I send GET "/api/agencies/lookup/lobby"
    Then the status is 200
    And I remember $.id as lobby
    Given I use the hook key credential
    When I send POST "/api/hooks/messages"
      """
      {"agencyId": "{lobby}", "content": "not installed here"}
      """
    Then the status is one of 403, 404
    And the status is 403 (assumed)
    And the answer is an API error

  Scenario: Hooks never reach DM rooms
    Given I use the pat credential
    When I send POST "/api/dm/{other.id}"
    Then the status is one of 200, 201
    And I remember $.agencyId or $.agency_id as dm
    Given I use the hook key credential
    When I send POST "/api/hooks/messages"
      """
      {"agencyId": "{dm}", "content": "no hooks in DMs"}
      """
    Then the status is one of 400, 403, 404
    And the status is 403 (assumed)
    When I send GET "/api/hooks/agencies/{dm}/members"
    Then the status is one of 400, 403, 404
    And the status is 403 (assumed)

  # assumptions.md #232: a target that also takes a user session here is reported, not failed.
  Scenario: A user session is no hook key
    Given I use the session credential
    When I send POST "/api/hooks/messages"
      """
      {"agencyId": "{agency.id}", "content": "a session is not a hook"}
      """
    Then the request is refused (assumed)
    And the status is 401 (assumed)
    And the answer is an API error

  Scenario: An unknown hook key is refused
    Given I use a malformed hook key credential
    When I send GET "/api/hooks/agencies"
    Then the request is refused
    And the status is 401 (assumed)
    And the answer is an API error

  Scenario: A disabled hook is refused on every runtime endpoint and hidden from Explore
    Given I use the pat credential
    When I send POST "/api/custom-commands/{agency.id}/commands"
      """
      {"name": "{agent_name:cmd}", "webhookUrl": "https://example.com/tg/{run}/{unique:url}", "creator": "@{owner.username}", "explore_metadata": {"slug": "tg-{run}-disabled", "at_name": "{unique:at}", "creator": "@{owner.username}", "display_name": "Tidegauge disabled"}}
      """
    Then the status is one of 200, 201
    And I remember $.hookKey or $.hook_key as key
    And I remember $.hook_id as hook
    Given I use the hook key remembered as key
    When I send POST "/api/hooks/messages"
      """
      {"agencyId": "{agency.id}", "content": "posted while enabled"}
      """
    Then the status is one of 200, 201
    And I remember $.id as message
    Given I use no credential
    When I send GET "/api/explore/webhooks?q=tg-{run}-disabled"
    Then the status is 200
    And the response is a list wrapped as "webhooks"
    And the list contains an item where $.id equals "{hook}"
    Given I use the pat credential
    When I send PATCH "/api/hooks/by-id/{hook}"
      """
      {"enabled": false}
      """
    Then the status is 200
    And the response is a Hook
    And $.enabled equals false
    Given I use the hook key remembered as key
    When I send GET "/api/hooks/agencies"
    Then the request is refused
    And the status is 403 (assumed)
    When I send GET "/api/hooks/agencies/{agency.id}/members"
    Then the request is refused
    And the status is 403 (assumed)
    When I send POST "/api/hooks/messages"
      """
      {"agencyId": "{agency.id}", "content": "posted while disabled"}
      """
    Then the request is refused
    And the status is 403 (assumed)
    When I send PATCH "/api/hooks/messages/{message}"
      """
      {"content": "edited while disabled"}
      """
    Then the request is refused
    And the status is 403 (assumed)
    Given I use no credential
    When I send GET "/api/explore/webhooks?q=tg-{run}-disabled"
    Then the status is 200
    And the response is a list wrapped as "webhooks"
    And the list does not contain an item where $.id equals "{hook}"
    When I send GET "/api/hooks/by-id/{hook}"
    Then the status is one of 200, 404
    And the status is 200 (assumed)
    And $.enabled equals false (assumed)

  Scenario: Enabling a hook again restores its key
    Given I use the pat credential
    When I send POST "/api/custom-commands/{agency.id}/commands"
      """
      {"name": "{agent_name:cmd}", "webhookUrl": "https://example.com/tg/{run}/{unique:url}", "creator": "@{owner.username}"}
      """
    Then the status is one of 200, 201
    And I remember $.hookKey or $.hook_key as key
    And I remember $.hook_id as hook
    When I send PATCH "/api/hooks/by-id/{hook}"
      """
      {"enabled": false}
      """
    Then the status is 200
    When I send PATCH "/api/hooks/by-id/{hook}"
      """
      {"enabled": true}
      """
    Then the status is 200
    And $.enabled equals true
    Given I use the hook key remembered as key
    When I send GET "/api/hooks/agencies"
    Then the status is 200
    And the response is a list
    And the list contains an item where $.id equals "{agency.id}"
