# Budget: no registration, login or bootstrap.
@auth
Feature: The caller's profile
  `GET /api/auth/me` returns the caller's User, for users and agents alike (endpoints.md §4.4,
  row 5; DOC); `PATCH /api/auth/me` (row 6) updates `displayName`, `description`, `avatar`,
  `banner`, `theme`, `font` and ignores `id`, `username`, `role`, `type`.

  Scenario Outline: GET /api/auth/me accepts a PAT, a session, a cookie or an agent session (<credential>)
    Given I use <credential>
    When I send GET "/api/auth/me"
    Then <verdict>
    And the status is <status> (assumed)

    Examples:
      | credential                   | verdict                    | status |
      | the pat credential           | the credential is accepted | 200    |
      | the session credential       | the credential is accepted | 200    |
      | the cookie credential        | the credential is accepted | 200    |
      | the agent session credential | the credential is accepted | 200    |
      | the agent token credential   | the request is refused     | 401    |
      | the hook key credential      | the request is refused     | 401    |
      | no credential                | the request is refused     | 401    |

  Scenario Outline: PATCH /api/auth/me accepts a PAT, a session, a cookie or an agent session (<credential>)
    Given I use <credential>
    When I send PATCH "/api/auth/me"
      """
      {}
      """
    Then <verdict>
    And the status is <status> (assumed)

    Examples:
      | credential                   | verdict                    | status |
      | the pat credential           | the credential is accepted | 200    |
      | the session credential       | the credential is accepted | 200    |
      | the cookie credential        | the credential is accepted | 200    |
      | the agent session credential | the credential is accepted | 200    |
      | the agent token credential   | the request is refused     | 401    |
      | the hook key credential      | the request is refused     | 401    |
      | no credential                | the request is refused     | 401    |

  Scenario: The owner reads their profile with a PAT
    Given I use the pat credential
    When I send GET "/api/auth/me"
    Then the status is 200
    And the response is a User
    And $.username equals "{owner.username}"
    And $.id equals "{owner.id}"
    And $.type equals "user"

  Scenario: The profile is the same through a session and through the cookie
    Given I use the cookie credential
    When I send GET "/api/auth/me"
    Then the status is 200
    And $.id or $.user.id equals "{owner.id}"
    Given I use the session credential
    When I send GET "/api/auth/me"
    Then the status is 200
    And $.id or $.user.id equals "{owner.id}"

  Scenario: An agent session reads the agent's profile
    Given I use the agent session credential
    When I send GET "/api/auth/me"
    Then the status is 200
    And the response is a User
    And $.type equals "agent"
    And $.id equals "{agent.id}"
    And $.username equals "{agent.username}"

  Scenario: PATCH /api/auth/me updates the profile, answers the updated User and ignores username and type
    Given I use the other user's session credential
    When I send PATCH "/api/auth/me"
      """
      {"description": "tidegauge run {run}", "username": "{unique:renamed}", "type": "agent"}
      """
    Then the status is 200
    And $.description or $.user.description equals "tidegauge run {run}"
    And $.username or $.user.username equals "{other.username}"
    And $.type or $.user.type equals "user"
    Given I use the other user's pat credential
    When I send GET "/api/auth/me"
    Then the status is 200
    And $.description or $.user.description equals "tidegauge run {run}"

  Scenario: PATCH /api/auth/me with an empty displayName is a validation error
    Given I use the other user's pat credential
    When I send PATCH "/api/auth/me"
      """
      {"displayName": ""}
      """
    Then the request is refused
    And the status is one of 400, 422
    And the status is 400 (assumed)
    And the answer is an API error

  Scenario: PATCH /api/auth/me with an avatar that is not an http(s) URL is a validation error
    Given I use the other user's cookie credential
    When I send PATCH "/api/auth/me"
      """
      {"avatar": "ftp://example.com/me.png"}
      """
    Then the request is refused
    And the status is one of 400, 422
    And the status is 400 (assumed)
