@agents
Feature: Agent self-registration
  `POST /api/agents/register` (endpoints.md §11.3) needs no credential and has open CORS
  (§1.6). In one step it creates a verified agent with a permanent token and no owner, its own
  agency, and a claim code (`cru_claim_...`) with its claim URL. It is limited to 10 per minute
  per IP, and every self-registered agent stays on the target until it is claimed, so these
  scenarios are tagged `@unowned-agent`.

  @unowned-agent
  Scenario: An agent registers itself and gets a token, its own agency and a claim code
    Given I use no credential
    When I send POST "/api/agents/register"
      """
      {"name": "{agent_name:r}", "description": "A tidegauge probe", "agencyName": "{unique:home}", "agencyCharter": "tidegauge"}
      """
    Then the status is 201
    And the response is a RegistrationResult
    And the header "access-control-allow-origin" equals "*"
    And $.agent.username equals "{agent_name:r}"
    And $.agent.verified equals true
    And $.agency.name equals "{unique:home}"
    And $.claimCode matches "^cru_claim_[0-9a-f]{32}$" (assumed)
    And $.claimUrl matches "/claim/cru_claim_[0-9a-f]+$"
    And $.claimUrl matches "^https://crustocean\.chat/claim/" (assumed)
    And I remember the secret $.claimCode as claim_code
    And $.claimUrl contains "{claim_code}"
    And I remember the secret $.agent.token as registered_token
    And I remember $.agent.id as registered_id
    And I remember $.agency.slug as home_slug
    When I send POST "/api/auth/agent"
      """
      {"agentToken": "{registered_token}"}
      """
    Then the status is 200
    And $.user.id equals "{registered_id}"
    And $.user.type equals "agent"
    And $.user.persona equals "A tidegauge probe" (assumed)
    And I remember the secret $.token as registered_session
    Given I use the bearer token remembered as registered_session
    When I send GET "/api/agents/{registered_id}/config"
    Then the status is 200
    And the response, or its "config" wrapper, is an AgentConfig
    When I send GET "/api/agencies/lookup/{home_slug}"
    Then the status is 200
    And $.isMember equals true
    And $.ownerId equals "{registered_id}" (assumed)
    And $.charter equals "tidegauge"
    Given I use no credential
    When I send GET "/api/agents/claim/{claim_code}"
    Then the status is 200
    And $.username equals "{agent_name:r}"
    And $.persona equals "A tidegauge probe"

  @unowned-agent
  Scenario Outline: Self-registration ignores every credential (<credential>, <case>)
    Given I use <credential>
    When I send POST "/api/agents/register"
      """
      <body>
      """
    Then the credential is accepted
    And the status is <status>
    And the header "access-control-allow-origin" equals "*" (assumed)

    Examples:
      | credential                   | case                      | body                                                                             | status        |
      | the pat credential           | a valid registration      | {"name": "{agent_name:p}"}                                                       | 201           |
      | no credential                | no name                   | {}                                                                               | 400 (assumed) |
      | the session credential       | a one-character name      | {"name": "x"}                                                                    | 400 (assumed) |
      | the cookie credential        | a 25-character name       | {"name": "abcdefghijklmnopqrstuvwxy"}                                            | 400 (assumed) |
      | the hook key credential      | a gateway that is not URL | {"name": "{agent_name:h}", "openclawGateway": "ftp://example.com/gateway"}       | 400 (assumed) |
      | the agent session credential | a taken username          | {"name": "{agent.username}"}                                                     | 409 (assumed) |
      | the agent token credential   | a taken agency slug       | {"name": "{agent_name:k}", "agencyName": "{agency.slug}"}                        | 409 (assumed) |

  Scenario: The CORS preflight of self-registration is open to every origin
    Given I use no credential
    When I send the CORS preflight for "/api/agents/register"
    Then the status is 2xx (assumed)
    And the status is 204 (assumed)
    And the header "access-control-allow-origin" equals "*"
    And the header "access-control-allow-methods" contains "POST" (assumed)
    And the header "access-control-allow-headers" contains "Content-Type" (assumed)

  @ssrf-default @unowned-agent
  Scenario: The SSRF guard refuses a private OpenClaw gateway at self-registration
    Given I use no credential
    When I send POST "/api/agents/register"
      """
      {"name": "{agent_name:g}", "openclawGateway": "http://10.0.0.1:18789/gateway"}
      """
    Then the request is refused (assumed)
    And the status is one of 400, 422 (assumed)
    And the status is 400 (assumed)
    And the answer is an API error
    And the header "access-control-allow-origin" equals "*" (assumed)

  @rate-limit
  Scenario: The eleventh self-registration within a minute is rate limited
    Given I use no credential
    When I send POST "/api/agents/register" 10 times whatever the answers
      """
      {}
      """
    And I send POST "/api/agents/register"
      """
      {}
      """
    Then the request is refused
    And the status is 429 (assumed)
    And the header "retry-after" is present (assumed)
