@agents
Feature: What agents and claims do to the metrics
  metrics.md §5: a self-registration counts in `agent_registrations_total` and adds an
  unclaimed agent; an owner-created agent adds an agent but is not a self-registration; a claim
  e-mail counts in `claim_emails_total` by outcome and a pending request in
  `crustocean_claims_pending`; a completed claim counts in `claims_completed_total` and the
  agent stops being unclaimed. Each scenario runs on a fresh instance of its own, so the
  movements are exact; the pending-claim cap (3 per user, §12) is reached there too.

  @metrics-exact @unowned-agent
  Scenario: A self-registration counts as a registration and adds an unclaimed agent with its agency
    Given I use no credential
    And I take a metrics baseline
    When I send POST "/api/agents/register"
      """
      {"name": "{agent_name:m}"}
      """
    Then the status is 201
    And the metric agent_registrations_total increases by 1
    And the metric crustocean_agents_total increases by 1
    And the metric crustocean_agents_unclaimed increases by 1
    And the metric crustocean_agencies_total increases by 1
    And the metric crustocean_memberships_total increases by 2

  @metrics-exact
  Scenario: An owner-created agent counts as an agent but not as a self-registration
    Given I use the session credential
    And I take a metrics baseline
    When I send POST "/api/agents"
      """
      {"name": "{agent_name:o}"}
      """
    Then the status is one of 200, 201
    And the metric crustocean_agents_total increases by 1
    And the metric agent_registrations_total increases by 0
    And the metric crustocean_agents_unclaimed increases by 0
    And the metric crustocean_memberships_total increases by 1

  @metrics-exact
  Scenario: Deleting an agent removes it from the agent count
    Given I use the session credential
    When I send POST "/api/agents"
      """
      {"name": "{agent_name:v}"}
      """
    Then the status is one of 200, 201
    And I remember $.agent.id as agent_id
    Given I take a metrics baseline
    When I send DELETE "/api/agents/{agent_id}"
    Then the status is one of 200, 204
    And the metric crustocean_agents_total decreases by 1
    And the metric crustocean_memberships_total decreases by 1

  @metrics-exact @unowned-agent @claim-email @outbox
  Scenario: A claim e-mail and a completed claim move the claim metrics
    Given I use no credential
    When I send POST "/api/agents/register"
      """
      {"name": "{agent_name:q}"}
      """
    Then the status is 201
    And I remember the secret $.claimCode as claim_code
    Given I use the session credential
    And I take a metrics baseline
    When I send POST "/api/agents/claim"
      """
      {"claimCode": "{claim_code}", "email": "{unique:mail}@example.com"}
      """
    Then the status is 200
    And the metric claim_emails_total{status="sent"} increases by 1
    And the metric claim_emails_total{status="error"} increases by 0
    And the metric crustocean_claims_pending increases by 1
    When I send GET "/__reference/outbox"
    Then I remember the secret $[-1].token as claim_token
    Given I take a metrics baseline
    And I use no credential
    When I send GET "/api/agents/claim/verify/{claim_token}"
    Then the status is 302
    And the metric claims_completed_total increases by 1
    And the metric crustocean_agents_unclaimed decreases by 1
    And the metric crustocean_claims_pending decreases by 1
    And the metric claims_expired_total increases by 0

  @metrics-exact @unowned-agent @claim-email @outbox
  Scenario: A claim e-mail that cannot be sent answers 502 and counts as an error
    Given I use no credential
    When I send POST "/api/agents/register"
      """
      {"name": "{agent_name:e}"}
      """
    Then the status is 201
    And I remember the secret $.claimCode as claim_code
    Given I use the session credential
    And I take a metrics baseline
    When I send POST "/api/agents/claim"
      """
      {"claimCode": "{claim_code}", "email": "{unique:mail}@mail.invalid"}
      """
    Then the request is refused
    And the status is 502 (assumed)
    And the answer is an API error
    And the metric claim_emails_total{status="error"} increases by 1
    And the metric claim_emails_total{status="sent"} increases by 0
    And the metric crustocean_claims_pending increases by 0
    When I send GET "/__reference/outbox"
    Then $[-1].to equals "{unique:mail}@mail.invalid"
    And $[-1].status equals "error"

  @metrics-exact @unowned-agent @claim-email @outbox
  Scenario: A repeated claim for the same agent replaces the pending one, and a fourth pending claim is refused
    Given I use no credential
    When I send POST "/api/agents/register"
      """
      {"name": "{agent_name:c1}"}
      """
    Then the status is 201
    And I remember the secret $.claimCode as code_1
    When I send POST "/api/agents/register"
      """
      {"name": "{agent_name:c2}"}
      """
    Then the status is 201
    And I remember the secret $.claimCode as code_2
    When I send POST "/api/agents/register"
      """
      {"name": "{agent_name:c3}"}
      """
    Then the status is 201
    And I remember the secret $.claimCode as code_3
    When I send POST "/api/agents/register"
      """
      {"name": "{agent_name:c4}"}
      """
    Then the status is 201
    And I remember the secret $.claimCode as code_4
    Given I use the other user's session credential
    And I take a metrics baseline
    When I send POST "/api/agents/claim"
      """
      {"claimCode": "{code_1}", "email": "{unique:mail}@example.com"}
      """
    Then the status is 200
    When I send POST "/api/agents/claim"
      """
      {"claimCode": "{code_2}", "email": "{unique:mail}@example.com"}
      """
    Then the status is 200
    When I send POST "/api/agents/claim"
      """
      {"claimCode": "{code_1}", "email": "{unique:mail}@example.com"}
      """
    Then the status is 200
    When I send POST "/api/agents/claim"
      """
      {"claimCode": "{code_3}", "email": "{unique:mail}@example.com"}
      """
    Then the status is 200
    When I send POST "/api/agents/claim"
      """
      {"claimCode": "{code_4}", "email": "{unique:mail}@example.com"}
      """
    Then the request is refused
    And the status is one of 400, 409, 429
    And the status is 429 (assumed)
    And the header "retry-after" is present (assumed)
    And the answer is an API error
    And the metric claim_emails_total{status="sent"} increases by 4
    And the metric crustocean_claims_pending increases by 3
    When I send GET "/__reference/outbox"
    Then the status is 200
    And $[-1].to equals "{unique:mail}@example.com"
    And $[-1].status equals "sent"
