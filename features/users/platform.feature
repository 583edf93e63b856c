@users
Feature: Capabilities, wallet lookups, platform commands and the caller's wallet
  Public reads of the platform (endpoints.md §14, §23, rows 52–54) and the caller's wallet
  (row 55). The reference server has no wallets (§3.15).

  Scenario: The capabilities name the five features the SDK reads
    Given I use no credential
    When I send GET "/api/explore/capabilities"
    Then the status is 200
    And the response matches:
      """
      {"wallets": "#boolean", "network": "##string", "token": "##string", "x402": "#boolean", "hookTransparency": "#boolean"}
      """
    And the response matches:
      """
      {"wallets?": false, "network?": "#null", "token?": "USDC", "x402?": false, "hookTransparency?": true}
      """

  Scenario: A user's wallet address is looked up by username
    Given I use no credential
    When I send GET "/api/explore/wallet/{owner.username}"
    Then the status is 200
    And the response matches:
      """
      {"username": "#string", "address": "#present"}
      """
    And $.username equals "{owner.username}"
    And $.address is a null (assumed)

  Scenario: An agent's wallet is looked up like a user's
    Given I use no credential
    When I send GET "/api/explore/wallet/{agent.username}"
    Then the status is 200
    And $.username equals "{agent.username}"

  Scenario: The wallet of an unknown user is not found
    Given I use no credential
    When I send GET "/api/explore/wallet/{unique:nobody}"
    Then the request is refused
    And the status is 404 (assumed)
    And the answer is an API error

  Scenario: The platform's built-in commands are listed
    Given I use no credential
    When I send GET "/api/commands"
    Then the status is 200
    And the response is a list
    And each item is a PlatformCommand
    And the list has at least 1 item
    And $ is an array (assumed)
    And the list has 15 items (assumed)
    And the list contains an item where $.name equals "help" (assumed)
    And the list contains an item where $.name equals "agency" (assumed)
    And each item matches:
      """
      {"type?": "builtin"}
      """

  Scenario: The caller's wallet info says whether there is a wallet
    Given I use the pat credential
    When I send GET "/api/wallet"
    Then the status is 200
    And the response is a WalletInfo
    And $.hasWallet equals false (assumed)
    And the response matches:
      """
      {"address?": "#null", "network?": "#null", "balances?": "#null", "explorer?": "#null", "spendingConfig?": "#null"}
      """

  Scenario: An agent reads its own wallet info
    Given I use the agent session credential
    When I send GET "/api/wallet"
    Then the status is 200
    And the response is a WalletInfo

  Scenario Outline: <path> ignores the <credential>
    Given I use <credential>
    When I send GET "<path>"
    Then the credential is accepted
    And the status is 200

    Examples:
      | path                                | credential                       |
      | /api/explore/capabilities           | the pat credential               |
      | /api/explore/capabilities           | the session credential           |
      | /api/explore/capabilities           | the cookie credential            |
      | /api/explore/capabilities           | the agent session credential     |
      | /api/explore/capabilities           | the agent token credential       |
      | /api/explore/capabilities           | the hook key credential          |
      | /api/explore/capabilities           | no credential                    |
      | /api/explore/capabilities           | a malformed session credential   |
      | /api/explore/wallet/{owner.username} | the pat credential              |
      | /api/explore/wallet/{owner.username} | the session credential          |
      | /api/explore/wallet/{owner.username} | the cookie credential           |
      | /api/explore/wallet/{owner.username} | the agent session credential    |
      | /api/explore/wallet/{owner.username} | the agent token credential      |
      | /api/explore/wallet/{owner.username} | the hook key credential         |
      | /api/explore/wallet/{owner.username} | no credential                   |
      | /api/explore/wallet/{owner.username} | a malformed pat credential      |
      | /api/commands                       | the pat credential               |
      | /api/commands                       | the session credential           |
      | /api/commands                       | the cookie credential            |
      | /api/commands                       | the agent session credential     |
      | /api/commands                       | the agent token credential       |
      | /api/commands                       | the hook key credential          |
      | /api/commands                       | no credential                    |
      | /api/commands                       | a malformed cookie credential    |

  Scenario Outline: GET /api/wallet accepts the <credential>
    Given I use the <credential>
    When I send GET "/api/wallet"
    Then the credential is accepted
    And the status is 200

    Examples:
      | credential               |
      | pat credential           |
      | session credential       |
      | cookie credential        |
      | agent session credential |

  Scenario Outline: GET /api/wallet refuses <credential>
    Given I use <credential>
    When I send GET "/api/wallet"
    Then the request is refused
    And the status is 401 (assumed)
    And the answer is an API error

    Examples:
      | credential                     |
      | the agent token credential     |
      | the hook key credential        |
      | no credential                  |
      | a malformed pat credential     |
      | a revoked pat credential       |

  @metrics-exact
  Scenario: A wallet read moves the HTTP metrics of its route by one
    Given I use the pat credential
    And I take a metrics baseline
    When I send GET "/api/wallet"
    Then the status is 200
    And the metric http_requests_total{method="GET",path="/api/wallet",status="200"} increases by 1
    And the metric http_request_duration_seconds_count{method="GET",path="/api/wallet"} increases by 1
    And the metric db_query_duration_seconds_count increases by 1
    And the metric crustocean_users_total increases by 0

  @metrics-exact
  Scenario: A refused wallet read is counted under its status
    Given I use no credential
    And I take a metrics baseline
    When I send GET "/api/wallet"
    Then the status is 401 (assumed)
    And the metric http_requests_total{method="GET",path="/api/wallet",status="401"} increases by 1
    And the metric http_requests_total{method="GET",path="/api/wallet",status="200"} increases by 0
