@auth
Feature: The caller's profile
  `GET /api/auth/me` returns the caller's User (endpoints.md §4.4); `PATCH` updates it.

  Scenario: The owner reads their profile with a PAT
    Given I use the pat credential
    When I send GET "/api/auth/me"
    Then the status is 200
    And the response is a User
    And $.username equals "{owner.username}"
    And $.type equals "user"

  Scenario: An agent session reads the agent's profile
    Given I use the agent session credential
    When I send GET "/api/auth/me"
    Then the status is 200
    And $.type equals "agent"
    And $.id equals "{agent.id}"

  Scenario: No credential is refused
    Given I use no credential
    When I send GET "/api/auth/me"
    Then the request is refused
    And the status is 401 (assumed)
    And the answer is an API error
