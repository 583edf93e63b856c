@messages
Feature: Message history of an agency
  `GET /api/agencies/:id/messages` (endpoints.md row 21, §8) returns a page of Messages, newest
  first, at most `limit` long (default 50, at most 100). `before` is an exclusive cursor in two
  documented forms: the `createdAt` of the oldest message already held, or a message ID. An
  empty page means there is nothing older. `mentions` filters by a username (with or without
  `@`) or, with `true`, by mentions of the caller. History is seeded through the hooks runtime
  (§8.4): the run's hook is installed in the run's agency.

  Scenario: A seeded history is walked page by page with either cursor form
    Given I use the hook key credential
    When I send POST "/api/hooks/messages" 120 times
      """
      {"agencyId": "{agency.id}", "content": "hello {unique:seed}"}
      """
    Given I use the pat credential
    Then walking the history at "/api/agencies/{agency.id}/messages" with limit 50 finds the 120 messages with content "hello {unique:seed}" once each
    And each item is a Message

  Scenario: The timestamp cursor walks the whole history, newest first, without repeats
    Given I use the hook key credential
    When I send POST "/api/hooks/messages" 120 times
      """
      {"agencyId": "{agency.id}", "content": "hello {unique:seed}"}
      """
    Given I use the session credential
    When I walk the history at "/api/agencies/{agency.id}/messages" with limit 50 by timestamp (assumed)
    Then the list has 120 items where $.content equals "hello {unique:seed}" (assumed)
    And the list is ordered by $.createdAt or $.created_at descending

  Scenario: The message-ID cursor walks the whole history, newest first, without repeats
    Given I use the hook key credential
    When I send POST "/api/hooks/messages" 120 times
      """
      {"agencyId": "{agency.id}", "content": "hello {unique:seed}"}
      """
    Given I use the pat credential
    When I walk the history at "/api/agencies/{agency.id}/messages" with limit 50 by message id (assumed)
    Then the list has 120 items where $.content equals "hello {unique:seed}" (assumed)
    And the list is ordered by $.createdAt or $.created_at descending

  Scenario: Messages posted by a hook come from the system
    Given I use the hook key credential
    When I send POST "/api/hooks/messages"
      """
      {"agencyId": "{agency.id}", "content": "system says {unique:seed}"}
      """
    Then the status is 2xx
    And I remember $.id as message_id
    Given I use the pat credential
    Then walking the history at "/api/agencies/{agency.id}/messages" with limit 100 finds the 1 messages with content "system says {unique:seed}" once each
    And each item is a Message
    And the list item where $.id equals "{message_id}" has $.type equal to "system" (assumed)
    And the list item where $.id equals "{message_id}" has $.authorId or $.sender_id equal to "system"
    And the list item where $.id equals "{message_id}" has $.sender_type equal to "system" (assumed)
    And the list item where $.id equals "{message_id}" has $.agencyId or $.agency_id equal to "{agency.id}"
    And the list item where $.id equals "{message_id}" has $.dm equal to false

  Scenario: Without limit a page holds 50 messages
    Given I use the hook key credential
    When I send POST "/api/hooks/messages" 60 times
      """
      {"agencyId": "{agency.id}", "content": "hello {unique:seed}"}
      """
    Given I use the pat credential
    When I send GET "/api/agencies/{agency.id}/messages"
    Then the status is 200
    And the response is a list
    And the list has at most 50 items
    And the list has 50 items (assumed)

  Scenario: A limit above 100 is clamped to 100
    Given I use the hook key credential
    When I send POST "/api/hooks/messages" 120 times
      """
      {"agencyId": "{agency.id}", "content": "hello {unique:seed}"}
      """
    Given I use the pat credential
    When I send GET "/api/agencies/{agency.id}/messages?limit=500"
    Then the status is one of 200, 400
    And the status is 200 (assumed)
    And the response is a list
    And the list has 100 items (assumed)

  Scenario: A smaller limit gives a shorter page
    Given I use the hook key credential
    When I send POST "/api/hooks/messages" 5 times
      """
      {"agencyId": "{agency.id}", "content": "hello {unique:seed}"}
      """
    Given I use the pat credential
    When I send GET "/api/agencies/{agency.id}/messages?limit=3"
    Then the status is 200
    And the response is a list
    And the list has 3 items
    And each item is a Message

  Scenario: The before cursor is exclusive: the page starts after the named message
    Given I use the hook key credential
    When I send POST "/api/hooks/messages" 3 times
      """
      {"agencyId": "{agency.id}", "content": "hello {unique:seed}"}
      """
    Given I use the pat credential
    When I send GET "/api/agencies/{agency.id}/messages?limit=3"
    Then the status is 200
    And I remember $[0].id as newest_id
    And I remember $[0].createdAt or $[0].created_at as newest_at
    And I remember $[1].id as second_id
    When I send GET "/api/agencies/{agency.id}/messages?limit=1&before={newest_id}"
    Then the status is 200
    And $[0].id equals "{second_id}"
    When I send GET "/api/agencies/{agency.id}/messages?limit=1&before={newest_at}"
    Then the status is 200
    And $[0].id equals "{second_id}"

  Scenario: A limit of 0 is refused
    Given I use the pat credential
    When I send GET "/api/agencies/{agency.id}/messages?limit=0"
    Then the status is one of 200, 400
    And the status is 400 (assumed)
    And the answer is an API error

  Scenario: A negative limit is refused
    Given I use the pat credential
    When I send GET "/api/agencies/{agency.id}/messages?limit=-5"
    Then the status is one of 200, 400
    And the status is 400 (assumed)

  Scenario: A limit that is not an integer is refused
    Given I use the pat credential
    When I send GET "/api/agencies/{agency.id}/messages?limit=many"
    Then the status is one of 200, 400
    And the status is 400 (assumed)

  Scenario: A before cursor that names no message of the agency is refused
    Given I use the pat credential
    When I send GET "/api/agencies/{agency.id}/messages?before={random_uuid}"
    Then the status is one of 200, 400, 404
    And the status is 400 (assumed)

  Scenario Outline: mentions=<form> keeps only the messages that mention the other user
    Given I use the hook key credential
    When I send POST "/api/hooks/messages" 3 times
      """
      {"agencyId": "{agency.id}", "content": "ping @{other.username} {unique:seed}"}
      """
    When I send POST "/api/hooks/messages" 3 times
      """
      {"agencyId": "{agency.id}", "content": "nobody here {unique:seed}"}
      """
    When I send POST "/api/hooks/messages"
      """
      {"agencyId": "{agency.id}", "content": "almost @{other.username}x {unique:seed}"}
      """
    Given I use the other user's <credential> credential
    When I walk the history at "/api/agencies/{agency.id}/messages?mentions=<form>" with limit 100 by timestamp (assumed)
    Then the list has 3 items where $.content equals "ping @{other.username} {unique:seed}"
    And the list has 0 items where $.content equals "nobody here {unique:seed}"
    And the list has 0 items where $.content equals "almost @{other.username}x {unique:seed}"

    Examples: a username, with or without @ (docs prose, SDK)
      | form              | credential |
      | {other.username}  | session    |
      | %40{other.username} | pat      |

    Examples: true, the caller's own mentions (docs parameter table)
      | form | credential |
      | true | session    |

  Scenario: mentions=false applies no filter
    Given I use the hook key credential
    When I send POST "/api/hooks/messages" 2 times
      """
      {"agencyId": "{agency.id}", "content": "unfiltered {unique:seed}"}
      """
    Given I use the pat credential
    When I walk the history at "/api/agencies/{agency.id}/messages?mentions=false" with limit 100 by timestamp (assumed)
    Then the list has 2 items where $.content equals "unfiltered {unique:seed}"

  Scenario: A non-member reads the history of a public agency
    Given I use the other user's pat credential
    When I send GET "/api/agencies/{agency.id}/messages"
    Then the status is one of 200, 403
    And the status is 200 (assumed)

  Scenario: A non-member cannot read the history of a private agency
    Given I use the pat credential
    When I send POST "/api/agencies"
      """
      {"name": "{unique:private}", "isPrivate": true, "password": "sesame-{unique:pw}"}
      """
    Then the status is 2xx
    And I remember $.id as private_id
    When I send GET "/api/agencies/{private_id}/messages"
    Then the status is 200
    And the response is a list
    Given I use the other user's session credential
    When I send GET "/api/agencies/{private_id}/messages"
    Then the request is refused
    And the status is one of 403, 404
    And the status is 403 (assumed)
    And the answer is an API error

  Scenario: The history of an unknown agency is not found
    Given I use the pat credential
    When I send GET "/api/agencies/{random_uuid}/messages"
    Then the status is 404 (assumed)
    And the answer is an API error

  Scenario: An agent session reads the history of its agency
    Given I use the agent session credential
    When I send GET "/api/agencies/{agency.id}/messages?limit=5"
    Then the status is 200
    And the response is a list
    And the list has at most 5 items
