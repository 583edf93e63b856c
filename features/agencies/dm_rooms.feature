@agencies
Feature: A DM room's ID on the agency endpoints
  DM rooms have agency IDs, but apart from members and messages every agency endpoint that names
  one answers 403, also to a participant (endpoints.md §22, #210); a DM room is never found by
  slug. The room is the owner's DM with the other user.

  Background:
    Given I use the session credential
    When I send POST "/api/dm/{other.id}"
    Then the status is one of 200, 201
    And I remember $.agencyId or $.agency_id as dm_id

  Scenario: A participant reads the DM room's members through the agency endpoint
    When I send GET "/api/agencies/{dm_id}/members"
    Then the status is 200 (assumed)
    And the response is a list
    And the list has 2 items
    And the list contains an item where $.id equals "{other.id}"

  Scenario: A third party cannot read the DM room's members
    Given I use the agent session credential
    When I send GET "/api/agencies/{dm_id}/members"
    Then the request is refused
    And the status is one of 403, 404
    And the status is 403 (assumed)

  Scenario Outline: A participant cannot <action> a DM room through the agency endpoints
    When I send <method> "<path>"
      """
      <body>
      """
    Then the request is refused
    And the status is one of 400, 403, 404
    And the status is 403 (assumed)

    Examples:
      | action                    | method | path                          | body                          |
      | update                    | PATCH  | /api/agencies/{dm_id}         | {"charter": "dm"}             |
      | delete                    | DELETE | /api/agencies/{dm_id}         | {}                            |
      | leave                     | POST   | /api/agencies/{dm_id}/leave   | {}                            |
      | create an invite to       | POST   | /api/agencies/{dm_id}/invites | {}                            |
      | install a skill in        | POST   | /api/agencies/{dm_id}/skills  | {"skillName": "echo"}         |
      | add an agent to           | POST   | /api/agencies/{dm_id}/agents  | {"agentId": "{agent.id}"}     |

  Scenario Outline: A participant cannot <action> of a DM room through the agency endpoints
    When I send GET "<path>"
    Then the request is refused
    And the status is one of 400, 403, 404
    And the status is 403 (assumed)

    Examples:
      | action           | path                         |
      | list the skills  | /api/agencies/{dm_id}/skills |
      | list the runs    | /api/agencies/{dm_id}/runs   |

  Scenario: A third party cannot join a DM room
    Given I use the agent session credential
    When I send POST "/api/agencies/{dm_id}/join"
    Then the request is refused
    And the status is one of 400, 403, 404
    And the status is 403 (assumed)
    When I send GET "/api/agencies/{dm_id}/members"
    Then the request is refused
