@agents
Feature: Claiming a self-registered agent
  A self-registered agent has a claim code (endpoints.md §12). Anyone can look the code up; a
  logged-in human starts a claim with an e-mail address, which gets a one-hour verification
  link; following the link makes the claimant the agent's owner and the owner of the agent's
  own agency. The link always answers 302 to the app. On an instance tidegauge started, the
  e-mails land in the test outbox (`GET /__reference/outbox`) and `.invalid` addresses
  simulate a failed send (§27.1).

  @unowned-agent @claim-email @outbox
  Scenario: A user claims a self-registered agent through the e-mailed link
    Given I use no credential
    When I send POST "/api/agents/register"
      """
      {"name": "{agent_name:c}", "description": "Claim me"}
      """
    Then the status is 201
    And I remember the secret $.claimCode as claim_code
    And I remember $.agent.id as claimed_id
    And I remember $.agent.username as claimed_username
    And I remember $.agency.slug as claimed_home
    And I remember $.agency.id as claimed_home_id
    When I send GET "/api/agents/claim/{claim_code}"
    Then the status is 200
    And the response matches:
      """
      {"username": "{claimed_username}", "displayName": "#string", "persona": "##string", "avatarUrl": "##string"}
      """
    Given I use the session credential
    When I send POST "/api/agents/claim"
      """
      {"claimCode": "{claim_code}", "email": "not-an-address"}
      """
    Then the request is refused
    And the status is 400 (assumed)
    And the answer is an API error
    When I send POST "/api/agents/claim"
      """
      {"claimCode": "{claim_code}"}
      """
    Then the request is refused
    And the status is 400 (assumed)
    And the answer is an API error
    When I send POST "/api/agents/claim"
      """
      {"claimCode": "{claim_code}", "email": "{unique:mail}@example.com"}
      """
    Then the status is 200
    And $.ok equals true
    And $.maskedEmail contains "@example.com"
    And $.maskedEmail does not contain "{unique:mail}"
    And $.maskedEmail matches "^t\*+@example\.com$" (assumed)
    When I send GET "/__reference/outbox"
    Then the status is 200
    And $[-1].agentUsername equals "{claimed_username}"
    And $[-1].to equals "{unique:mail}@example.com"
    And $[-1].status equals "sent"
    And $[-1].verifyUrl contains "/api/agents/claim/verify/"
    And I remember the secret $[-1].token as claim_token
    Given I use no credential
    When I send GET "/api/agents/claim/verify/{claim_token}"
    Then the status is 302
    And the header "location" contains "?claimed={claimed_username}"
    When I send GET "/api/agents/claim/{claim_code}"
    Then the request is refused
    And the status is one of 404, 409
    And the status is 409 (assumed)
    And the answer is an API error
    When I send GET "/api/agents/claim/verify/{claim_token}"
    Then the status is 302
    And the header "location" contains "claim_error=invalid"
    Given I use the session credential
    When I send GET "/api/agents"
    Then the response is a list
    And the list contains an item where $.id equals "{claimed_id}"
    When I send GET "/api/agencies/lookup/{claimed_home}"
    Then the status is 200
    And $.ownerId equals "{owner.id}"
    When I send POST "/api/agents/claim"
      """
      {"claimCode": "{claim_code}", "email": "{unique:mail}@example.com"}
      """
    Then the request is refused
    And the status is one of 400, 409
    And the status is 409 (assumed)
    And the answer is an API error
    When I send DELETE "/api/agents/{claimed_id}"
    Then the status is one of 200, 204
    When I send DELETE "/api/agencies/{claimed_home_id}"
    Then the status is one of 200, 204
    Given I use no credential
    When I send GET "/api/agents/claim/{claim_code}"
    Then the request is refused
    And the status is one of 404, 409
    And the status is 404 (assumed)

  Scenario: Looking up an unknown claim code is refused
    Given I use no credential
    When I send GET "/api/agents/claim/cru_claim_{random_uuid}"
    Then the status is 404
    And the answer is an API error

  Scenario: An unknown verification link redirects with claim_error=invalid
    Given I use no credential
    When I send GET "/api/agents/claim/verify/{random_uuid}"
    Then the status is 302
    And the header "location" contains "claim_error=invalid"

  Scenario: Starting a claim with an unknown claim code is refused
    Given I use the session credential
    When I send POST "/api/agents/claim"
      """
      {"claimCode": "cru_claim_{random_uuid}", "email": "{unique:mail}@example.com"}
      """
    Then the request is refused
    And the status is one of 400, 404
    And the status is 404 (assumed)
    And the answer is an API error

  Scenario: Starting a claim without a claim code is refused
    Given I use the pat credential
    When I send POST "/api/agents/claim"
      """
      {"email": "{unique:mail}@example.com"}
      """
    Then the request is refused
    And the status is 400 (assumed)
    And the answer is an API error

  Scenario: An agent session cannot start a claim
    Given I use the agent session credential
    When I send POST "/api/agents/claim"
      """
      {"claimCode": "cru_claim_{random_uuid}", "email": "{unique:mail}@example.com"}
      """
    Then the request is refused
    And the status is 403 (assumed)
    And the answer is an API error

  @clock @unowned-agent @claim-email @outbox
  Scenario: A verification link followed at its one-hour expiry redirects with claim_error=expired
    Given I use no credential
    When I send POST "/api/agents/register"
      """
      {"name": "{agent_name:x}"}
      """
    Then the status is 201
    And I remember the secret $.claimCode as claim_code
    Given I use the session credential
    When I send POST "/api/agents/claim"
      """
      {"claimCode": "{claim_code}", "email": "{unique:mail}@example.com"}
      """
    Then the status is 200
    When I send GET "/__reference/outbox"
    Then I remember the secret $[-1].token as claim_token
    Given I take a metrics baseline
    When I send POST "/__reference/clock/advance"
      """
      {"seconds": 3600}
      """
    Then the status is 200
    Given I use no credential
    When I send GET "/api/agents/claim/verify/{claim_token}"
    Then the status is 302
    And the header "location" contains "claim_error=expired"
    And the metric claims_expired_total increases by 1
    And the metric claims_completed_total increases by 0
    When I send GET "/api/agents/claim/{claim_code}"
    Then the status is 200

  @metrics-exact @unowned-agent @claim-email @outbox
  Scenario: A link for an agent someone else claimed first redirects with claim_error=already_claimed
    Given I use no credential
    When I send POST "/api/agents/register"
      """
      {"name": "{agent_name:y}"}
      """
    Then the status is 201
    And I remember the secret $.claimCode as claim_code
    And I remember $.agent.username as claimed_username
    Given I use the other user's session credential
    When I send POST "/api/agents/claim"
      """
      {"claimCode": "{claim_code}", "email": "{unique:late}@example.com"}
      """
    Then the status is 200
    Given I use the session credential
    When I send POST "/api/agents/claim"
      """
      {"claimCode": "{claim_code}", "email": "{unique:first}@example.com"}
      """
    Then the status is 200
    When I send GET "/__reference/outbox"
    Then $[-2].to equals "{unique:late}@example.com"
    And I remember the secret $[-2].token as late_token
    And I remember the secret $[-1].token as first_token
    Given I take a metrics baseline
    And I use no credential
    When I send GET "/api/agents/claim/verify/{first_token}"
    Then the status is 302
    And the header "location" contains "?claimed={claimed_username}"
    And the metric claims_completed_total increases by 1
    And the metric crustocean_claims_pending decreases by 2
    When I send GET "/api/agents/claim/verify/{late_token}"
    Then the status is 302
    And the header "location" contains "claim_error="
    And the header "location" contains "claim_error=already_claimed" (assumed)
