@users
Feature: Explore lists
  The public directory (endpoints.md §14, rows 48–51): agencies, agents, users and
  installable webhooks, each with `q`, `limit` (default 20, 1–100, clamped above 100) and
  `offset`. The credential is optional: a valid one identifies the caller, one that does not
  resolve is answered as anonymous, never 401 (credentials.md §1 point 4, assumptions.md #132).
  The official CLI reads nothing but the `webhooks` key of `GET /api/explore/webhooks`, so
  that wrapper is required; for the other lists a bare array or the wrapper is accepted.

  Scenario: Public agencies are listed, wrapped as "agencies"
    Given I use the pat credential
    When I send GET "/api/explore/agencies"
    Then the status is 200
    And the response is a list
    And the list has at most 20 items
    And each item is an Agency
    And each item matches:
      """
      {"isPrivate|is_private": false}
      """
    And the response is a list wrapped as "agencies"

  Scenario: An authenticated caller sees whether they are a member
    Given I use the pat credential
    When I send GET "/api/explore/agencies?q={agency.slug}"
    Then the status is 200
    And the response is a list
    And the list contains an item where $.id equals "{agency.id}"
    And the list contains an item where $.isMember equals true (assumed)

  Scenario: An anonymous caller gets the agencies without membership flags
    Given I use no credential
    When I send GET "/api/explore/agencies?q={agency.slug}"
    Then the status is 200
    And the response is a list
    And the list contains an item where $.id equals "{agency.id}"
    And each item matches:
      """
      {"isMember?": "#notpresent"}
      """

  Scenario: Private agencies are never listed
    Given I use the pat credential
    When I send POST "/api/agencies"
      """
      {"name": "{unique:hidden}", "isPrivate": true, "password": "tidegauge-secret"}
      """
    Then the status is one of 200, 201
    And I remember $.id as hidden_id
    When I send GET "/api/explore/agencies?q={unique:hidden}"
    Then the status is 200
    And the response is a list
    And the list does not contain an item where $.id equals "{hidden_id}"

  Scenario: Agencies are paged with limit and offset, and pages do not overlap
    Given I use the pat credential
    When I send POST "/api/agencies"
      """
      {"name": "{unique:page}x one"}
      """
    Then the status is one of 200, 201
    When I send POST "/api/agencies"
      """
      {"name": "{unique:page}x two"}
      """
    Then the status is one of 200, 201
    When I send POST "/api/agencies"
      """
      {"name": "{unique:page}x three"}
      """
    Then the status is one of 200, 201
    When I send GET "/api/explore/agencies?q={unique:page}x"
    Then the status is 200
    And the response is a list
    And the list has 3 items
    When I send GET "/api/explore/agencies?q={unique:page}x&limit=2&offset=0"
    Then the status is 200
    And the response is a list
    And the list has 2 items
    And I remember $.agencies[0].id or $[0].id as first
    And I remember $.agencies[1].id or $[1].id as second
    When I send GET "/api/explore/agencies?q={unique:page}x&limit=2&offset=2"
    Then the status is 200
    And the response is a list
    And the list has 1 item
    And the list does not contain an item where $.id equals "{first}"
    And the list does not contain an item where $.id equals "{second}"

  Scenario: Agents and users are searched with q and paged with limit and offset
    Given I use the pat credential
    When I send POST "/api/agents"
      """
      {"name": "{agent_name:pg}x1"}
      """
    Then the status is one of 200, 201
    When I send POST "/api/agents"
      """
      {"name": "{agent_name:pg}x2"}
      """
    Then the status is one of 200, 201
    When I send POST "/api/agents"
      """
      {"name": "{agent_name:pg}x3"}
      """
    Then the status is one of 200, 201
    When I send GET "/api/explore/agents?q={agent_name:pg}x"
    Then the status is 200
    And the response is a list
    And the list has 3 items
    And each item is an AgentCard
    And the response is a list wrapped as "agents"
    When I send GET "/api/explore/agents?q={agent_name:pg}x&limit=2"
    Then the response is a list
    And the list has 2 items
    And I remember $.agents[0].id or $[0].id as first
    And I remember $.agents[1].id or $[1].id as second
    When I send GET "/api/explore/agents?q={agent_name:pg}x&limit=2&offset=2"
    Then the response is a list
    And the list has 1 item
    And the list does not contain an item where $.id equals "{first}"
    And the list does not contain an item where $.id equals "{second}"
    When I send GET "/api/explore/users?q={agent_name:pg}x"
    Then the status is 200
    And the response is a list
    And the list has 3 items
    And each item is a UserCard
    And each item matches:
      """
      {"type": "agent"}
      """
    And the response is a list wrapped as "users"
    When I send GET "/api/explore/users?q={agent_name:pg}x&limit=2"
    Then the response is a list
    And the list has 2 items
    And I remember $.users[0].id or $[0].id as first_user
    And I remember $.users[1].id or $[1].id as second_user
    When I send GET "/api/explore/users?q={agent_name:pg}x&limit=2&offset=2"
    Then the response is a list
    And the list has 1 item
    And the list does not contain an item where $.id equals "{first_user}"
    And the list does not contain an item where $.id equals "{second_user}"

  Scenario: The run's users are found by the run prefix
    Given I use no credential
    When I send GET "/api/explore/users?q=tg_{run}&limit=100"
    Then the status is 200
    And the response is a list
    And the list contains an item where $.id equals "{owner.id}"
    And the list contains an item where $.id equals "{other.id}"
    And each item is a UserCard

  Scenario: The run's agent is listed among the agents
    Given I use the agent session credential
    When I send GET "/api/explore/agents?q={agent.username}"
    Then the status is 200
    And the response is a list
    And the list contains an item where $.id equals "{agent.id}"

  Scenario: Installable webhooks are listed wrapped as "webhooks", and a disabled hook is hidden
    Given I use the pat credential
    When I send POST "/api/agencies"
      """
      {"name": "{unique:hooks}"}
      """
    Then the status is one of 200, 201
    And I remember $.id as hooks_agency
    When I send POST "/api/custom-commands/{hooks_agency}/commands"
      """
      {"name": "{unique:hooks}", "webhookUrl": "https://example.com/tg/{run}/explore", "creator": "@{owner.username}", "description": "tidegauge explore",
       "explore_metadata": {"slug": "tg-{run}-explore", "at_name": "tg{run}explore", "creator": "@{owner.username}", "display_name": "{unique:hooks} hook", "description": "{unique:hooks} hook"}}
      """
    Then the status is one of 200, 201
    And I remember $.hook_id as hook_id
    Given I use no credential
    When I send GET "/api/explore/webhooks?q={unique:hooks}"
    Then the status is 200
    And the response is a list wrapped as "webhooks"
    And each item is a Hook
    And the list contains an item where $.slug equals "tg-{run}-explore"
    And the list contains an item where $.id equals "{hook_id}"
    Given I use the pat credential
    When I send PATCH "/api/hooks/by-id/{hook_id}"
      """
      {"enabled": false}
      """
    Then the status is 200
    Given I use no credential
    When I send GET "/api/explore/webhooks?q={unique:hooks}"
    Then the status is 200
    And the response is a list wrapped as "webhooks"
    And the list does not contain an item where $.id equals "{hook_id}"

  Scenario: The webhooks list is wrapped as "webhooks" for every caller
    Given I use the session credential
    When I send GET "/api/explore/webhooks"
    Then the status is 200
    And the response is a list wrapped as "webhooks"
    And the list has at most 20 items
    And each item matches:
      """
      {"enabled": true, "slug": "#string"}
      """

  Scenario Outline: A limit above 100 on <path> is clamped
    Given I use no credential
    When I send GET "<path>?limit=1000"
    Then the status is 200 (assumed)
    And the response is a list
    And the list has at most 100 items

    Examples:
      | path                  |
      | /api/explore/agencies |
      | /api/explore/agents   |
      | /api/explore/users    |
      | /api/explore/webhooks |

  Scenario Outline: <path> refuses the query <query>
    Given I use the pat credential
    When I send GET "<path>?<query>"
    Then the request is refused
    And the status is one of 400, 422
    And the status is 400 (assumed)
    And the answer is an API error

    Examples:
      | path                  | query       |
      | /api/explore/agencies | limit=0     |
      | /api/explore/agencies | limit=abc   |
      | /api/explore/agencies | offset=-1   |
      | /api/explore/agents   | limit=0     |
      | /api/explore/agents   | offset=x    |
      | /api/explore/users    | limit=-5    |
      | /api/explore/users    | offset=-1   |
      | /api/explore/webhooks | limit=0     |
      | /api/explore/webhooks | offset=1.5  |

  Scenario Outline: <path> answers the <credential>
    Given I use the <credential>
    When I send GET "<path>"
    Then the credential is accepted
    And the status is 200

    Examples:
      | path                  | credential               |
      | /api/explore/agencies | pat credential           |
      | /api/explore/agencies | session credential       |
      | /api/explore/agencies | cookie credential        |
      | /api/explore/agencies | agent session credential |
      | /api/explore/agents   | pat credential           |
      | /api/explore/agents   | session credential       |
      | /api/explore/agents   | cookie credential        |
      | /api/explore/agents   | agent session credential |
      | /api/explore/users    | pat credential           |
      | /api/explore/users    | session credential       |
      | /api/explore/users    | cookie credential        |
      | /api/explore/users    | agent session credential |
      | /api/explore/webhooks | pat credential           |
      | /api/explore/webhooks | session credential       |
      | /api/explore/webhooks | cookie credential        |
      | /api/explore/webhooks | agent session credential |

  Scenario Outline: <path> answers an anonymous caller
    Given I use no credential
    When I send GET "<path>"
    Then the status is 200

    Examples:
      | path                  |
      | /api/explore/agencies |
      | /api/explore/agents   |
      | /api/explore/users    |
      | /api/explore/webhooks |

  # A credential that does not resolve is treated as none: answered as anonymous, never 401
  # (assumptions.md #132: the harness accepts 200 or 401, the reference server answers 200).
  Scenario Outline: <path> answers <credential> as anonymous
    Given I use <credential>
    When I send GET "<path>"
    Then the status is one of 200, 401
    And the status is 200 (assumed)

    Examples:
      | path                  | credential                    |
      | /api/explore/agencies | the agent token credential    |
      | /api/explore/agencies | the hook key credential       |
      | /api/explore/agencies | a malformed pat credential    |
      | /api/explore/agencies | a malformed session credential |
      | /api/explore/agencies | a malformed cookie credential |
      | /api/explore/agencies | a revoked pat credential      |
      | /api/explore/agents   | the agent token credential    |
      | /api/explore/agents   | the hook key credential       |
      | /api/explore/agents   | a malformed session credential |
      | /api/explore/users    | the agent token credential    |
      | /api/explore/users    | the hook key credential       |
      | /api/explore/users    | a malformed pat credential    |
      | /api/explore/webhooks | the agent token credential    |
      | /api/explore/webhooks | the hook key credential       |
      | /api/explore/webhooks | a malformed cookie credential |
