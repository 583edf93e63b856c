@hooks
Feature: Hook management
  Anyone reads a hook by slug or ID; its creator updates, disables, rotates the key of, or
  revokes it, by ID or (legacy) by webhook URL (endpoints.md §17, rows 66–72). Every scenario
  that changes a hook publishes a URL of its own first; the run's shared hook is only read.

  # Reading (rows 66, 67)

  Scenario: Anyone reads a hook by ID
    Given I use no credential
    When I send GET "/api/hooks/by-id/{hook.id}"
    Then the status is 200
    And the response is a Hook
    And $.id equals "{hook.id}"
    And $.webhook_url equals "{hook.url}"
    And $.source_type equals "webhook"
    And $.enabled equals true
    And $.verified equals false (assumed)
    And $.creator equals "@{owner.username}" (assumed)
    And $.commands is an array
    And $.commands[0].name is a string

  Scenario: Reading an unknown hook ID is 404
    Given I use no credential
    When I send GET "/api/hooks/by-id/{random_uuid}"
    Then the status is 404 (assumed)
    And the answer is an API error

  Scenario: Anyone reads an installable hook by its slug
    Given I use the pat credential
    When I send POST "/api/custom-commands/{agency.id}/commands"
      """
      {"name": "{agent_name:cmd}", "webhookUrl": "https://example.com/tg/{run}/{unique:url}", "creator": "@{owner.username}", "description": "Roll tidegauge dice", "explore_metadata": {"slug": "tg-{run}-byslug", "at_name": "{unique:at}", "creator": "@{owner.username}", "display_name": "Tidegauge dice"}}
      """
    Then the status is one of 200, 201
    And I remember $.hook_id as hook
    Given I use no credential
    When I send GET "/api/hooks/by-slug/tg-{run}-byslug"
    Then the status is 200
    And the response is a Hook
    And $.id equals "{hook}"
    And $.slug equals "tg-{run}-byslug"
    And $.name equals "Tidegauge dice" (assumed)
    And $.commands has length 1
    And $.commands[0].name equals "{agent_name:cmd}"
    And $.commands[0].description equals "Roll tidegauge dice" (assumed)

  Scenario: Reading an unknown slug is 404
    Given I use no credential
    When I send GET "/api/hooks/by-slug/tg-{run}-nothing-here"
    Then the status is 404 (assumed)
    And the answer is an API error

  # Updating (row 68)

  Scenario: The creator updates a hook's name, description and default permission
    Given I use the pat credential
    When I send POST "/api/custom-commands/{agency.id}/commands"
      """
      {"name": "{agent_name:cmd}", "webhookUrl": "https://example.com/tg/{run}/{unique:url}", "creator": "@{owner.username}"}
      """
    Then the status is one of 200, 201
    And I remember $.hook_id as hook
    And I remember $.id as cmd
    When I send PATCH "/api/hooks/by-id/{hook}"
      """
      {"name": "Tidegauge renamed", "description": "tidegauge {unique:text}", "default_invoke_permission": "closed"}
      """
    Then the status is 200
    And the response is a Hook
    And $.id equals "{hook}"
    And $.name equals "Tidegauge renamed"
    And $.description equals "tidegauge {unique:text}"
    And $.default_invoke_permission equals "closed"
    When I send GET "/api/custom-commands/{agency.id}/commands"
    Then the status is 200
    And the response is a list
    And the list contains an item where $.explore_metadata.description equals "tidegauge {unique:text}" (assumed)

  Scenario: An unknown default permission is refused
    Given I use the pat credential
    When I send POST "/api/custom-commands/{agency.id}/commands"
      """
      {"name": "{agent_name:cmd}", "webhookUrl": "https://example.com/tg/{run}/{unique:url}", "creator": "@{owner.username}"}
      """
    Then the status is one of 200, 201
    And I remember $.hook_id as hook
    When I send PATCH "/api/hooks/by-id/{hook}"
      """
      {"default_invoke_permission": "anyone"}
      """
    Then the request is refused
    And the status is 400 (assumed)
    And the answer is an API error

  Scenario: Only the creator updates a hook
    Given I use the pat credential
    When I send POST "/api/custom-commands/{agency.id}/commands"
      """
      {"name": "{agent_name:cmd}", "webhookUrl": "https://example.com/tg/{run}/{unique:url}", "creator": "@{owner.username}"}
      """
    Then the status is one of 200, 201
    And I remember $.hook_id as hook
    Given I use the other user's pat credential
    When I send PATCH "/api/hooks/by-id/{hook}"
      """
      {"enabled": false}
      """
    Then the request is refused
    And the status is 403 (assumed)
    And the answer is an API error

  Scenario: Updating an unknown hook is 404
    Given I use the pat credential
    When I send PATCH "/api/hooks/by-id/{random_uuid}"
      """
      {"name": "nobody"}
      """
    Then the status is 404 (assumed)
    And the answer is an API error

  # Rotating by ID (row 69)

  Scenario: Rotating a hook's key ends the old key at once and the new key works
    Given I use the pat credential
    When I send POST "/api/custom-commands/{agency.id}/commands"
      """
      {"name": "{agent_name:cmd}", "webhookUrl": "https://example.com/tg/{run}/{unique:url}", "creator": "@{owner.username}"}
      """
    Then the status is one of 200, 201
    And I remember $.hookKey or $.hook_key as key
    And I remember $.hook_id as hook
    When I send POST "/api/hooks/by-id/{hook}/rotate-key"
    Then the status is 200
    And $.hookKey is a non-empty string
    And $.hookKey matches "^[0-9a-f]+$"
    And I remember $.hookKey as new_key
    Given I use the hook key remembered as key
    When I send GET "/api/hooks/agencies"
    Then the request is refused
    And the status is 401 (assumed)
    And the answer is an API error
    Given I use the hook key remembered as new_key
    When I send POST "/api/hooks/messages"
      """
      {"agencyId": "{agency.id}", "content": "posted with the rotated key"}
      """
    Then the status is one of 200, 201
    And $.sender_type equals "system"

  Scenario: Only the creator rotates a hook's key
    Given I use the pat credential
    When I send POST "/api/custom-commands/{agency.id}/commands"
      """
      {"name": "{agent_name:cmd}", "webhookUrl": "https://example.com/tg/{run}/{unique:url}", "creator": "@{owner.username}"}
      """
    Then the status is one of 200, 201
    And I remember $.hook_id as hook
    Given I use the agent session credential
    When I send POST "/api/hooks/by-id/{hook}/rotate-key"
    Then the request is refused
    And the status is 403 (assumed)
    And the answer is an API error

  Scenario: Rotating the key of an unknown hook is 404
    Given I use the pat credential
    When I send POST "/api/hooks/by-id/{random_uuid}/rotate-key"
    Then the status is 404 (assumed)
    And the answer is an API error

  # Revoking (row 70)

  Scenario: Revoking a hook kills its key for good
    Given I use the pat credential
    When I send POST "/api/custom-commands/{agency.id}/commands"
      """
      {"name": "{agent_name:cmd}", "webhookUrl": "https://example.com/tg/{run}/{unique:url}", "creator": "@{owner.username}"}
      """
    Then the status is one of 200, 201
    And I remember $.hookKey or $.hook_key as key
    And I remember $.hook_id as hook
    And I remember $.id as cmd
    When I send DELETE "/api/hooks/by-id/{hook}/revoke-key"
    Then the status is one of 200, 204
    And the status is 200 (assumed)
    And $.ok equals true (assumed)
    Given I use the hook key remembered as key
    When I send POST "/api/hooks/messages"
      """
      {"agencyId": "{agency.id}", "content": "a revoked key posts nothing"}
      """
    Then the request is refused
    And the status is 401 (assumed)
    And the answer is an API error
    # assumptions.md #144: the CLIENT and DOC sources disagree on what else revocation does.
    Given I use no credential
    When I send GET "/api/hooks/by-id/{hook}"
    Then the status is one of 200, 404
    And the status is 404 (assumed)
    Given I use the pat credential
    When I send GET "/api/custom-commands/{agency.id}/commands"
    Then the status is 200
    And the response is a list
    And the list contains an item where $.id equals "{cmd}"

  Scenario: Only the creator revokes a hook
    Given I use the pat credential
    When I send POST "/api/custom-commands/{agency.id}/commands"
      """
      {"name": "{agent_name:cmd}", "webhookUrl": "https://example.com/tg/{run}/{unique:url}", "creator": "@{owner.username}"}
      """
    Then the status is one of 200, 201
    And I remember $.hook_id as hook
    Given I use the other user's session credential
    When I send DELETE "/api/hooks/by-id/{hook}/revoke-key"
    Then the request is refused
    And the status is 403 (assumed)
    And the answer is an API error

  Scenario: Revoking an unknown hook is 404
    Given I use the pat credential
    When I send DELETE "/api/hooks/by-id/{random_uuid}/revoke-key"
    Then the status is 404 (assumed)
    And the answer is an API error

  # Legacy: by webhook URL (rows 71, 72)

  Scenario: The legacy rotation answers the new key as key, and the old key stops working
    Given I use the pat credential
    When I send POST "/api/custom-commands/{agency.id}/commands"
      """
      {"name": "{agent_name:cmd}", "webhookUrl": "https://example.com/tg/{run}/{unique:url}", "creator": "@{owner.username}"}
      """
    Then the status is one of 200, 201
    And I remember $.hookKey or $.hook_key as key
    When I send POST "/api/hooks/rotate-key"
      """
      {"webhook_url": "https://example.com/tg/{run}/{unique:url}"}
      """
    Then the status is 200
    And $.key or $.hookKey is a non-empty string
    And $.key is a non-empty string (assumed)
    And I remember $.key or $.hookKey as new_key
    Given I use the hook key remembered as new_key
    When I send GET "/api/hooks/agencies"
    Then the status is 200
    And the response is a list
    And the list contains an item where $.id equals "{agency.id}"
    Given I use the hook key remembered as key
    When I send GET "/api/hooks/agencies"
    Then the request is refused (assumed)
    And the status is 401 (assumed)

  Scenario: The legacy rotation needs the webhook URL
    Given I use the pat credential
    When I send POST "/api/hooks/rotate-key"
      """
      {}
      """
    Then the request is refused
    And the status is 400 (assumed)
    And the answer is an API error

  Scenario: The legacy rotation of a URL without a hook is 404
    Given I use the pat credential
    When I send POST "/api/hooks/rotate-key"
      """
      {"webhook_url": "https://example.com/tg/{run}/{unique:unpublished}"}
      """
    Then the status is 404 (assumed)
    And the answer is an API error

  Scenario: Only the creator rotates a key by URL
    Given I use the pat credential
    When I send POST "/api/custom-commands/{agency.id}/commands"
      """
      {"name": "{agent_name:cmd}", "webhookUrl": "https://example.com/tg/{run}/{unique:url}", "creator": "@{owner.username}"}
      """
    Then the status is one of 200, 201
    Given I use the other user's pat credential
    When I send POST "/api/hooks/rotate-key"
      """
      {"webhook_url": "https://example.com/tg/{run}/{unique:url}"}
      """
    Then the request is refused
    And the status is 403 (assumed)
    And the answer is an API error

  Scenario: The creator updates a hook's metadata by URL (legacy)
    Given I use the pat credential
    When I send POST "/api/custom-commands/{agency.id}/commands"
      """
      {"name": "{agent_name:cmd}", "webhookUrl": "https://example.com/tg/{run}/{unique:url}", "creator": "@{owner.username}"}
      """
    Then the status is one of 200, 201
    And I remember $.hook_id as hook
    When I send PATCH "/api/hooks/metadata"
      """
      {"webhook_url": "https://example.com/tg/{run}/{unique:url}", "name": "Tidegauge legacy", "description": "legacy metadata", "default_invoke_permission": "whitelist", "slug": "tg-{run}-legacy", "at_name": "{unique:at}"}
      """
    Then the status is one of 200, 400
    And the status is 200 (assumed)
    And the response is a Hook
    And $.id equals "{hook}" (assumed)
    And $.name equals "Tidegauge legacy" (assumed)
    And $.slug equals "tg-{run}-legacy" (assumed)
    And $.at_name equals "{unique:at}" (assumed)
    And $.default_invoke_permission equals "whitelist" (assumed)
    Given I use no credential
    When I send GET "/api/hooks/by-slug/tg-{run}-legacy"
    Then the status is 200 (assumed)
    And $.id equals "{hook}" (assumed)

  Scenario: The legacy metadata update needs the webhook URL
    Given I use the pat credential
    When I send PATCH "/api/hooks/metadata"
      """
      {"name": "no URL"}
      """
    Then the request is refused
    And the status is 400 (assumed)
    And the answer is an API error

  Scenario: The legacy metadata update of a URL without a hook is 404
    Given I use the pat credential
    When I send PATCH "/api/hooks/metadata"
      """
      {"webhook_url": "https://example.com/tg/{run}/{unique:unpublished}", "name": "nobody"}
      """
    Then the status is 404 (assumed)
    And the answer is an API error

  Scenario: Only the creator updates a hook's metadata by URL
    Given I use the pat credential
    When I send POST "/api/custom-commands/{agency.id}/commands"
      """
      {"name": "{agent_name:cmd}", "webhookUrl": "https://example.com/tg/{run}/{unique:url}", "creator": "@{owner.username}"}
      """
    Then the status is one of 200, 201
    Given I use the agent session credential
    When I send PATCH "/api/hooks/metadata"
      """
      {"webhook_url": "https://example.com/tg/{run}/{unique:url}", "name": "not the creator"}
      """
    Then the request is refused
    And the status is 403 (assumed)
    And the answer is an API error

  Scenario: A slug another hook holds cannot be taken by URL
    Given I use the pat credential
    When I send POST "/api/custom-commands/{agency.id}/commands"
      """
      {"name": "{agent_name:first}", "webhookUrl": "https://example.com/tg/{run}/{unique:first}", "creator": "@{owner.username}", "explore_metadata": {"slug": "tg-{run}-held", "creator": "@{owner.username}"}}
      """
    Then the status is one of 200, 201
    When I send POST "/api/custom-commands/{agency.id}/commands"
      """
      {"name": "{agent_name:second}", "webhookUrl": "https://example.com/tg/{run}/{unique:second}", "creator": "@{owner.username}"}
      """
    Then the status is one of 200, 201
    When I send PATCH "/api/hooks/metadata"
      """
      {"webhook_url": "https://example.com/tg/{run}/{unique:second}", "slug": "tg-{run}-held"}
      """
    Then the status is one of 400, 409
    And the status is 409 (assumed)
    And the answer is an API error
