# Budget (shared instance): 8 bootstraps (7 matrix cells + wrong password), no registration, no
# login. (The auth area's other 2 bootstraps are in tokens.feature and password.feature.)
# The @rate-limit, @metrics-exact and @ssrf-default scenarios run on fresh instances.
@auth
Feature: Bootstrapping an owner, an agency, a verified agent and a PAT in one call
  `POST /api/bootstrap` (endpoints.md §6, row 12; DOC): registers the user, or logs in when the
  username exists; creates an agency, a verified agent in it and a never-expiring PAT; atomic.
  No credential (the row's credential is `none`: one sent along plays no part), open CORS
  (§1.6), 10 per minute per IP.

  Scenario Outline: Bootstrap ignores any credential sent along (<credential>): <case>
    Given I use <credential>
    When I send POST "/api/bootstrap"
      """
      <body>
      """
    Then the credential is accepted
    And the status is one of <accepted>
    And the status is <pinned> (assumed)
    And the header "access-control-allow-origin" equals "*"

    Examples:
      | credential                   | case                                              | body                                                                                                                                                                  | accepted | pinned |
      | no credential                | a new user with every optional field              | {"username": "{unique:boss}", "password": "tidegauge-pass-1", "agentName": "{agent_name:bot}", "displayName": "Boss", "agencyName": "{unique:hq}", "agencyCharter": "tidegauge", "agentRole": "Scout"} | 201 | 201 |
      | the agent token credential   | an existing user with the right password          | {"username": "{owner.username}", "password": "{owner.password}", "agentName": "{agent_name:again}"}                                                                   | 201      | 201    |
      | the pat credential           | agentName is missing                              | {"username": "{unique:noagent}", "password": "tidegauge-pass-1"}                                                                                                      | 400, 422 | 400    |
      | the session credential       | a password under 8 characters                     | {"username": "{unique:shortpw}", "password": "short", "agentName": "{agent_name:sp}"}                                                                                 | 400, 422 | 400    |
      | the cookie credential        | an invalid username                               | {"username": "not valid", "password": "tidegauge-pass-1", "agentName": "{agent_name:iu}"}                                                                             | 400, 422 | 400    |
      | the agent session credential | the agency name's slug is taken                   | {"username": "{unique:slugclash}", "password": "tidegauge-pass-1", "agentName": "{agent_name:sc}", "agencyName": "{agency.slug}"}                                     | 400, 409 | 409    |
      | the hook key credential      | the agent's username is taken                     | {"username": "{unique:agentclash}", "password": "tidegauge-pass-1", "agentName": "{agent.username}"}                                                                  | 400, 409 | 409    |

  Scenario: A bootstrap for an existing user with a wrong password is refused with 401 and creates nothing
    Given I use no credential
    When I send POST "/api/bootstrap"
      """
      {"username": "{owner.username}", "password": "not-the-password", "agentName": "{agent_name:denied}"}
      """
    Then the request is refused
    And the status is one of 400, 401, 403
    And the status is 401 (assumed)
    And the answer is an API error
    And the header "access-control-allow-origin" equals "*"
    Given I use the session credential
    When I send GET "/api/users/{agent_name:denied}"
    Then the status is 404 (assumed)

  Scenario: The CORS preflight of bootstrap is answered 204 with open CORS
    When I send the CORS preflight for "/api/bootstrap"
    Then the status is 204 (assumed)
    And the header "access-control-allow-origin" equals "*"
    And the header "access-control-allow-methods" contains "POST" (assumed)
    And the header "access-control-allow-headers" contains "Content-Type" (assumed)

  @metrics-exact
  Scenario: A bootstrap of a new user answers a BootstrapResult whose credentials work, and adds a user, an agency, an agent and three memberships
    Given I take a metrics baseline
    And I use no credential
    When I send POST "/api/bootstrap"
      """
      {"username": "{unique:founder}", "password": "tidegauge-pass-1", "agentName": "{agent_name:helper}", "agencyName": "{unique:founded}"}
      """
    Then the status is 201
    And the response is a BootstrapResult
    And $.user.username equals "{unique:founder}"
    And $.pat.token matches "^cru_[0-9a-f]{48}$"
    And $.pat.expiresAt equals null (assumed)
    And $.agent.verified equals true
    And $.agency.name equals "{unique:founded}"
    And the header "access-control-allow-origin" equals "*"
    And the header "set-cookie" is absent (assumed)
    And I remember $.user.token as founder_session
    And I remember $.pat.token as founder_pat
    And I remember $.agent.token as helper_token
    And I remember $.agent.id as helper_id
    And the metric crustocean_users_total increases by 1
    And the metric crustocean_agencies_total increases by 1
    And the metric crustocean_agents_total increases by 1
    And the metric crustocean_memberships_total increases by 3
    Given I use the session credential remembered as founder_session
    When I send GET "/api/auth/me"
    Then the status is 200
    And $.username or $.user.username equals "{unique:founder}"
    Given I use the pat credential remembered as founder_pat
    When I send GET "/api/auth/me"
    Then the status is 200
    Given I use no credential
    When I send POST "/api/auth/agent"
      """
      {"agentToken": "{helper_token}"}
      """
    Then the status is 200
    And $.user.id equals "{helper_id}"

  @ssrf-default
  Scenario: A bootstrap whose webhookUrl points at a private address is refused with 400
    Given I use no credential
    When I send POST "/api/bootstrap"
      """
      {"username": "{unique:ssrf}", "password": "tidegauge-pass-1", "agentName": "{agent_name:ssrf}", "webhookUrl": "http://127.0.0.1:9/hook"}
      """
    Then the request is refused
    And the status is one of 400, 422
    And the status is 400 (assumed)
    And the header "access-control-allow-origin" equals "*"

  @rate-limit
  Scenario: The 11th bootstrap from one IP within a minute is refused with 429 and Retry-After
    # Every request counts, whatever its outcome; the fresh instance's identities spent no bootstrap.
    Given I use no credential
    When I send POST "/api/bootstrap" 10 times, each answered 400
      """
      {}
      """
    And I send POST "/api/bootstrap"
      """
      {"username": "{unique:late}", "password": "tidegauge-pass-1", "agentName": "{agent_name:late}"}
      """
    Then the request is refused
    And the status is 429 (assumed)
    And the header "retry-after" is present (assumed)
    And the header "access-control-allow-origin" equals "*"
