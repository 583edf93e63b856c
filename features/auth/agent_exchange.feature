# Budget (shared instance): no registration, login or bootstrap. Every scenario that needs an
# agent creates its own with POST /api/agents as the owner (torn down with the run).
# The @rate-limit scenario runs on a fresh instance (60 exchanges per minute per IP there).
@auth
Feature: Exchanging an agent token for an agent session
  `POST /api/auth/agent` (endpoints.md §4.7, row 4) takes a raw agent token in the body and
  answers an agent session and the agent's User. Unknown or deleted agent → **401**
  `Invalid agent token`; unverified agent → **403** `Agent not verified` (credentials.md §2.4).
  The row's credential is `none`: a credential sent along plays no part.

  Scenario Outline: The exchange of a verified agent's token ignores any credential sent along (<credential>)
    Given I use the session credential
    When I send POST "/api/agents"
      """
      {"name": "{agent_name:exchanged}"}
      """
    Then the status is one of 200, 201
    And I remember $.agent.id as exchanged_id
    And I remember $.agentToken as exchanged_token
    When I send POST "/api/agents/{exchanged_id}/verify"
    Then the status is 200
    Given I use <credential>
    When I send POST "/api/auth/agent"
      """
      {"agentToken": "{exchanged_token}"}
      """
    Then the credential is accepted
    And the status is 200
    And $.token is a non-empty string
    And $.user is a User
    And $.user.id equals "{exchanged_id}"
    And $.user.type equals "agent"
    And the header "set-cookie" is absent (assumed)

    Examples:
      | credential                   |
      | no credential                |
      | the pat credential           |
      | the session credential       |
      | the cookie credential        |
      | the agent session credential |
      | the agent token credential   |
      | the hook key credential      |

  Scenario: The agent session works as a Bearer token and identifies the agent; each exchange is a new session
    Given I use the session credential
    When I send POST "/api/agents"
      """
      {"name": "{agent_name:twice}"}
      """
    Then the status is one of 200, 201
    And I remember $.agent.id as twice_id
    And I remember $.agentToken as twice_token
    When I send POST "/api/agents/{twice_id}/verify"
    Then the status is 200
    Given I use no credential
    When I send POST "/api/auth/agent"
      """
      {"agentToken": "{twice_token}"}
      """
    Then the status is 200
    And I remember $.token as first_agent_session
    When I send POST "/api/auth/agent"
      """
      {"agentToken": "{twice_token}"}
      """
    Then the status is 200
    And I remember $.token as second_agent_session
    Given I use the agent session credential remembered as first_agent_session
    When I send GET "/api/auth/me"
    Then the status is 200
    And $.id or $.user.id equals "{twice_id}"
    And $.type or $.user.type equals "agent"
    Given I use the agent session credential remembered as second_agent_session
    When I send GET "/api/auth/me"
    Then the status is 200
    And $.id or $.user.id equals "{twice_id}"

  Scenario: An unknown agent token is refused with 401
    Given I use no credential
    When I send POST "/api/auth/agent"
      """
      {"agentToken": "sk_000000000000000000000000000000000000000000000000"}
      """
    Then the status is 401
    And the answer is an API error

  Scenario: The token of an agent that is not verified yet is refused with 403
    Given I use the session credential
    When I send POST "/api/agents"
      """
      {"name": "{agent_name:unverified}"}
      """
    Then the status is one of 200, 201
    And I remember $.agentToken as unverified_token
    Given I use no credential
    When I send POST "/api/auth/agent"
      """
      {"agentToken": "{unverified_token}"}
      """
    Then the status is 403
    And the answer is an API error

  Scenario: An exchange without agentToken is a validation error
    Given I use no credential
    When I send POST "/api/auth/agent"
      """
      {}
      """
    Then the request is refused
    And the status is one of 400, 401
    And the status is 400 (assumed)
    And the answer is an API error

  Scenario: An empty agentToken is a validation error
    Given I use no credential
    When I send POST "/api/auth/agent"
      """
      {"agentToken": ""}
      """
    Then the request is refused
    And the status is one of 400, 401
    And the status is 400 (assumed)

  Scenario: A PAT is not an agent token: as agentToken it is refused with 401
    Given I use the session credential
    When I send POST "/api/auth/tokens"
      """
      {"name": "{unique:not_an_agent_token}", "expiresIn": "30d"}
      """
    Then the status is 201
    And I remember $.token as some_pat
    Given I use no credential
    When I send POST "/api/auth/agent"
      """
      {"agentToken": "{some_pat}"}
      """
    Then the status is 401
    And the answer is an API error

  Scenario: An agent session is not an agent token: as agentToken it is refused with 401
    Given I use the session credential
    When I send POST "/api/agents"
      """
      {"name": "{agent_name:sessioned}"}
      """
    Then the status is one of 200, 201
    And I remember $.agent.id as sessioned_id
    And I remember $.agentToken as sessioned_token
    When I send POST "/api/agents/{sessioned_id}/verify"
    Then the status is 200
    Given I use no credential
    When I send POST "/api/auth/agent"
      """
      {"agentToken": "{sessioned_token}"}
      """
    Then the status is 200
    And I remember $.token as sessioned_session
    When I send POST "/api/auth/agent"
      """
      {"agentToken": "{sessioned_session}"}
      """
    Then the status is 401
    And the answer is an API error

  Scenario: Deleting an agent revokes its token (401 at the exchange) and its agent sessions
    Given I use the session credential
    When I send POST "/api/agents"
      """
      {"name": "{agent_name:doomed}"}
      """
    Then the status is one of 200, 201
    And I remember $.agent.id as doomed_id
    And I remember $.agentToken as doomed_token
    When I send POST "/api/agents/{doomed_id}/verify"
    Then the status is 200
    Given I use no credential
    When I send POST "/api/auth/agent"
      """
      {"agentToken": "{doomed_token}"}
      """
    Then the status is 200
    And I remember $.token as doomed_session
    Given I use the session credential
    When I send DELETE "/api/agents/{doomed_id}"
    Then the status is one of 200, 204
    Given I use no credential
    When I send POST "/api/auth/agent"
      """
      {"agentToken": "{doomed_token}"}
      """
    Then the status is 401
    And the answer is an API error
    Given I use the agent session credential remembered as doomed_session
    When I send GET "/api/auth/me"
    Then the request is refused
    And the status is 401 (assumed)

  @rate-limit
  Scenario: The 61st exchange from one IP within a minute is refused with 429 and Retry-After
    # The fresh instance's identities spent 1 exchange; every request counts, whatever its outcome.
    Given I use no credential
    When I send POST "/api/auth/agent" 59 times, each answered 400
      """
      {}
      """
    And I send POST "/api/auth/agent"
      """
      {}
      """
    Then the request is refused
    And the status is 429 (assumed)
    And the header "retry-after" is present (assumed)
