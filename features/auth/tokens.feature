# Budget (shared instance): 1 bootstrap (the PAT cap, on a throwaway account), no registration,
# no login. The @clock and @metrics-exact scenarios run on fresh instances with their own budget.
@auth
Feature: Personal access tokens
  `POST`, `GET /api/auth/tokens` and `DELETE /api/auth/tokens/:id` (endpoints.md §5, rows 9–11):
  users only; the raw token (`cru_` + 48 hex) is shown once, at creation; the list never shows
  it; a revoked token stops working at once; at most 10 active PATs per user.

  Scenario Outline: Creating a PAT takes a user credential (<credential>)
    Given I use <credential>
    When I send POST "/api/auth/tokens"
      """
      {}
      """
    Then <verdict>
    And the status is <status> (assumed)

    Examples:
      | credential                   | verdict                   | status |
      | the pat credential           | the credential is accepted | 400    |
      | the session credential       | the credential is accepted | 400    |
      | the cookie credential        | the credential is accepted | 400    |
      | the agent session credential | the request is refused    | 403    |
      | the agent token credential   | the request is refused    | 401    |
      | the hook key credential      | the request is refused    | 401    |
      | no credential                | the request is refused    | 401    |

  Scenario Outline: Listing PATs takes a user credential (<credential>)
    Given I use <credential>
    When I send GET "/api/auth/tokens"
    Then <verdict>
    And the status is <status> (assumed)

    Examples:
      | credential                   | verdict                    | status |
      | the pat credential           | the credential is accepted | 200    |
      | the session credential       | the credential is accepted | 200    |
      | the cookie credential        | the credential is accepted | 200    |
      | the agent session credential | the request is refused     | 403    |
      | the agent token credential   | the request is refused     | 401    |
      | the hook key credential      | the request is refused     | 401    |
      | no credential                | the request is refused     | 401    |

  Scenario Outline: Revoking a PAT takes a user credential (<credential>); an agent is refused even for an unknown ID
    Given I use <credential>
    When I send DELETE "/api/auth/tokens/{random_uuid}"
    Then <verdict>
    And the status is <status> (assumed)

    Examples:
      | credential                   | verdict                    | status |
      | the pat credential           | the credential is accepted | 404    |
      | the session credential       | the credential is accepted | 404    |
      | the cookie credential        | the credential is accepted | 404    |
      | the agent session credential | the request is refused     | 403    |
      | the agent token credential   | the request is refused     | 401    |
      | the hook key credential      | the request is refused     | 401    |
      | no credential                | the request is refused     | 401    |

  Scenario: A PAT is shown once, listed without its token, works at once, and stops working the moment it is revoked
    Given I use the session credential
    When I send POST "/api/auth/tokens"
      """
      {"name": "{unique:ci}", "expiresIn": "90d"}
      """
    Then the status is 201
    And the response is a PatCreated
    And $.token matches "^cru_[0-9a-f]{48}$"
    And $.prefix matches "^cru_[0-9a-f]{4}$"
    And $.name equals "{unique:ci}"
    And $.scopes equals "all" (assumed)
    And $.expiresAt or $.expires_at is a datetime
    And I remember $.token as ci_pat
    And I remember $.id as ci_id
    When I send GET "/api/auth/tokens"
    Then the status is 200
    And the response is a list
    And each item is a PatItem
    And the list contains an item where $.id equals "{ci_id}"
    And the list contains an item where $.name equals "{unique:ci}"
    Given I use the pat credential remembered as ci_pat
    When I send GET "/api/auth/me"
    Then the status is 200
    And $.id or $.user.id equals "{owner.id}"
    Given I use the session credential
    When I send DELETE "/api/auth/tokens/{ci_id}"
    Then the status is one of 200, 204
    And the status is 200 (assumed)
    And $.ok equals true (assumed)
    Given I use the pat credential remembered as ci_pat
    When I send GET "/api/auth/me"
    Then the request is refused
    And the status is 401 (assumed)
    And the answer is an API error
    Given I use the session credential
    When I send GET "/api/auth/tokens"
    Then the response is a list
    And the list does not contain an item where $.id equals "{ci_id}"
    When I send DELETE "/api/auth/tokens/{ci_id}"
    Then the status is one of 403, 404
    And the status is 404 (assumed)

  Scenario: A PAT defaults to never expiring
    Given I use the session credential
    When I send POST "/api/auth/tokens"
      """
      {"name": "{unique:forever}"}
      """
    Then the status is 201
    And $.expiresAt or $.expires_at equals null

  Scenario: The official CLI's spelling, expires with 365d, is accepted as one year
    Given I use the cookie credential
    When I send POST "/api/auth/tokens"
      """
      {"name": "{unique:cli}", "expires": "365d"}
      """
    Then the status is one of 201, 400
    And the status is 201 (assumed)
    And $.expiresAt or $.expires_at is a datetime (assumed)

  Scenario: Creating a PAT without a name is refused with 400
    Given I use the session credential
    When I send POST "/api/auth/tokens"
      """
      {"expiresIn": "30d"}
      """
    Then the status is 400
    And the answer is an API error

  Scenario: Creating a PAT with an unknown expiresIn value is a validation error
    Given I use the session credential
    When I send POST "/api/auth/tokens"
      """
      {"name": "{unique:odd}", "expiresIn": "7d"}
      """
    Then the status is one of 400, 422
    And the status is 400 (assumed)
    And the answer is an API error

  Scenario: Creating a PAT with a name over 64 characters is a validation error
    Given I use the session credential
    When I send POST "/api/auth/tokens"
      """
      {"name": "an-overly-long-token-name-that-goes-well-beyond-sixty-four-characters"}
      """
    Then the status is one of 400, 422
    And the status is 400 (assumed)

  Scenario: Another user's PAT cannot be revoked: it is unknown to the caller (404) and keeps working
    Given I use the other user's session credential
    When I send POST "/api/auth/tokens"
      """
      {"name": "{unique:theirs}", "expiresIn": "30d"}
      """
    Then the status is 201
    And I remember $.id as their_id
    And I remember $.token as their_pat
    Given I use the pat credential
    When I send DELETE "/api/auth/tokens/{their_id}"
    Then the request is refused
    And the status is one of 403, 404
    And the status is 404 (assumed)
    Given I use the pat credential remembered as their_pat
    When I send GET "/api/auth/me"
    Then the status is 200
    And $.id or $.user.id equals "{other.id}"

  Scenario: A user holds at most 10 PATs; the 11th is refused until one is revoked
    Given I use no credential
    When I send POST "/api/bootstrap"
      """
      {"username": "{unique:capped}", "password": "tidegauge-pass-1", "agentName": "{agent_name:capbot}"}
      """
    Then the status is 201
    And the response is a BootstrapResult
    And $.pat.token matches "^cru_[0-9a-f]{48}$"
    And I remember $.user.token as capped_session
    Given I use the session credential remembered as capped_session
    When I send POST "/api/auth/tokens" 9 times
      """
      {"name": "cap"}
      """
    And I send GET "/api/auth/tokens"
    Then the response is a list
    And the list has 10 items
    And I remember $[0].id as newest_id
    When I send POST "/api/auth/tokens"
      """
      {"name": "one too many"}
      """
    Then the request is refused
    And the status is one of 400, 403, 409
    And the status is 400 (assumed)
    And the answer is an API error
    When I send DELETE "/api/auth/tokens/{newest_id}"
    Then the status is one of 200, 204
    When I send POST "/api/auth/tokens"
      """
      {"name": "room again"}
      """
    Then the status is 201

  @clock
  Scenario: A 30-day PAT is refused once it expires and leaves the list; a never-expiring PAT keeps working
    Given I use the session credential
    When I send POST "/api/auth/tokens"
      """
      {"name": "{unique:month}", "expiresIn": "30d"}
      """
    Then the status is 201
    And I remember $.token as month_pat
    And I remember $.id as month_id
    When I send POST "/api/auth/tokens"
      """
      {"name": "{unique:forever}", "expiresIn": "never"}
      """
    Then the status is 201
    And I remember $.token as forever_pat
    Given I use no credential
    When I send POST "/__reference/clock/advance"
      """
      {"seconds": 2678400}
      """
    Then the status is 200
    Given I use the pat credential remembered as month_pat
    When I send GET "/api/auth/me"
    Then the request is refused
    And the status is 401 (assumed)
    And the answer is an API error
    Given I use the pat credential remembered as forever_pat
    When I send GET "/api/auth/me"
    Then the status is 200
    When I send GET "/api/auth/tokens"
    Then the response is a list
    And the list does not contain an item where $.id equals "{month_id}"

  @metrics-exact
  Scenario: Creating and revoking a PAT moves only the HTTP metrics
    Given I take a metrics baseline
    And I use the session credential
    When I send POST "/api/auth/tokens"
      """
      {"name": "{unique:counted}"}
      """
    Then the status is 201
    And I remember $.id as counted_id
    When I send DELETE "/api/auth/tokens/{counted_id}"
    Then the status is 200
    And the metric http_requests_total{path="/api/auth/tokens",method="POST",status="201"} increases by 1
    And the metric http_requests_total{path="/api/auth/tokens/:id",method="DELETE",status="200"} increases by 1
    And the metric crustocean_users_total increases by 0
