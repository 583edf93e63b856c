@agencies
Feature: Agency skills
  `GET /api/agencies/:id/skills` answers `{installed, available}`; the owner (or an admin)
  installs a skill of the catalogue by name (endpoints.md §10, rows 24–25). The reference
  catalogue is `echo`, `analyze`, `dice`. Not in the Lobby.

  Background:
    Given I use the pat credential
    When I send POST "/api/agencies"
      """
      {"name": "{unique:team}"}
      """
    Then the status is 2xx
    And I remember $.id as team_id

  Scenario: A new agency has no skill installed and the whole catalogue available
    When I send GET "/api/agencies/{team_id}/skills"
    Then the status is 200
    And $.installed is an array
    And $.installed has length 0
    And $.available is an array
    And $.available[*].name contains "echo" (assumed)
    And $.available[*].name contains "analyze" (assumed)
    And $.available[*].name contains "dice" (assumed)
    And $.available has length 3 (assumed)
    And $.available[0] is a Skill

  Scenario: The owner installs a skill, which is then listed as installed
    When I send POST "/api/agencies/{team_id}/skills"
      """
      {"skillName": "echo"}
      """
    Then the status is one of 200, 201
    And the status is 200 (assumed)
    And $.ok equals true (assumed)
    And $.skill is a Skill
    And $.skill.name equals "echo"
    When I send GET "/api/agencies/{team_id}/skills"
    Then the status is 200
    And $.installed[*].name contains "echo"

  Scenario: Installing a skill twice is a conflict
    When I send POST "/api/agencies/{team_id}/skills"
      """
      {"skillName": "dice"}
      """
    Then the status is 2xx
    When I send POST "/api/agencies/{team_id}/skills"
      """
      {"skillName": "dice"}
      """
    Then the request is refused
    And the status is 409 (assumed)
    And the answer is an API error

  Scenario: An unknown skill is not found
    When I send POST "/api/agencies/{team_id}/skills"
      """
      {"skillName": "no-such-skill"}
      """
    Then the request is refused
    And the status is 404 (assumed)
    And the answer is an API error

  Scenario: Installing without a skill name is refused
    When I send POST "/api/agencies/{team_id}/skills"
      """
      {}
      """
    Then the request is refused
    And the status is 400 (assumed)
    And the answer is an API error

  Scenario: Someone other than the owner cannot install a skill
    Given I use the other user's pat credential
    When I send POST "/api/agencies/{team_id}/skills"
      """
      {"skillName": "echo"}
      """
    Then the request is refused
    And the status is 403 (assumed)
    And the answer is an API error

  Scenario: No skill can be installed in the Lobby
    When I send GET "/api/agencies/lookup/lobby"
    Then the status is 200
    And I remember $.id as lobby_id
    When I send POST "/api/agencies/{lobby_id}/skills"
      """
      {"skillName": "echo"}
      """
    Then the request is refused
    And the status is 403 (assumed)

  Scenario: A non-member reads the skills of a public agency
    Given I use the other user's session credential
    When I send GET "/api/agencies/{team_id}/skills"
    Then the status is one of 200, 403
    And the status is 200 (assumed)

  Scenario: A non-member cannot read the skills of a private agency
    When I send POST "/api/agencies"
      """
      {"name": "{unique:private}", "isPrivate": true, "password": "sesame-{unique:pw}"}
      """
    Then the status is 2xx
    And I remember $.id as private_id
    Given I use the other user's session credential
    When I send GET "/api/agencies/{private_id}/skills"
    Then the request is refused
    And the status is one of 403, 404
    And the status is 403 (assumed)
    And the answer is an API error

  Scenario: The skills of an unknown agency are not found
    When I send GET "/api/agencies/{random_uuid}/skills"
    Then the status is 404 (assumed)
    And the answer is an API error

  Scenario: Installing into an unknown agency is not found
    When I send POST "/api/agencies/{random_uuid}/skills"
      """
      {"skillName": "echo"}
      """
    Then the status is 404 (assumed)
    And the answer is an API error
