# Budget: no registration, login or bootstrap. The @clock scenario runs on a fresh instance.
@auth
Feature: Missing, malformed, revoked, expired and wrong-kind credentials
  The failure table of credentials.md §3, provoked on `GET /api/auth/me` (a row that accepts
  P, S, C and A): each failure is 401 with an `{"error": ...}` body on the reference server.
  Logout, PAT revocation, account deletion and the agent token exchange add their own rows
  in the features of those endpoints.

  Scenario Outline: A <case> is refused with 401
    Given <credential>
    When I send GET "/api/auth/me"
    Then the request is refused
    And the status is 401 (assumed)
    And the answer is an API error

    Examples:
      | case                                              | credential                                                                           |
      | missing credential                                | I use no credential                                                                  |
      | malformed PAT (cru_zz)                            | I use a malformed pat credential                                                     |
      | PAT under the wrong scheme (Token)                | I send the Authorization header "Token cru_wrong-scheme-not-a-token" |
      | Bearer scheme with nothing after it               | I send the Authorization header "Bearer"                                             |
      | Bearer value of two parts                         | I send the Authorization header "Bearer a b"                                         |
      | unknown session (random 64 hex)                   | I use a malformed session credential                                                 |
      | unknown cookie value                              | I use a malformed cookie credential                                                  |
      | unknown agent session                             | I use a malformed agent session credential                                           |
      | revoked PAT                                       | I use a revoked pat credential                                                       |
      | raw agent token as Bearer (wrong kind)            | I use the agent token credential                                                     |
      | hook key header alone (wrong kind)                | I use the hook key credential                                                        |

  Scenario: The Authorization header alone decides: a valid cookie next to an invalid header is refused
    Given I use the cookie credential
    And the request header "Authorization" is "Bearer 0000000000000000000000000000000000000000000000000000000000000000"
    When I send GET "/api/auth/me"
    Then the request is refused
    And the status is 401 (assumed)

  Scenario: An agent session on a users-only endpoint is refused with 403
    Given I use the agent session credential
    When I send POST "/api/auth/tokens"
      """
      {"name": "{unique:agent_pat}"}
      """
    Then the request is refused
    And the status is 403 (assumed)
    And the answer is an API error

  @clock
  Scenario: Sessions, cookies and agent sessions last 7 days and are refused from then on
    Given I use no credential
    When I send POST "/__reference/clock/advance"
      """
      {"seconds": 604740}
      """
    Then the status is 200
    Given I use the session credential
    When I send GET "/api/auth/me"
    Then the status is 200
    Given I use no credential
    When I send POST "/__reference/clock/advance"
      """
      {"seconds": 61}
      """
    Then the status is 200
    Given I use the session credential
    When I send GET "/api/auth/me"
    Then the request is refused
    And the status is 401 (assumed)
    And the answer is an API error
    Given I use the cookie credential
    When I send GET "/api/auth/me"
    Then the request is refused
    And the status is 401 (assumed)
    Given I use the agent session credential
    When I send GET "/api/auth/me"
    Then the request is refused
    And the status is 401 (assumed)
    Given I use the pat credential
    When I send GET "/api/auth/me"
    Then the status is 200
