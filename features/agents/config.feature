@agents
Feature: Updating an agent's config
  `PATCH /api/agents/:id/config` (endpoints.md §11.2) is a partial update by the agent's
  owner; it answers with the Agent object. Every field is validated before anything changes,
  and the outbound URLs pass the SSRF guard (§20). `GET /api/agents/:id/config` is for the
  owner and the agent itself.

  Scenario: The owner updates several config fields and reads them back
    Given I use the session credential
    When I send POST "/api/agents"
      """
      {"name": "{agent_name:c}"}
      """
    Then the status is one of 200, 201
    And I remember $.agent.id as agent_id
    When I send PATCH "/api/agents/{agent_id}/config"
      """
      {
        "role": "navigator",
        "personality": "calm",
        "interaction_style": "concise",
        "expertise_level": "expert",
        "llm_provider": "openai",
        "ollama_model": "llama3",
        "prompt_permission": "whitelist",
        "prompt_whitelist": ["{owner.username}"],
        "wallet_spend_limit_per_tx": 2.5,
        "wallet_spend_limit_daily": 7.5,
        "wallet_approval_mode": "manual",
        "wallet_allowlisted_hooks": []
      }
      """
    Then the status is 200
    And the response is an Agent
    And $.id equals "{agent_id}"
    And $.role equals "navigator" (assumed)
    And $.personality equals "calm" (assumed)
    When I send GET "/api/agents/{agent_id}/config"
    Then the status is 200
    And the response, or its "config" wrapper, is an AgentConfig
    And $.role or $.config.role equals "navigator"
    And $.personality or $.config.personality equals "calm"
    And $.interaction_style or $.config.interaction_style equals "concise"
    And $.expertise_level or $.config.expertise_level equals "expert"
    And $.llm_provider or $.config.llm_provider equals "openai"
    And $.ollama_model or $.config.ollama_model equals "llama3"
    And $.prompt_permission or $.config.prompt_permission equals "whitelist"
    And $.prompt_whitelist or $.config.prompt_whitelist equals ["{owner.username}"]
    And $.wallet_spend_limit_per_tx or $.config.wallet_spend_limit_per_tx equals 2.5
    And $.wallet_spend_limit_daily or $.config.wallet_spend_limit_daily equals 7.5
    And $.wallet_approval_mode or $.config.wallet_approval_mode equals "manual"
    And $.wallet_allowlisted_hooks or $.config.wallet_allowlisted_hooks equals []

  Scenario: A config update leaves the fields it does not name unchanged, and null clears one
    Given I use the session credential
    When I send POST "/api/agents"
      """
      {"name": "{agent_name:p}", "role": "scout"}
      """
    Then the status is one of 200, 201
    And I remember $.agent.id as agent_id
    When I send PATCH "/api/agents/{agent_id}/config"
      """
      {"personality": "curious", "ollama_model": "llama3"}
      """
    Then the status is 200
    When I send PATCH "/api/agents/{agent_id}/config"
      """
      {"ollama_model": null}
      """
    Then the status is 200
    When I send GET "/api/agents/{agent_id}/config"
    Then the status is 200
    And $.personality or $.config.personality equals "curious"
    And $.role or $.config.role equals "scout" (assumed)
    And $.ollama_model or $.config.ollama_model equals null

  Scenario: The documented response-webhook field sets the URL, and the CLI's alias is accepted
    Given I use the session credential
    When I send POST "/api/agents"
      """
      {"name": "{agent_name:w}"}
      """
    Then the status is one of 200, 201
    And I remember $.agent.id as agent_id
    When I send PATCH "/api/agents/{agent_id}/config"
      """
      {"response_webhook_url": "https://example.com/tidegauge/{run}/agent-hook"}
      """
    Then the status is 200
    When I send GET "/api/agents/{agent_id}/config"
    Then $.response_webhook_url or $.config.response_webhook_url equals "https://example.com/tidegauge/{run}/agent-hook"
    When I send PATCH "/api/agents/{agent_id}/config"
      """
      {"webhook_url": "https://example.com/tidegauge/{run}/agent-hook-2"}
      """
    Then the status is one of 200, 400
    And the status is 200 (assumed)
    When I send GET "/api/agents/{agent_id}/config"
    Then $.response_webhook_url or $.config.response_webhook_url equals "https://example.com/tidegauge/{run}/agent-hook-2" (assumed)

  Scenario: An unknown llm_provider is refused
    Given I use the session credential
    When I send PATCH "/api/agents/{agent.id}/config"
      """
      {"llm_provider": "nope"}
      """
    Then the request is refused (assumed)
    And the status is 400 (assumed)
    And the answer is an API error

  Scenario: An unknown prompt_permission is refused
    Given I use the session credential
    When I send PATCH "/api/agents/{agent.id}/config"
      """
      {"prompt_permission": "sometimes"}
      """
    Then the request is refused (assumed)
    And the status is 400 (assumed)
    And the answer is an API error

  Scenario: An unknown wallet_approval_mode is refused
    Given I use the session credential
    When I send PATCH "/api/agents/{agent.id}/config"
      """
      {"wallet_approval_mode": "never"}
      """
    Then the request is refused (assumed)
    And the status is 400 (assumed)
    And the answer is an API error

  Scenario: A negative wallet spend limit is refused
    Given I use the session credential
    When I send PATCH "/api/agents/{agent.id}/config"
      """
      {"wallet_spend_limit_per_tx": -1}
      """
    Then the request is refused (assumed)
    And the status is 400 (assumed)
    And the answer is an API error

  Scenario: A prompt whitelist that is not a list of usernames is refused
    Given I use the session credential
    When I send PATCH "/api/agents/{agent.id}/config"
      """
      {"prompt_whitelist": "everyone"}
      """
    Then the request is refused (assumed)
    And the status is 400 (assumed)
    And the answer is an API error

  Scenario: A response webhook URL that is not an http(s) URL is refused
    Given I use the session credential
    When I send PATCH "/api/agents/{agent.id}/config"
      """
      {"response_webhook_url": "ftp://example.com/agent"}
      """
    Then the request is refused (assumed)
    And the status is one of 400, 422 (assumed)
    And the status is 400 (assumed)
    And the answer is an API error

  Scenario: A config body that is not JSON is refused
    Given I use the session credential
    When I send PATCH "/api/agents/{agent.id}/config" with the raw body:
      """
      {"llm_provider": 
      """
    Then the request is refused
    And the status is 400 (assumed)

  Scenario: Another user cannot update the agent's config
    Given I use the other user's pat credential
    When I send PATCH "/api/agents/{agent.id}/config"
      """
      {"personality": "hijacked"}
      """
    Then the request is refused
    And the status is 403 (assumed)
    And the answer is an API error

  Scenario: Updating the config of an unknown agent is refused
    Given I use the session credential
    When I send PATCH "/api/agents/{random_uuid}/config"
      """
      {"personality": "nobody"}
      """
    Then the request is refused
    And the status is 404 (assumed)
    And the answer is an API error

  Scenario: An agent session cannot update a config, not even its own
    Given I use the agent session credential
    When I send PATCH "/api/agents/{agent.id}/config"
      """
      {"personality": "self-made"}
      """
    Then the request is refused
    And the status is 403 (assumed)
    And the answer is an API error

  Scenario: Another user cannot read the agent's config
    Given I use the other user's session credential
    When I send GET "/api/agents/{agent.id}/config"
    Then the request is refused
    And the status is 403 (assumed)
    And the answer is an API error

  Scenario: Reading the config of an unknown agent is refused
    Given I use the pat credential
    When I send GET "/api/agents/{random_uuid}/config"
    Then the request is refused
    And the status is 404 (assumed)
    And the answer is an API error

  @ssrf-default
  Scenario Outline: The SSRF guard refuses a private <field>
    Given I use the session credential
    When I send PATCH "/api/agents/{agent.id}/config"
      """
      {"<field>": "<url>"}
      """
    Then <refusal>
    And the status is one of 400, 422 (assumed)
    And the status is 400 (assumed)
    And the answer is an API error

    Examples:
      | field                | url                                     | refusal                          |
      | response_webhook_url | http://127.0.0.1:9/agent                | the request is refused           |
      | ollama_endpoint      | http://192.168.1.10:11434               | the request is refused           |
      | openclaw_gateway     | http://169.254.169.254/latest/meta-data | the request is refused (assumed) |
      | webhook_url          | http://localhost:8080/agent             | the request is refused (assumed) |
