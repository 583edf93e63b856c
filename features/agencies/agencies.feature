@agencies
Feature: Agencies: list, create, update, delete and lookup
  An agency is a public or private chat room; its creator is its owner (endpoints.md §7, rows
  13–17). `GET /api/agencies` lists every public agency and the private ones the caller belongs
  to, each with `isMember`. A private agency needs a password. The Lobby (slug `lobby`) cannot
  be modified or deleted.

  Scenario: The owner lists agencies, each with its membership flag
    Given I use the pat credential
    When I send GET "/api/agencies"
    Then the status is 200
    And the response is a list
    And each item is an Agency
    And each item matches:
      """
      {"isMember": "#boolean"}
      """
    And the list item where $.id equals "{agency.id}" has $.isMember equal to true
    And $[0].slug equals "lobby" (assumed)

  Scenario: The owner creates a public agency
    Given I use the session credential
    When I send POST "/api/agencies"
      """
      {"name": "{unique:team}", "charter": "tidegauge public agency"}
      """
    Then the status is one of 200, 201
    And the status is 201 (assumed)
    And the response is an Agency
    And $.isPrivate or $.is_private equals false
    And $.ownerId equals "{owner.id}"
    And $.memberCount or $.member_count equals 1 (assumed)
    And $.isMember equals true
    And $.charter equals "tidegauge public agency"
    And $.type equals "agency" (assumed)
    And $.password is absent

  Scenario: The owner creates a private agency with a password, which is never returned
    Given I use the pat credential
    When I send POST "/api/agencies"
      """
      {"name": "{unique:team}", "isPrivate": true, "password": "sesame-{unique:pw}"}
      """
    Then the status is one of 200, 201
    And the response is an Agency
    And $.isPrivate or $.is_private equals true
    And $.password is absent
    And $.isMember equals true

  Scenario: The slug is derived from the name, lower-case and URL-safe
    Given I use the pat credential
    When I send POST "/api/agencies"
      """
      {"name": "My Team {unique:team}"}
      """
    Then the status is one of 200, 201
    And $.slug matches "^[a-z0-9-]+$"
    And $.slug matches "^my-team-tg-[a-z0-9]+(-[a-z0-9]+)*$" (assumed)
    And $.name equals "My Team {unique:team}"

  Scenario: The other user sees a public agency as a non-member and not a private one
    Given I use the pat credential
    When I send POST "/api/agencies"
      """
      {"name": "{unique:public}"}
      """
    Then the status is 2xx
    And I remember $.id as public_id
    When I send POST "/api/agencies"
      """
      {"name": "{unique:private}", "isPrivate": true, "password": "sesame-{unique:pw}"}
      """
    Then the status is 2xx
    And I remember $.id as private_id
    When I send GET "/api/agencies"
    Then the response is a list
    And the list item where $.id equals "{private_id}" has $.isMember equal to true
    Given I use the other user's session credential
    When I send GET "/api/agencies"
    Then the status is 200
    And the response is a list
    And the list item where $.id equals "{public_id}" has $.isMember equal to false
    And the list does not contain an item where $.id equals "{private_id}"

  Scenario: An agency without a name is refused
    Given I use the pat credential
    When I send POST "/api/agencies"
      """
      {"charter": "no name"}
      """
    Then the request is refused
    And the status is one of 400, 422
    And the status is 400 (assumed)
    And the answer is an API error

  Scenario: A private agency without a password is refused
    Given I use the pat credential
    When I send POST "/api/agencies"
      """
      {"name": "{unique:team}", "isPrivate": true}
      """
    Then the request is refused
    And the status is one of 400, 422
    And the status is 400 (assumed)
    And the answer is an API error

  Scenario: A name without a letter or digit gives no slug and is refused
    Given I use the pat credential
    When I send POST "/api/agencies"
      """
      {"name": "!!!"}
      """
    Then the status is 400 (assumed)

  Scenario: A body that is not JSON is refused
    Given I use the pat credential
    When I send POST "/api/agencies" with the raw body:
      """
      {not json
      """
    Then the status is 400 (assumed)

  Scenario: A second agency with the same name is refused as a duplicate
    Given I use the pat credential
    When I send POST "/api/agencies"
      """
      {"name": "{unique:team}"}
      """
    Then the status is 2xx
    When I send POST "/api/agencies"
      """
      {"name": "{unique:team}"}
      """
    Then the status is one of 201, 409
    And the status is 409 (assumed)

  Scenario: The owner updates the charter
    Given I use the pat credential
    When I send POST "/api/agencies"
      """
      {"name": "{unique:team}", "charter": "before"}
      """
    Then the status is 2xx
    And I remember $.id as agency_id
    When I send PATCH "/api/agencies/{agency_id}"
      """
      {"charter": "after {unique:team}"}
      """
    Then the status is 200
    And the response is an Agency
    And $.charter equals "after {unique:team}"
    And $.name equals "{unique:team}"

  Scenario: The owner makes an agency private, and the other user no longer sees it
    Given I use the pat credential
    When I send POST "/api/agencies"
      """
      {"name": "{unique:team}"}
      """
    Then the status is 2xx
    And I remember $.id as agency_id
    When I send PATCH "/api/agencies/{agency_id}"
      """
      {"isPrivate": true, "password": "sesame-{unique:pw}"}
      """
    Then the status is 200
    And $.isPrivate or $.is_private equals true
    And $.password is absent
    Given I use the other user's pat credential
    When I send GET "/api/agencies"
    Then the response is a list
    And the list does not contain an item where $.id equals "{agency_id}"

  Scenario: Making an agency private without any password is refused
    Given I use the pat credential
    When I send POST "/api/agencies"
      """
      {"name": "{unique:team}"}
      """
    Then the status is 2xx
    And I remember $.id as agency_id
    When I send PATCH "/api/agencies/{agency_id}"
      """
      {"isPrivate": true}
      """
    Then the request is refused
    And the status is 400 (assumed)

  Scenario: Someone other than the owner cannot update an agency
    Given I use the pat credential
    When I send POST "/api/agencies"
      """
      {"name": "{unique:team}"}
      """
    Then the status is 2xx
    And I remember $.id as agency_id
    Given I use the other user's session credential
    When I send PATCH "/api/agencies/{agency_id}"
      """
      {"charter": "taken over"}
      """
    Then the request is refused
    And the status is 403 (assumed)
    And the answer is an API error

  Scenario: The Lobby cannot be modified
    Given I use the pat credential
    When I send GET "/api/agencies/lookup/lobby"
    Then the status is 200
    And I remember $.id as lobby_id
    When I send PATCH "/api/agencies/{lobby_id}"
      """
      {"charter": "mine now"}
      """
    Then the request is refused
    And the status is one of 400, 403
    And the status is 403 (assumed)
    And the answer is an API error

  Scenario: Updating an unknown agency is not found
    Given I use the pat credential
    When I send PATCH "/api/agencies/{random_uuid}"
      """
      {"charter": "nobody"}
      """
    Then the status is 404 (assumed)
    And the answer is an API error

  Scenario: An invalid charter is refused
    Given I use the pat credential
    When I send POST "/api/agencies"
      """
      {"name": "{unique:team}"}
      """
    Then the status is 2xx
    And I remember $.id as agency_id
    When I send PATCH "/api/agencies/{agency_id}"
      """
      {"charter": 42}
      """
    Then the status is 400 (assumed)

  Scenario: The owner deletes an agency, which is then gone
    Given I use the pat credential
    When I send POST "/api/agencies"
      """
      {"name": "{unique:team}"}
      """
    Then the status is 2xx
    And I remember $.id as agency_id
    And I remember $.slug as agency_slug
    When I send DELETE "/api/agencies/{agency_id}"
    Then the status is one of 200, 204
    And $.ok equals true (assumed)
    When I send GET "/api/agencies/lookup/{agency_slug}"
    Then the status is 404 (assumed)
    When I send GET "/api/agencies"
    Then the response is a list
    And the list does not contain an item where $.id equals "{agency_id}"

  Scenario: Someone other than the owner cannot delete an agency
    Given I use the pat credential
    When I send POST "/api/agencies"
      """
      {"name": "{unique:team}"}
      """
    Then the status is 2xx
    And I remember $.id as agency_id
    Given I use the other user's cookie credential
    When I send DELETE "/api/agencies/{agency_id}"
    Then the request is refused
    And the status is 403 (assumed)
    And the answer is an API error

  Scenario: The Lobby cannot be deleted
    Given I use the pat credential
    When I send GET "/api/agencies/lookup/lobby"
    Then the status is 200
    And I remember $.id as lobby_id
    When I send DELETE "/api/agencies/{lobby_id}"
    Then the request is refused
    And the status is one of 400, 403
    And the status is 403 (assumed)
    And the answer is an API error

  Scenario: Deleting an unknown agency is not found
    Given I use the pat credential
    When I send DELETE "/api/agencies/{random_uuid}"
    Then the status is 404 (assumed)
    And the answer is an API error

  Scenario: Lookup by slug returns the agency with the caller's membership
    Given I use the pat credential
    When I send GET "/api/agencies/lookup/{agency.slug}"
    Then the status is 200
    And the response is an Agency
    And $.id equals "{agency.id}"
    And $.isMember equals true
    Given I use the other user's pat credential
    When I send GET "/api/agencies/lookup/{agency.slug}"
    Then the status is 200
    And $.isMember equals false

  Scenario: A non-member looks up a private agency by slug to join it
    Given I use the pat credential
    When I send POST "/api/agencies"
      """
      {"name": "{unique:private}", "isPrivate": true, "password": "sesame-{unique:pw}"}
      """
    Then the status is 2xx
    And I remember $.id as private_id
    And I remember $.slug as private_slug
    Given I use the other user's session credential
    When I send GET "/api/agencies/lookup/{private_slug}"
    Then the status is 200
    And $.id equals "{private_id}"
    And $.isMember equals false
    And $.password is absent

  Scenario: The Lobby is found by its slug
    Given I use the agent session credential
    When I send GET "/api/agencies/lookup/lobby"
    Then the status is 200
    And $.slug equals "lobby"
    And $.name equals "Lobby" (assumed)
    And $.ownerId equals null (assumed)

  Scenario: An unknown slug is not found
    Given I use the pat credential
    When I send GET "/api/agencies/lookup/no-such-agency-{run}"
    Then the status is 404 (assumed)
    And the answer is an API error
