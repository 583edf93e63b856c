# Budget: nothing on the shared instance. Deleting an account is permanent: the accepted cells
# and the flow delete the provisioned owner of a fresh instance of their own (@metrics-exact:
# the users gauge is the documented movement of row 8). They are tagged @clock as well, which
# makes them reference-only: the gauge check advances the fresh instance's clock, and against a
# target tidegauge did not start they would delete the run's own owner. The refused cells
# change nothing and run on the shared instance.
@auth
Feature: Deleting the account
  `DELETE /api/auth/account` (endpoints.md §4.6, row 8; CLIENT): users only; deletes the user
  with every session, PAT and owned agent (and what they own); every credential of the user is
  refused afterwards (credentials.md §3, "revoked").

  @clock @metrics-exact
  Scenario Outline: Deleting the account takes a user credential (<credential>) and removes the user
    Given I take a metrics baseline
    And I use <credential>
    When I send DELETE "/api/auth/account"
    Then the credential is accepted
    And the status is one of 200, 204
    And the status is 200 (assumed)
    And the metric crustocean_users_total decreases by 1

    Examples:
      | credential             |
      | the pat credential     |
      | the session credential |
      | the cookie credential  |

  Scenario Outline: Deleting the account is refused without a user credential (<credential>)
    Given I use <credential>
    When I send DELETE "/api/auth/account"
    Then the request is refused
    And the status is <status> (assumed)
    And the answer is an API error

    Examples:
      | credential                   | status |
      | the agent session credential | 403    |
      | the agent token credential   | 401    |
      | the hook key credential      | 401    |
      | no credential                | 401    |

  @clock @metrics-exact
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
