# Budget (shared instance): 1 bootstrap and 1 login (the throwaway account of the password
# change), no registration.
@auth
Feature: Changing the password
  `POST /api/auth/change-password` (endpoints.md §4.5, row 7; CLIENT): users only; a wrong
  current password → 403; the session used for the change stays valid, every other session of
  the user is revoked, PATs are untouched.

  Scenario Outline: Changing the password takes a user credential (<credential>)
    Given I use <credential>
    When I send POST "/api/auth/change-password"
      """
      {}
      """
    Then <verdict>
    And the status is <status> (assumed)

    Examples:
      | credential                   | verdict                    | status |
      | the pat credential           | the credential is accepted | 400    |
      | the session credential       | the credential is accepted | 400    |
      | the cookie credential        | the credential is accepted | 400    |
      | the agent session credential | the request is refused     | 403    |
      | the agent token credential   | the request is refused     | 401    |
      | the hook key credential      | the request is refused     | 401    |
      | no credential                | the request is refused     | 401    |

  Scenario: Changing the password keeps the session that made the change, ends every other session, and leaves PATs working
    Given I use no credential
    When I send POST "/api/bootstrap"
      """
      {"username": "{unique:rotating}", "password": "tidegauge-pass-1", "agentName": "{agent_name:rotbot}"}
      """
    Then the status is 201
    And I remember $.user.token as first_session
    And I remember $.pat.token as rotating_pat
    When I send POST "/api/auth/login"
      """
      {"username": "{unique:rotating}", "password": "tidegauge-pass-1"}
      """
    Then the status is 200
    And I remember $.token as second_session
    Given I use the session credential remembered as first_session
    When I send POST "/api/auth/change-password"
      """
      {"currentPassword": "tidegauge-pass-1", "newPassword": "tidegauge-pass-2"}
      """
    Then the status is one of 200, 204
    And the status is 200 (assumed)
    And $.ok equals true (assumed)
    When I send GET "/api/auth/me"
    Then the status is 200
    And $.username or $.user.username equals "{unique:rotating}"
    Given I use the session credential remembered as second_session
    When I send GET "/api/auth/me"
    Then the request is refused
    And the status is 401 (assumed)
    Given I use the cookie credential remembered as second_session
    When I send GET "/api/auth/me"
    Then the request is refused
    And the status is 401 (assumed)
    Given I use the pat credential remembered as rotating_pat
    When I send GET "/api/auth/me"
    Then the status is 200

  Scenario: A wrong current password is refused with 403
    Given I use the pat credential
    When I send POST "/api/auth/change-password"
      """
      {"currentPassword": "not-the-password", "newPassword": "tidegauge-pass-9"}
      """
    Then the request is refused
    And the status is one of 400, 401, 403
    And the status is 403 (assumed)
    And the answer is an API error

  Scenario: A new password under 8 characters is a validation error and changes nothing
    Given I use the session credential
    When I send POST "/api/auth/change-password"
      """
      {"currentPassword": "{owner.password}", "newPassword": "short"}
      """
    Then the status is one of 400, 422
    And the status is 400 (assumed)
    And the answer is an API error
    When I send GET "/api/auth/me"
    Then the status is 200
