@subscriptions
Feature: Webhook event subscriptions
  An agency's owners and admins subscribe URLs to platform events (endpoints.md §18.1, rows
  76–80): create (201, with the secret), list, update, delete. The event catalogue is public.
  Every scenario manages the subscriptions of an agency of its own, so that no event of other
  scenarios is delivered to them.

  Background:
    Given I use the pat credential
    When I send POST "/api/agencies"
      """
      {"name": "{unique:subs}"}
      """
    Then the status is one of 200, 201
    And I remember $.id as subs_agency

  Scenario: The event catalogue names all 14 events
    Given I use no credential
    When I send GET "/api/webhook-subscriptions/meta/events"
    Then the status is 200
    And the response is a list
    And the list has 14 items
    And the list contains an item where $ equals "message.created"
    And the list contains an item where $ equals "message.updated"
    And the list contains an item where $ equals "message.deleted"
    And the list contains an item where $ equals "member.joined"
    And the list contains an item where $ equals "member.left"
    And the list contains an item where $ equals "member.kicked"
    And the list contains an item where $ equals "member.banned"
    And the list contains an item where $ equals "member.unbanned"
    And the list contains an item where $ equals "member.promoted"
    And the list contains an item where $ equals "member.demoted"
    And the list contains an item where $ equals "agency.created"
    And the list contains an item where $ equals "agency.updated"
    And the list contains an item where $ equals "invite.created"
    And the list contains an item where $ equals "invite.redeemed"
    And the response matches:
      """
      {"events?": "#array", "description?": "#string"}
      """

  Scenario: Creating a subscription answers 201 with the subscription and its secret
    When I send POST "/api/webhook-subscriptions/{subs_agency}"
      """
      {"url": "https://example.com/tg/{run}/events", "events": ["message.created", "member.joined", "message.created"], "secret": "{unique:secret}", "description": "tidegauge"}
      """
    Then the status is 201
    And the response is a Subscription
    And $.url equals "https://example.com/tg/{run}/events"
    And $.agencyId or $.agency_id equals "{subs_agency}"
    And $.events contains "message.created"
    And $.events contains "member.joined"
    And $.events has length 2 (assumed)
    And $.enabled or $.active equals true
    And $.description equals "tidegauge"
    And $.secret equals "{unique:secret}" (assumed)

  Scenario: Subscriptions are listed, updated and deleted
    When I send POST "/api/webhook-subscriptions/{subs_agency}"
      """
      {"url": "https://example.com/tg/{run}/one", "events": ["member.joined"], "secret": "{unique:secret}"}
      """
    Then the status is 201
    And I remember $.id as first
    When I send POST "/api/webhook-subscriptions/{subs_agency}"
      """
      {"url": "https://example.com/tg/{run}/two", "events": ["invite.created"]}
      """
    Then the status is 201
    And I remember $.id as second
    When I send GET "/api/webhook-subscriptions/{subs_agency}"
    Then the status is 200
    And the response is a list
    And the list has 2 items
    And each item is a Subscription
    And the list contains an item where $.id equals "{first}"
    And the list contains an item where $.id equals "{second}"
    And the list is ordered by $.createdAt or $.created_at ascending (assumed)
    And each item matches:
      """
      {"secret?": "#notpresent"}
      """
    When I send PATCH "/api/webhook-subscriptions/{subs_agency}/{first}"
      """
      {"description": "updated by tidegauge", "enabled": false, "events": ["member.left", "invite.redeemed"]}
      """
    Then the status is 200
    And the response is a Subscription
    And $.id equals "{first}"
    And $.description equals "updated by tidegauge"
    And $.enabled or $.active equals false
    And $.events contains "invite.redeemed"
    And $.events does not contain "member.joined"
    When I send PATCH "/api/webhook-subscriptions/{subs_agency}/{first}"
      """
      {"active": true}
      """
    Then the status is 200
    And $.enabled or $.active equals true (assumed)
    When I send DELETE "/api/webhook-subscriptions/{subs_agency}/{first}"
    Then the status is one of 200, 204
    And the status is 200 (assumed)
    And $.ok equals true (assumed)
    When I send GET "/api/webhook-subscriptions/{subs_agency}"
    Then the response is a list
    And the list has 1 item
    And the list does not contain an item where $.id equals "{first}"
    When I send DELETE "/api/webhook-subscriptions/{subs_agency}/{first}"
    Then the request is refused
    And the status is 404 (assumed)
    And the answer is an API error

  Scenario Outline: A subscription with <fault> is refused
    When I send POST "/api/webhook-subscriptions/{subs_agency}" with the raw body:
      """
      <body>
      """
    Then the request is refused
    And the status is one of 400, 422
    And the status is 400 (assumed)
    And the answer is an API error

    Examples:
      | fault                 | body                                                                              |
      | an unknown event      | {"url": "https://example.com/tg/{run}/x", "events": ["message.exploded"]}         |
      | no events             | {"url": "https://example.com/tg/{run}/x", "events": []}                           |
      | events not an array   | {"url": "https://example.com/tg/{run}/x", "events": "message.created"}            |
      | no events field       | {"url": "https://example.com/tg/{run}/x"}                                         |
      | no url                | {"events": ["message.created"]}                                                   |
      | a relative url        | {"url": "/tg/{run}/x", "events": ["message.created"]}                             |
      | an ftp url            | {"url": "ftp://example.com/tg/{run}/x", "events": ["message.created"]}            |
      | an empty secret       | {"url": "https://example.com/tg/{run}/x", "events": ["message.created"], "secret": ""} |

  Scenario: An update with an unknown event is refused and changes nothing
    When I send POST "/api/webhook-subscriptions/{subs_agency}"
      """
      {"url": "https://example.com/tg/{run}/patched", "events": ["member.joined"]}
      """
    Then the status is 201
    And I remember $.id as sub_id
    When I send PATCH "/api/webhook-subscriptions/{subs_agency}/{sub_id}"
      """
      {"events": ["member.vanished"]}
      """
    Then the request is refused
    And the status is one of 400, 422
    And the status is 400 (assumed)
    And the answer is an API error
    When I send GET "/api/webhook-subscriptions/{subs_agency}"
    Then the response is a list
    And the list contains an item where $.events[0] equals "member.joined"

  Scenario Outline: <who> cannot manage the agency's subscriptions
    When I send POST "/api/webhook-subscriptions/{subs_agency}"
      """
      {"url": "https://example.com/tg/{run}/guarded", "events": ["member.joined"]}
      """
    Then the status is 201
    And I remember $.id as sub_id
    Given I use <credential>
    When I send GET "/api/webhook-subscriptions/{subs_agency}"
    Then the request is refused
    And the status is 403 (assumed)
    And the answer is an API error
    When I send POST "/api/webhook-subscriptions/{subs_agency}"
      """
      {"url": "https://example.com/tg/{run}/intruder", "events": ["member.joined"]}
      """
    Then the request is refused
    And the status is 403 (assumed)
    When I send PATCH "/api/webhook-subscriptions/{subs_agency}/{sub_id}"
      """
      {"enabled": false}
      """
    Then the request is refused
    And the status is 403 (assumed)
    When I send DELETE "/api/webhook-subscriptions/{subs_agency}/{sub_id}"
    Then the request is refused
    And the status is 403 (assumed)
    Given I use the pat credential
    When I send GET "/api/webhook-subscriptions/{subs_agency}"
    Then the response is a list
    And the list contains an item where $.id equals "{sub_id}"
    And the list contains an item where $.enabled or $.active equals true

    Examples:
      | who                            | credential                        |
      | A user who is not a member     | the other user's pat credential   |
      | A member who is not an admin   | the agent session credential      |

  Scenario Outline: <method> on an unknown <what> is not found
    When I send <method> "<path>"
      """
      {"url": "https://example.com/tg/{run}/nowhere", "events": ["member.joined"]}
      """
    Then the request is refused
    And the status is 404 (assumed)
    And the answer is an API error

    Examples:
      | what         | method | path                                                    |
      | agency       | GET    | /api/webhook-subscriptions/{random_uuid}                |
      | agency       | POST   | /api/webhook-subscriptions/{random_uuid}                |
      | agency       | PATCH  | /api/webhook-subscriptions/{random_uuid}/{random_uuid}  |
      | agency       | DELETE | /api/webhook-subscriptions/{random_uuid}/{random_uuid}  |
      | subscription | PATCH  | /api/webhook-subscriptions/{subs_agency}/{random_uuid}  |
      | subscription | DELETE | /api/webhook-subscriptions/{subs_agency}/{random_uuid}  |

  Scenario: A DM room cannot have subscriptions
    Given I use the agent session credential
    When I send POST "/api/dm/{owner.id}"
    Then the status is one of 200, 201
    And I remember $.agencyId or $.agency_id as room_id
    Given I use the pat credential
    When I send POST "/api/webhook-subscriptions/{room_id}"
      """
      {"url": "https://example.com/tg/{run}/dm", "events": ["message.created"]}
      """
    Then the request is refused
    And the status is one of 400, 403, 404
    And the status is 403 (assumed)
    When I send GET "/api/webhook-subscriptions/{room_id}"
    Then the request is refused
    And the status is 403 (assumed)
