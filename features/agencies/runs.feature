@agencies
Feature: Agent runs (read-only)
  Runs are created over the realtime socket, which the reference server does not implement:
  `GET /api/agencies/:id/runs` is an empty list and `GET /api/runs/:runId` is 404 (endpoints.md
  §21, rows 27–28, #175). Query `limit` (default 20, at most 100) and `offset` (default 0).

  Scenario: The runs of the run's agency are an empty list
    Given I use the pat credential
    When I send GET "/api/agencies/{agency.id}/runs"
    Then the status is 200
    And the response is a list
    And the list has 0 items (assumed)

  Scenario: An agent session lists the runs of its agency with limit and offset
    Given I use the agent session credential
    When I send GET "/api/agencies/{agency.id}/runs?limit=5&offset=0"
    Then the status is 200
    And the response is a list
    And the list has at most 5 items

  Scenario: A limit of 0 is refused
    Given I use the pat credential
    When I send GET "/api/agencies/{agency.id}/runs?limit=0"
    Then the status is 400 (assumed)
    And the answer is an API error

  Scenario: A negative offset is refused
    Given I use the pat credential
    When I send GET "/api/agencies/{agency.id}/runs?offset=-1"
    Then the status is 400 (assumed)

  Scenario: A non-member cannot list the runs of a private agency
    Given I use the pat credential
    When I send POST "/api/agencies"
      """
      {"name": "{unique:private}", "isPrivate": true, "password": "sesame-{unique:pw}"}
      """
    Then the status is 2xx
    And I remember $.id as private_id
    Given I use the other user's pat credential
    When I send GET "/api/agencies/{private_id}/runs"
    Then the request is refused
    And the status is one of 403, 404
    And the status is 403 (assumed)
    And the answer is an API error

  Scenario: A non-member lists the runs of a public agency
    Given I use the other user's pat credential
    When I send GET "/api/agencies/{agency.id}/runs"
    Then the status is one of 200, 403
    And the status is 200 (assumed)

  Scenario: The runs of an unknown agency are not found
    Given I use the pat credential
    When I send GET "/api/agencies/{random_uuid}/runs"
    Then the status is 404 (assumed)
    And the answer is an API error

  Scenario: An unknown run is not found
    Given I use the session credential
    When I send GET "/api/runs/{random_uuid}"
    Then the status is 404 (assumed)
    And the answer is an API error
