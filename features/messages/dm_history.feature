@messages
Feature: Message history of a direct-message room
  `GET /api/dm/:agencyId/messages` (endpoints.md row 31, §8, §22) pages a DM room's history like
  an agency's, for its two participants only. The room's ID on `GET /api/agencies/:id/messages`
  behaves as for a private agency whose members are the two participants (#210). A DM is opened
  with `POST /api/dm/:userId`.

  Background:
    Given I use the session credential
    When I send POST "/api/dm/{other.id}"
    Then the status is one of 200, 201
    And I remember $.agencyId or $.agency_id as dm_id

  Scenario Outline: A participant reads the DM history (<credential>)
    Given I use <credential> credential
    When I send GET "/api/dm/{dm_id}/messages"
    Then the status is 200
    And the response is a list
    And the list has at most 50 items
    And each item is a Message
    And each item matches:
      """
      {"dm": true}
      """

    Examples:
      | credential                 |
      | the pat                    |
      | the cookie                 |
      | the other user's session   |
      | the other user's pat       |

  Scenario: A participant pages the DM history with the timestamp cursor
    Given I use the other user's session credential
    When I walk the history at "/api/dm/{dm_id}/messages" with limit 20 by timestamp (assumed)
    Then the list has at most 1000 items

  Scenario: A participant pages the DM history with the message-ID cursor
    Given I use the session credential
    When I walk the history at "/api/dm/{dm_id}/messages" with limit 20 by message id (assumed)
    Then the list has at most 1000 items

  Scenario: A third party cannot read the DM history
    Given I use the agent session credential
    When I send GET "/api/dm/{dm_id}/messages"
    Then the request is refused
    And the status is one of 403, 404
    And the status is 403 (assumed)
    And the answer is an API error

  Scenario Outline: A participant reads the DM room's history through the agency endpoint (<credential>)
    Given I use <credential> credential
    When I send GET "/api/agencies/{dm_id}/messages"
    Then the status is 200 (assumed)
    And the response is a list

    Examples:
      | credential                 |
      | the session                |
      | the other user's cookie    |

  Scenario: A third party cannot read the DM room's history through the agency endpoint
    Given I use the agent session credential
    When I send GET "/api/agencies/{dm_id}/messages"
    Then the request is refused
    And the status is one of 403, 404
    And the status is 403 (assumed)
    And the answer is an API error

  Scenario: The DM history route does not serve an agency that is not a DM
    Given I use the pat credential
    When I send GET "/api/dm/{agency.id}/messages"
    Then the request is refused
    And the status is 404 (assumed)
    And the answer is an API error

  Scenario: The history of an unknown DM is not found
    Given I use the pat credential
    When I send GET "/api/dm/{random_uuid}/messages"
    Then the status is 404 (assumed)
    And the answer is an API error

  Scenario: A limit of 0 on the DM history is refused
    Given I use the pat credential
    When I send GET "/api/dm/{dm_id}/messages?limit=0"
    Then the status is one of 200, 400
    And the status is 400 (assumed)

  Scenario: A DM room never appears in the agency list
    Given I use the other user's pat credential
    When I send GET "/api/agencies"
    Then the status is 200
    And the response is a list
    And the list does not contain an item where $.id equals "{dm_id}" (assumed)
