# Budget (shared instance): 8 registrations (7 matrix cells + 1 happy path), 0 logins, 0 bootstraps.
# The @rate-limit and @metrics-exact scenarios run on fresh instances with their own budget.
@auth
Feature: Registering an account
  `POST /api/auth/register` (endpoints.md §4.1, row 1) creates a human user joined to the Lobby,
  starts a 7-day session and, on the reference server, sets it as the `crustocean_token`
  cookie (credentials.md §2.3). The row's credential is `none`: whatever credential is sent
  along plays no part. 10 registrations per minute per IP (§25).

  Scenario Outline: Registration ignores any credential sent along (<credential>): <case>
    Given I use <credential>
    When I send POST "/api/auth/register"
      """
      <body>
      """
    Then the credential is accepted
    And the status is one of <accepted>
    And the status is <pinned> (assumed)

    Examples:
      | credential                  | case                                   | body                                                                       | accepted | pinned |
      | no credential               | a new username registers               | {"username": "{unique:new}", "password": "tidegauge-pass-1"}               | 200, 201 | 201    |
      | the pat credential          | a username with a space is invalid     | {"username": "not valid", "password": "tidegauge-pass-1"}                  | 400, 422 | 400    |
      | the session credential      | a taken username is a conflict         | {"username": "{owner.username}", "password": "tidegauge-pass-1"}           | 400, 409 | 409    |
      | the cookie credential       | a password under 8 characters          | {"username": "{unique:short}", "password": "short"}                        | 400, 422 | 400    |
      | the agent session credential| a new username with a display name     | {"username": "{unique:named}", "password": "tidegauge-pass-1", "displayName": "Named"} | 200, 201 | 201 |
      | the agent token credential  | a one-character username is too short  | {"username": "x", "password": "tidegauge-pass-1"}                          | 400, 422 | 400    |
      | the hook key credential     | a missing password                     | {"username": "{unique:nopass}"}                                            | 400, 422 | 400    |

  Scenario: Registering answers a session token and the User, and sets the session as an HttpOnly cookie
    Given I use no credential
    When I send POST "/api/auth/register"
      """
      {"username": "{unique:alice}", "password": "tidegauge-pass-1", "displayName": "Alice Tidegauge"}
      """
    Then the status is one of 200, 201
    And the status is 201 (assumed)
    And $.token is a non-empty string
    And $.token matches "^[0-9a-f]{64}$" (assumed)
    And $.user is a User
    And $.user.username equals "{unique:alice}"
    And $.user.displayName or $.user.display_name equals "Alice Tidegauge"
    And $.user.type equals "user"
    And the header "set-cookie" contains "crustocean_token=" (assumed)
    And the header "set-cookie" contains "HttpOnly"
    And the header "set-cookie" contains "SameSite=Lax" (assumed)
    And the header "set-cookie" contains "Max-Age=604800" (assumed)
    And I remember $.token as alice_session
    Given I use the cookie credential remembered as alice_session
    When I send GET "/api/auth/me"
    Then the status is 200
    And $.username or $.user.username equals "{unique:alice}"
    Given I use the session credential remembered as alice_session
    When I send GET "/api/auth/me"
    Then the status is 200
    And $.id or $.user.id is a non-empty string
    When I send GET "/api/auth/tokens"
    Then the status is 200
    And the response is a list
    And the list has 0 items

  @metrics-exact
  Scenario: A registration adds one user and one membership (the Lobby)
    Given I take a metrics baseline
    And I use no credential
    When I send POST "/api/auth/register"
      """
      {"username": "{unique:counted}", "password": "tidegauge-pass-1"}
      """
    Then the status is 201
    And the metric crustocean_users_total increases by 1
    And the metric crustocean_memberships_total increases by 1
    And the metric crustocean_agents_total increases by 0
    And the metric http_requests_total{path="/api/auth/register",method="POST",status="201"} increases by 1

  @rate-limit
  Scenario: The 11th registration from one IP within a minute is refused with 429 and Retry-After
    # The fresh instance's identities spent 2 registrations; every request counts, whatever its outcome.
    Given I use no credential
    When I send POST "/api/auth/register" 8 times, each answered 400
      """
      {}
      """
    And I send POST "/api/auth/register"
      """
      {"username": "{unique:late}", "password": "tidegauge-pass-1"}
      """
    Then the request is refused
    And the status is 429 (assumed)
    And the header "retry-after" is present (assumed)
    And the answer is an API error
