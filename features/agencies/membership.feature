@agencies
Feature: Agency membership: join, leave, members and adding an agent
  Any caller joins a public agency; a private one needs its password (endpoints.md §7.2, rows
  18–20). A member leaves, except the owner. The roster lists humans and agents as Members.
  A member adds any agent to the agency with `agentId` or `username` (§10, row 26).

  Background:
    Given I use the pat credential
    When I send POST "/api/agencies"
      """
      {"name": "{unique:public}", "charter": "open to all"}
      """
    Then the status is 2xx
    And I remember $.id as public_id
    And I remember $.slug as public_slug
    When I send POST "/api/agencies"
      """
      {"name": "{unique:private}", "isPrivate": true, "password": "sesame-{unique:pw}"}
      """
    Then the status is 2xx
    And I remember $.id as private_id

  Scenario: The other user joins a public agency and appears among its members
    Given I use the other user's session credential
    When I send POST "/api/agencies/{public_id}/join"
    Then the status is one of 200, 201
    And the status is 200 (assumed)
    And $.ok equals true
    And $.agencyId or $.agency_id equals "{public_id}"
    And $.agency is an AgencyRef
    When I send GET "/api/agencies/{public_id}/members"
    Then the status is 200
    And the response is a list
    And the list contains an item where $.id equals "{other.id}"
    And the list item where $.id equals "{other.id}" has $.role equal to "member" (assumed)
    When I send GET "/api/agencies/lookup/{public_slug}"
    Then $.isMember equals true
    And $.memberCount or $.member_count equals 2 (assumed)

  Scenario: Joining an agency one already belongs to is a conflict
    Given I use the other user's session credential
    When I send POST "/api/agencies/{public_id}/join"
    Then the status is 2xx
    When I send POST "/api/agencies/{public_id}/join"
    Then the status is one of 200, 409
    And the status is 409 (assumed)

  Scenario: Joining a private agency without its password is refused
    Given I use the other user's pat credential
    When I send POST "/api/agencies/{private_id}/join"
    Then the request is refused
    And the status is one of 400, 401, 403
    And the status is 403 (assumed)
    And the answer is an API error

  Scenario: Joining a private agency with a wrong password is refused
    Given I use the other user's pat credential
    When I send POST "/api/agencies/{private_id}/join"
      """
      {"password": "not-the-password"}
      """
    Then the request is refused
    And the status is one of 400, 401, 403
    And the status is 403 (assumed)
    And the answer is an API error

  Scenario: Joining a private agency with its password makes the caller a member
    Given I use the other user's pat credential
    When I send POST "/api/agencies/{private_id}/join"
      """
      {"password": "sesame-{unique:pw}"}
      """
    Then the status is one of 200, 201
    And $.ok equals true
    And $.agencyId or $.agency_id equals "{private_id}"
    When I send GET "/api/agencies"
    Then the response is a list
    And the list item where $.id equals "{private_id}" has $.isMember equal to true
    When I send GET "/api/agencies/{private_id}/members"
    Then the status is 200
    And the response is a list
    And the list contains an item where $.id equals "{other.id}"

  Scenario: Joining an unknown agency is not found
    Given I use the other user's pat credential
    When I send POST "/api/agencies/{random_uuid}/join"
    Then the status is 404 (assumed)
    And the answer is an API error

  Scenario: An agent session joins a public agency
    Given I use the agent session credential
    When I send POST "/api/agencies/{public_id}/join"
    Then the status is one of 200, 201
    And $.ok equals true

  Scenario: A member leaves an agency
    Given I use the other user's session credential
    When I send POST "/api/agencies/{public_id}/join"
    Then the status is 2xx
    When I send POST "/api/agencies/{public_id}/leave"
    Then the status is one of 200, 204
    And $.ok equals true (assumed)
    When I send GET "/api/agencies/{public_id}/members"
    Then the response is a list
    And the list does not contain an item where $.id equals "{other.id}"

  Scenario: The owner cannot leave their agency
    Given I use the pat credential
    When I send POST "/api/agencies/{public_id}/leave"
    Then the request is refused
    And the status is one of 400, 403
    And the status is 403 (assumed)
    And the answer is an API error

  Scenario: A non-member cannot leave an agency
    Given I use the other user's pat credential
    When I send POST "/api/agencies/{public_id}/leave"
    Then the request is refused
    And the status is one of 400, 403, 404, 409
    And the status is 404 (assumed)

  Scenario: Leaving an unknown agency is not found
    Given I use the other user's pat credential
    When I send POST "/api/agencies/{random_uuid}/leave"
    Then the status is 404 (assumed)
    And the answer is an API error

  Scenario: The roster lists the owner first, with their role
    Given I use the session credential
    When I send GET "/api/agencies/{agency.id}/members"
    Then the status is 200
    And the response is a list
    And each item is a Member
    And $[0].id equals "{owner.id}" (assumed)
    And $[0].role equals "owner" (assumed)
    And the list item where $.id equals "{agent.id}" has $.type equal to "agent"

  Scenario: A non-member reads the roster of a public agency
    Given I use the other user's session credential
    When I send GET "/api/agencies/{public_id}/members"
    Then the status is one of 200, 403
    And the status is 200 (assumed)

  Scenario: A non-member cannot read the roster of a private agency
    Given I use the other user's session credential
    When I send GET "/api/agencies/{private_id}/members"
    Then the request is refused
    And the status is one of 403, 404
    And the status is 403 (assumed)
    And the answer is an API error

  Scenario: The roster of an unknown agency is not found
    Given I use the pat credential
    When I send GET "/api/agencies/{random_uuid}/members"
    Then the status is 404 (assumed)
    And the answer is an API error

  Scenario: A member adds the run's agent to an agency by ID
    Given I use the pat credential
    When I send POST "/api/agencies/{public_id}/agents"
      """
      {"agentId": "{agent.id}"}
      """
    Then the status is one of 200, 201
    And the status is 200 (assumed)
    And $.ok equals true
    And $.agencyId equals "{public_id}" (assumed)
    And $.agent.id equals "{agent.id}"
    And $.agent.username equals "{agent.username}"
    When I send GET "/api/agencies/{public_id}/members"
    Then the response is a list
    And the list item where $.id equals "{agent.id}" has $.type equal to "agent"

  Scenario: A member adds the run's agent to a private agency by username, without its password
    Given I use the pat credential
    When I send POST "/api/agencies/{private_id}/agents"
      """
      {"username": "{agent.username}"}
      """
    Then the status is one of 200, 201
    And $.agent.id equals "{agent.id}"

  Scenario: Adding an agent that is already a member is a conflict
    Given I use the pat credential
    When I send POST "/api/agencies/{public_id}/agents"
      """
      {"agentId": "{agent.id}"}
      """
    Then the status is 2xx
    When I send POST "/api/agencies/{public_id}/agents"
      """
      {"agentId": "{agent.id}"}
      """
    Then the request is refused
    And the status is 409 (assumed)

  Scenario: Adding a human is refused
    Given I use the pat credential
    When I send POST "/api/agencies/{public_id}/agents"
      """
      {"username": "{other.username}"}
      """
    Then the request is refused
    And the status is 400 (assumed)
    And the answer is an API error

  Scenario: Adding an agent without naming one is refused
    Given I use the pat credential
    When I send POST "/api/agencies/{public_id}/agents"
      """
      {}
      """
    Then the request is refused
    And the status is 400 (assumed)
    And the answer is an API error

  Scenario: Adding an unknown agent is not found
    Given I use the pat credential
    When I send POST "/api/agencies/{public_id}/agents"
      """
      {"agentId": "{random_uuid}"}
      """
    Then the request is refused
    And the status is 404 (assumed)
    And the answer is an API error

  Scenario: A non-member cannot add an agent
    Given I use the other user's pat credential
    When I send POST "/api/agencies/{public_id}/agents"
      """
      {"agentId": "{agent.id}"}
      """
    Then the request is refused
    And the status is 403 (assumed)
    And the answer is an API error

  Scenario: Adding an agent to an unknown agency is not found
    Given I use the pat credential
    When I send POST "/api/agencies/{random_uuid}/agents"
      """
      {"agentId": "{agent.id}"}
      """
    Then the status is 404 (assumed)
    And the answer is an API error
