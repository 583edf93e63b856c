# Budget (shared instance): 9 logins (7 matrix cells + missing field + wrong password),
# 0 registrations, 0 bootstraps. (The 10th login of the auth area is in password.feature.)
# The @rate-limit scenario runs on a fresh instance with its own budget.
@auth
Feature: Logging in and out
  `POST /api/auth/login` (endpoints.md §4.2, row 2) opens a new 7-day session; earlier sessions
  stay valid. `POST /api/auth/logout` (§4.3, row 3, path ASSUMED) revokes the session that
  authenticated it (Bearer or cookie, user or agent), leaves PATs alone, and clears the cookie.

  Scenario Outline: Logging in ignores any credential sent along (<credential>) and opens an independent session, which logging out with it (as <logout kind>) ends
    Given I use <credential>
    When I send POST "/api/auth/login"
      """
      {"username": "{owner.username}", "password": "{owner.password}"}
      """
    Then the credential is accepted
    And the status is 200
    And $.token is a non-empty string
    And $.user is a User
    And $.user.id equals "{owner.id}"
    And the header "set-cookie" contains "crustocean_token=" (assumed)
    And the header "set-cookie" contains "HttpOnly"
    And I remember $.token as new_session
    Given I use the <logout kind> credential remembered as new_session
    When I send GET "/api/auth/me"
    Then the status is 200
    When I send POST "/api/auth/logout"
    Then the status is one of 200, 204
    And the status is 200 (assumed)
    And $.ok equals true (assumed)
    And the header "set-cookie" contains "crustocean_token=;" (assumed)
    And the header "set-cookie" contains "Max-Age=0" (assumed)
    Given I use the session credential remembered as new_session
    When I send GET "/api/auth/me"
    Then the request is refused
    And the status is 401 (assumed)
    And the answer is an API error
    Given I use the cookie credential remembered as new_session
    When I send GET "/api/auth/me"
    Then the request is refused
    And the status is 401 (assumed)
    Given I use the session credential
    When I send GET "/api/auth/me"
    Then the status is 200
    Given I use the pat credential
    When I send GET "/api/auth/me"
    Then the status is 200

    Examples:
      | credential                   | logout kind |
      | no credential                | session     |
      | the pat credential           | cookie      |
      | the session credential       | session     |
      | the cookie credential        | cookie      |
      | the agent session credential | session     |
      | the agent token credential   | cookie      |
      | the hook key credential      | session     |

  Scenario: Logging in without a password is a validation error
    Given I use no credential
    When I send POST "/api/auth/login"
      """
      {"username": "{owner.username}"}
      """
    Then the status is one of 400, 422
    And the status is 400 (assumed)
    And the answer is an API error

  Scenario: Logging in with a wrong password is refused with 401
    Given I use no credential
    When I send POST "/api/auth/login"
      """
      {"username": "{owner.username}", "password": "not-the-password"}
      """
    Then the request is refused
    And the status is one of 400, 401
    And the status is 401 (assumed)
    And the answer is an API error

  Scenario: Logging out with a PAT answers ok and leaves the PAT working
    Given I use the pat credential
    When I send POST "/api/auth/logout"
    Then the credential is accepted
    And the status is one of 200, 204
    And the status is 200 (assumed)
    When I send GET "/api/auth/me"
    Then the status is 200
    And $.id or $.user.id equals "{owner.id}"

  Scenario Outline: Logging out needs a user or agent credential: <credential> is refused
    Given I use <credential>
    When I send POST "/api/auth/logout"
    Then the request is refused
    And the status is 401 (assumed)
    And the answer is an API error

    Examples:
      | credential                 |
      | the agent token credential |
      | the hook key credential    |
      | no credential              |

  Scenario: An agent session logs out; the session is refused afterwards and the agent token still exchanges
    Given I use the session credential
    When I send POST "/api/agents"
      """
      {"name": "{agent_name:leaving}"}
      """
    Then the status is one of 200, 201
    And I remember $.agent.id as leaving_id
    And I remember $.agentToken as leaving_token
    When I send POST "/api/agents/{leaving_id}/verify"
    Then the status is 200
    Given I use no credential
    When I send POST "/api/auth/agent"
      """
      {"agentToken": "{leaving_token}"}
      """
    Then the status is 200
    And I remember $.token as leaving_session
    Given I use the agent session credential remembered as leaving_session
    When I send POST "/api/auth/logout"
    Then the status is one of 200, 204
    And the status is 200 (assumed)
    When I send GET "/api/auth/me"
    Then the request is refused
    And the status is 401 (assumed)
    Given I use no credential
    When I send POST "/api/auth/agent"
      """
      {"agentToken": "{leaving_token}"}
      """
    Then the status is 200
    And $.user.id equals "{leaving_id}"

  @rate-limit
  Scenario: The 11th login from one IP within a minute is refused with 429 and Retry-After, even with the right password
    # Every request counts, whatever its outcome; the fresh instance's identities spent no login.
    Given I use no credential
    When I send POST "/api/auth/login" 10 times, each answered 400
      """
      {}
      """
    And I send POST "/api/auth/login"
      """
      {"username": "{owner.username}", "password": "{owner.password}"}
      """
    Then the request is refused
    And the status is 429 (assumed)
    And the header "retry-after" is present (assumed)
    And the answer is an API error
