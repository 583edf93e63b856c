@hooks
Feature: Hook transparency
  Anyone reads where a hook's source lives by its webhook URL; its creator sets the source
  link, hash and schema (endpoints.md §17 "Transparency", rows 73–74).

  Scenario: Anyone reads a hook's source fields by its webhook URL
    Given I use no credential
    When I send GET "/api/hooks/source?webhook_url={hook.url}"
    Then the status is 200
    And the response is a HookSource
    And $.webhook_url equals "{hook.url}"
    And $.verified equals false (assumed)

  Scenario: The source of a URL without a hook is 404
    Given I use no credential
    When I send GET "/api/hooks/source?webhook_url=https://example.com/tg/{run}/{unique:unpublished}"
    Then the status is 404 (assumed)
    And the answer is an API error

  Scenario: The source read needs the webhook_url query
    Given I use no credential
    When I send GET "/api/hooks/source"
    Then the request is refused
    And the status is 400 (assumed)
    And the answer is an API error

  Scenario: The creator publishes a hook's source link, hash and schema
    Given I use the pat credential
    When I send POST "/api/custom-commands/{agency.id}/commands"
      """
      {"name": "{agent_name:cmd}", "webhookUrl": "https://example.com/tg/{run}/{unique:url}", "creator": "@{owner.username}"}
      """
    Then the status is one of 200, 201
    When I send PATCH "/api/hooks/source"
      """
      {"webhook_url": "https://example.com/tg/{run}/{unique:url}", "source_url": "https://example.com/src/{run}", "source_hash": "0123abcd", "schema": {"type": "object", "properties": {"sides": {"type": "integer"}}}}
      """
    Then the status is 200
    And the response is a HookSource
    And $.source_url equals "https://example.com/src/{run}"
    And $.source_hash equals "0123abcd"
    And $.schema.type equals "object"
    And $.verified equals false (assumed)
    Given I use no credential
    When I send GET "/api/hooks/source?webhook_url=https://example.com/tg/{run}/{unique:url}"
    Then the status is 200
    And $.source_url equals "https://example.com/src/{run}"
    And $.source_hash equals "0123abcd"
    And $.schema.properties.sides.type equals "integer"

  Scenario: Only the creator publishes a hook's source
    Given I use the pat credential
    When I send POST "/api/custom-commands/{agency.id}/commands"
      """
      {"name": "{agent_name:cmd}", "webhookUrl": "https://example.com/tg/{run}/{unique:url}", "creator": "@{owner.username}"}
      """
    Then the status is one of 200, 201
    Given I use the other user's cookie credential
    When I send PATCH "/api/hooks/source"
      """
      {"webhook_url": "https://example.com/tg/{run}/{unique:url}", "source_url": "https://example.com/not-mine"}
      """
    Then the request is refused
    And the status is 403 (assumed)
    And the answer is an API error

  Scenario: Publishing the source of a URL without a hook is 404
    Given I use the pat credential
    When I send PATCH "/api/hooks/source"
      """
      {"webhook_url": "https://example.com/tg/{run}/{unique:unpublished}", "source_url": "https://example.com/src"}
      """
    Then the status is 404 (assumed)
    And the answer is an API error

  Scenario: Publishing a source needs the webhook URL
    Given I use the pat credential
    When I send PATCH "/api/hooks/source"
      """
      {"source_url": "https://example.com/src"}
      """
    Then the request is refused
    And the status is 400 (assumed)
    And the answer is an API error

  Scenario: A schema that is not a JSON object is refused
    Given I use the pat credential
    When I send POST "/api/custom-commands/{agency.id}/commands"
      """
      {"name": "{agent_name:cmd}", "webhookUrl": "https://example.com/tg/{run}/{unique:url}", "creator": "@{owner.username}"}
      """
    Then the status is one of 200, 201
    When I send PATCH "/api/hooks/source"
      """
      {"webhook_url": "https://example.com/tg/{run}/{unique:url}", "schema": [1, 2]}
      """
    Then the request is refused
    And the status is 400 (assumed)
    And the answer is an API error
