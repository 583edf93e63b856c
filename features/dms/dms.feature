@dms
Feature: Direct messages
  A DM is a hidden room with exactly two members (endpoints.md §22, rows 29, 30, 32, 33):
  `POST /api/dm/:userId` opens it (201 new, 200 existing), `GET /api/dm` lists the caller's
  visible DMs, `DELETE /api/dm/:agencyId` hides one for the caller only and
  `POST /api/dm/:agencyId/purge` deletes its messages for both participants.
  Each scenario uses its own pair of participants, so that hiding in one scenario never
  changes what another one lists.

  Scenario: Opening a DM with a new user creates the room, opening it again returns the same room
    Given I use the pat credential
    When I send POST "/api/agents"
      """
      {"name": "{agent_name:peer}"}
      """
    Then the status is one of 200, 201
    And I remember $.agent.id as peer_id
    When I send POST "/api/dm/{peer_id}"
    Then the status is one of 200, 201
    And the status is 201 (assumed)
    And $.agencyId or $.agency_id is a non-empty string
    And $.participant is a UserRef
    And $.participant.id equals "{peer_id}"
    And I remember $.agencyId or $.agency_id as room_id
    When I send POST "/api/dm/{peer_id}"
    Then the status is one of 200, 201
    And the status is 200 (assumed)
    And $.agencyId or $.agency_id equals "{room_id}"

  Scenario: The DM list shows the caller's conversations with their participant
    Given I use the pat credential
    When I send POST "/api/agents"
      """
      {"name": "{agent_name:listed}"}
      """
    Then the status is one of 200, 201
    And I remember $.agent.id as peer_id
    When I send POST "/api/dm/{peer_id}"
    Then the status is one of 200, 201
    And I remember $.agencyId or $.agency_id as room_id
    When I send GET "/api/dm"
    Then the status is 200
    And the response is a list
    And each item is a DmConversation
    And the list contains an item where $.agencyId or $.agency_id equals "{room_id}"
    And the list contains an item where $.participant.id equals "{peer_id}"
    And $ is an array (assumed)

  Scenario: Hiding a DM removes it from the caller's list only, and opening it again brings it back
    Given I use the other user's session credential
    When I send POST "/api/dm/{agent.id}"
    Then the status is one of 200, 201
    And I remember $.agencyId or $.agency_id as room_id
    When I send DELETE "/api/dm/{room_id}"
    Then the status is one of 200, 204
    And the status is 200 (assumed)
    And $.ok equals true (assumed)
    When I send GET "/api/dm"
    Then the status is 200
    And the response is a list
    And the list does not contain an item where $.agencyId or $.agency_id equals "{room_id}"
    Given I use the agent session credential
    When I send GET "/api/dm"
    Then the status is 200
    And the response is a list
    And the list contains an item where $.agencyId or $.agency_id equals "{room_id}"
    Given I use the other user's session credential
    When I send POST "/api/dm/{agent.id}"
    Then the status is one of 200, 201
    And the status is 200 (assumed)
    And $.agencyId or $.agency_id equals "{room_id}"
    When I send GET "/api/dm"
    Then the response is a list
    And the list contains an item where $.agencyId or $.agency_id equals "{room_id}"

  Scenario: Purging a DM answers with the number of deleted messages
    Given I use the pat credential
    When I send POST "/api/agents"
      """
      {"name": "{agent_name:purged}"}
      """
    Then the status is one of 200, 201
    And I remember $.agent.id as peer_id
    When I send POST "/api/dm/{peer_id}"
    Then the status is one of 200, 201
    And I remember $.agencyId or $.agency_id as room_id
    When I send POST "/api/dm/{room_id}/purge"
    Then the status is one of 200, 204
    And the status is 200 (assumed)
    And $.ok equals true (assumed)
    And $.deleted equals 0 (assumed)
    When I send GET "/api/dm"
    Then the response is a list
    And the list contains an item where $.agencyId or $.agency_id equals "{room_id}"

  Scenario: Someone who is not a participant can neither hide nor purge a DM
    Given I use the pat credential
    When I send POST "/api/agents"
      """
      {"name": "{agent_name:private}"}
      """
    Then the status is one of 200, 201
    And I remember $.agent.id as peer_id
    When I send POST "/api/dm/{peer_id}"
    Then the status is one of 200, 201
    And I remember $.agencyId or $.agency_id as room_id
    Given I use the other user's pat credential
    When I send DELETE "/api/dm/{room_id}"
    Then the request is refused
    And the status is one of 403, 404
    And the status is 403 (assumed)
    And the answer is an API error
    When I send POST "/api/dm/{room_id}/purge"
    Then the request is refused
    And the status is one of 403, 404
    And the status is 403 (assumed)
    And the answer is an API error
    When I send GET "/api/dm"
    Then the response is a list
    And the list does not contain an item where $.agencyId or $.agency_id equals "{room_id}"

  Scenario: A DM with oneself is refused
    Given I use the pat credential
    When I send POST "/api/dm/{owner.id}"
    Then the request is refused
    And the status is one of 400, 403, 409
    And the status is 400 (assumed)
    And the answer is an API error

  Scenario: A DM with an unknown user is not found
    Given I use the pat credential
    When I send POST "/api/dm/{random_uuid}"
    Then the status is 404 (assumed)
    And the answer is an API error

  Scenario Outline: <method> <path> on a conversation that does not exist is not found
    Given I use the pat credential
    When I send <method> "<path>"
    Then the request is refused
    And the status is 404 (assumed)
    And the answer is an API error

    Examples:
      | method | path                            |
      | DELETE | /api/dm/{random_uuid}           |
      | POST   | /api/dm/{random_uuid}/purge     |
      | DELETE | /api/dm/{agency.id}             |
      | POST   | /api/dm/{agency.id}/purge       |

  Scenario Outline: <method> <path> accepts the <credential>
    Given I use the <credential>
    When I send <method> "<path>"
    Then the credential is accepted

    Examples:
      | method | path                        | credential               |
      | GET    | /api/dm                     | pat credential           |
      | GET    | /api/dm                     | session credential       |
      | GET    | /api/dm                     | cookie credential        |
      | GET    | /api/dm                     | agent session credential |
      | POST   | /api/dm/{random_uuid}       | pat credential           |
      | POST   | /api/dm/{random_uuid}       | session credential       |
      | POST   | /api/dm/{random_uuid}       | cookie credential        |
      | POST   | /api/dm/{random_uuid}       | agent session credential |
      | DELETE | /api/dm/{random_uuid}       | pat credential           |
      | DELETE | /api/dm/{random_uuid}       | session credential       |
      | DELETE | /api/dm/{random_uuid}       | cookie credential        |
      | DELETE | /api/dm/{random_uuid}       | agent session credential |
      | POST   | /api/dm/{random_uuid}/purge | pat credential           |
      | POST   | /api/dm/{random_uuid}/purge | session credential       |
      | POST   | /api/dm/{random_uuid}/purge | cookie credential        |
      | POST   | /api/dm/{random_uuid}/purge | agent session credential |

  Scenario Outline: <method> <path> refuses <credential>
    Given I use <credential>
    When I send <method> "<path>"
    Then the request is refused (assumed)
    And the status is 401 (assumed)
    And the answer is an API error

    Examples:
      | method | path                        | credential                 |
      | GET    | /api/dm                     | the agent token credential |
      | GET    | /api/dm                     | the hook key credential    |
      | GET    | /api/dm                     | no credential              |
      | POST   | /api/dm/{random_uuid}       | the agent token credential |
      | POST   | /api/dm/{random_uuid}       | the hook key credential    |
      | POST   | /api/dm/{random_uuid}       | no credential              |
      | DELETE | /api/dm/{random_uuid}       | the agent token credential |
      | DELETE | /api/dm/{random_uuid}       | the hook key credential    |
      | DELETE | /api/dm/{random_uuid}       | no credential              |
      | POST   | /api/dm/{random_uuid}/purge | the agent token credential |
      | POST   | /api/dm/{random_uuid}/purge | the hook key credential    |
      | POST   | /api/dm/{random_uuid}/purge | no credential              |

  @metrics-exact
  Scenario: Opening a new DM adds one room and two memberships to the gauges
    Given I use the pat credential
    And I take a metrics baseline
    When I send POST "/api/dm/{other.id}"
    Then the status is 201 (assumed)
    And the metric crustocean_agencies_total increases by 1
    And the metric crustocean_memberships_total increases by 2
    And the metric crustocean_messages_total increases by 0

  @metrics-exact
  Scenario: Opening an existing DM or hiding it leaves the gauges unchanged
    Given I use the pat credential
    When I send POST "/api/dm/{other.id}"
    Then the status is 201 (assumed)
    And I remember $.agencyId or $.agency_id as room_id
    Given I take a metrics baseline
    When I send POST "/api/dm/{other.id}"
    Then the status is 200 (assumed)
    When I send DELETE "/api/dm/{room_id}"
    Then the status is 200 (assumed)
    And the metric crustocean_agencies_total increases by 0
    And the metric crustocean_memberships_total increases by 0
    And the metric http_requests_total{method="GET",path="/api/dm",status="200"} increases by 0
