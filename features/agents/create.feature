@agents
Feature: Creating, listing and verifying agents
  An owner creates an agent with `POST /api/agents` (endpoints.md §11.2): the agent starts
  unverified and its `agentToken` is shown only in the create answer. The token cannot be
  exchanged (`POST /api/auth/agent`) until the owner verifies the agent once; verifying again
  is harmless. The agent session then reads the agent's own config (secrets in clear), while
  the owner reads the same config with its secrets redacted (§3.7).

  Scenario: An owner creates an agent, verifies it, and its session reads its own config
    Given I use the session credential
    When I send POST "/api/agents"
      """
      {"name": "{agent_name:a}", "role": "tidegauge tester", "agencyId": "{agency.id}"}
      """
    Then the status is one of 200, 201
    And the status is 201 (assumed)
    And $.agent is an Agent
    And $.agent.name equals "{agent_name:a}"
    And $.agent.ownerId equals "{owner.id}"
    And $.agent.verified equals false
    And $.agent.role equals "tidegauge tester" (assumed)
    And $.agentToken is a non-empty string
    And I remember the secret $.agentToken as agent_token
    And I remember $.agent.id as agent_id
    Given I use no credential
    When I send POST "/api/auth/agent"
      """
      {"agentToken": "{agent_token}"}
      """
    Then the status is 403
    And the answer is an API error
    Given I use the session credential
    When I send POST "/api/agents/{agent_id}/verify"
    Then the status is 200
    And $.ok equals true
    And $.agent is an Agent
    And $.agent.id equals "{agent_id}"
    And $.agent.verified equals true
    And $.agentToken is absent (assumed)
    When I send POST "/api/agents/{agent_id}/verify"
    Then the status is one of 200, 409
    And the status is 200 (assumed)
    Given I use no credential
    When I send POST "/api/auth/agent"
      """
      {"agentToken": "{agent_token}"}
      """
    Then the status is 200
    And $.user.id equals "{agent_id}"
    And $.user.type equals "agent"
    And I remember the secret $.token as agent_session
    Given I use the bearer token remembered as agent_session
    When I send GET "/api/agents/{agent_id}/config?agencyId={agency.id}"
    Then the status is 200
    And the response, or its "config" wrapper, is an AgentConfig
    And $.config is absent (assumed)
    And $.role or $.config.role equals "tidegauge tester" (assumed)
    When I send GET "/api/agents/{agent_id}/config"
    Then the status is 200
    And the response, or its "config" wrapper, is an AgentConfig

  Scenario: The agent itself reads its secrets in clear, its owner reads them redacted
    Given I use the pat credential
    When I send POST "/api/agents"
      """
      {"name": "{agent_name:s}", "agencyId": "{agency.id}"}
      """
    Then the status is one of 200, 201
    And I remember the secret $.agentToken as agent_token
    And I remember $.agent.id as agent_id
    When I send POST "/api/agents/{agent_id}/verify"
    Then the status is 200
    When I send PATCH "/api/agents/{agent_id}/config"
      """
      {"llm_provider": "anthropic", "llm_api_key": "tg-llm-key-{run}", "openclaw_agent_id": "tidegauge"}
      """
    Then the status is 200
    When I send GET "/api/agents/{agent_id}/config"
    Then the status is 200
    And the response, or its "config" wrapper, is an AgentConfig
    And $.llm_provider or $.config.llm_provider equals "anthropic"
    And $.llm_api_key or $.config.llm_api_key equals "[redacted]" (assumed)
    And $.openclaw_token or $.config.openclaw_token equals null (assumed)
    And $.response_webhook_secret or $.config.response_webhook_secret equals null (assumed)
    Given I use no credential
    When I send POST "/api/auth/agent"
      """
      {"agentToken": "{agent_token}"}
      """
    Then the status is 200
    And I remember the secret $.token as agent_session
    Given I use the bearer token remembered as agent_session
    When I send GET "/api/agents/{agent_id}/config?agencyId={agency.id}"
    Then the status is 200
    And $.llm_api_key or $.config.llm_api_key equals "tg-llm-key-{run}" (assumed)
    And $.openclaw_agent_id or $.config.openclaw_agent_id equals "tidegauge"

  Scenario: A new agent's config has the documented defaults
    Given I use the cookie credential
    When I send POST "/api/agents"
      """
      {"name": "{agent_name:d}"}
      """
    Then the status is one of 200, 201
    And $.agent.ownerId equals "{owner.id}"
    And $.agent.role equals null (assumed)
    And I remember $.agent.id as agent_id
    When I send GET "/api/agents/{agent_id}/config"
    Then the status is 200
    And the response, or its "config" wrapper, is an AgentConfig
    And $.openclaw_agent_id or $.config.openclaw_agent_id equals "main"
    And $.prompt_permission or $.config.prompt_permission equals "open" (assumed)
    And $.wallet_spend_limit_per_tx or $.config.wallet_spend_limit_per_tx equals 10.0 (assumed)
    And $.wallet_spend_limit_daily or $.config.wallet_spend_limit_daily equals 50.0 (assumed)
    And $.wallet_approval_mode or $.config.wallet_approval_mode equals "auto" (assumed)
    And $.response_webhook_url or $.config.response_webhook_url equals null (assumed)

  Scenario: The owner's agent list holds the agents they own, newest first
    Given I use the pat credential
    When I send POST "/api/agents"
      """
      {"name": "{agent_name:l}"}
      """
    Then the status is one of 200, 201
    And I remember $.agent.id as agent_id
    When I send GET "/api/agents"
    Then the status is 200
    And the response is a list
    And each item is an Agent
    And each item matches:
      """
      {"ownerId": "{owner.id}"}
      """
    And the list contains an item where $.id equals "{agent_id}"
    And the list contains an item where $.id equals "{agent.id}"
    And the list is ordered by $.createdAt or $.created_at descending

  Scenario: Another user's agent list does not hold the owner's agents
    Given I use the other user's session credential
    When I send GET "/api/agents"
    Then the status is 200
    And the response is a list
    And the list does not contain an item where $.id equals "{agent.id}"

  Scenario: An agent session lists no agents, since agents own no agents
    Given I use the agent session credential
    When I send GET "/api/agents"
    Then the status is 200 (assumed)
    And the response is a list
    And the list has 0 items (assumed)

  Scenario: Creating an agent without a name is refused
    Given I use the session credential
    When I send POST "/api/agents"
      """
      {"role": "nameless"}
      """
    Then the request is refused
    And the status is 400 (assumed)
    And the answer is an API error

  Scenario: Creating an agent whose name is one character long is refused
    Given I use the session credential
    When I send POST "/api/agents"
      """
      {"name": "x"}
      """
    Then the request is refused
    And the status is 400 (assumed)
    And the answer is an API error

  Scenario: Creating an agent whose name has no letters or digits is refused
    Given I use the session credential
    When I send POST "/api/agents"
      """
      {"name": "-- !! --"}
      """
    Then the request is refused
    And the status is 400 (assumed)
    And the answer is an API error

  Scenario: Creating an agent with a role longer than 64 characters is refused
    Given I use the session credential
    When I send POST "/api/agents"
      """
      {"name": "{agent_name:r}", "role": "rrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrr"}
      """
    Then the request is refused
    And the status is 400 (assumed)
    And the answer is an API error

  Scenario: Creating an agent whose derived username is taken is a conflict
    Given I use the session credential
    When I send POST "/api/agents"
      """
      {"name": "{agent.username}"}
      """
    Then the request is refused
    And the status is 409 (assumed)
    And the answer is an API error

  Scenario: Creating an agent in an unknown agency is refused
    Given I use the session credential
    When I send POST "/api/agents"
      """
      {"name": "{agent_name:u}", "agencyId": "{random_uuid}"}
      """
    Then the request is refused
    And the status is 404 (assumed)
    And the answer is an API error

  Scenario: Creating an agent in an agency the caller is not a member of is refused
    Given I use the other user's session credential
    When I send POST "/api/agents"
      """
      {"name": "{agent_name:m}", "agencyId": "{agency.id}"}
      """
    Then the request is refused
    And the status is one of 403, 404
    And the status is 403 (assumed)
    And the answer is an API error

  Scenario: An agent session cannot create agents
    Given I use the agent session credential
    When I send POST "/api/agents"
      """
      {"name": "{agent_name:g}"}
      """
    Then the request is refused
    And the status is 403 (assumed)
    And the answer is an API error

  Scenario: Verifying another owner's agent is refused
    Given I use the other user's session credential
    When I send POST "/api/agents/{agent.id}/verify"
    Then the request is refused
    And the status is 403 (assumed)
    And the answer is an API error

  Scenario: Verifying an unknown agent is refused
    Given I use the session credential
    When I send POST "/api/agents/{random_uuid}/verify"
    Then the request is refused
    And the status is 404 (assumed)
    And the answer is an API error

  Scenario: An agent session cannot verify an agent, not even itself
    Given I use the agent session credential
    When I send POST "/api/agents/{agent.id}/verify"
    Then the request is refused
    And the status is 403 (assumed)
    And the answer is an API error
