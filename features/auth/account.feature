# Budget: nothing on the shared instance. Deleting an account is permanent, so every scenario
# here deletes the owner of a fresh instance of its own (@metrics-exact: the users gauge is
# the documented movement of row 8), with that instance's own budget.
@auth
Feature: Deleting the account
  `DELETE /api/auth/account` (endpoints.md §4.6, row 8; CLIENT): users only; deletes the user
  with every session, PAT and owned agent (and what they own); every credential of the user is
  refused afterwards (credentials.md §3, "revoked").

  @metrics-exact
  Scenario Outline: Deleting the account takes a user credential (<credential>); the users gauge moves by <movement>
    Given I take a metrics baseline
    And I use <credential>
    When I send DELETE "/api/auth/account"
    Then <verdict>
    And the status is <status> (assumed)
    And the metric crustocean_users_total <movement>

    Examples:
      | credential                   | verdict                    | status | movement       |
      | the pat credential           | the credential is accepted | 200    | decreases by 1 |
      | the session credential       | the credential is accepted | 200    | decreases by 1 |
      | the cookie credential        | the credential is accepted | 200    | decreases by 1 |
      | the agent session credential | the request is refused     | 403    | increases by 0 |
      | the agent token credential   | the request is refused     | 401    | increases by 0 |
      | the hook key credential      | the request is refused     | 401    | increases by 0 |
      | no credential                | the request is refused     | 401    | increases by 0 |

  @metrics-exact
  Scenario: After deleting the account its sessions, cookie, PATs, agents and password are all refused
    Given I take a metrics baseline
    And I use the session credential
    When I send DELETE "/api/auth/account"
    Then the status is one of 200, 204
    And the status is 200 (assumed)
    And $.ok equals true (assumed)
    And the metric crustocean_users_total decreases by 1
    And the metric crustocean_agents_total decreases by 1
    When I send GET "/api/auth/me"
    Then the request is refused
    And the status is 401 (assumed)
    Given I use the cookie credential
    When I send GET "/api/auth/me"
    Then the request is refused
    And the status is 401 (assumed)
    Given I use the pat credential
    When I send GET "/api/auth/me"
    Then the request is refused
    And the status is 401 (assumed)
    Given I use the agent session credential
    When I send GET "/api/auth/me"
    Then the request is refused
    And the status is 401 (assumed)
    Given I use no credential
    When I send POST "/api/auth/login"
      """
      {"username": "{owner.username}", "password": "{owner.password}"}
      """
    Then the request is refused
    And the status is 401 (assumed)
