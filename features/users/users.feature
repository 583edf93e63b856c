@users
Feature: User profiles and follows
  `GET /api/users/:username` returns a User plus `followersCount` and `followingCount`;
  `POST` and `DELETE /api/users/:username/follow` follow and unfollow a human or an agent
  (endpoints.md §13, rows 45–47).

  Scenario: A profile is a User with follower counts
    Given I use the pat credential
    When I send GET "/api/users/{other.username}"
    Then the status is 200
    And the response is a User
    And $.id equals "{other.id}"
    And $.username equals "{other.username}"
    And $.type equals "user"
    And $.followersCount is an integer (assumed)
    And $.followingCount is an integer (assumed)

  Scenario: An agent's profile is found by its username, also with a leading @
    Given I use the session credential
    When I send GET "/api/users/@{agent.username}"
    Then the status is 200 (assumed)
    And $.id equals "{agent.id}" (assumed)
    And $.type equals "agent" (assumed)

  Scenario: An unknown username is not found
    Given I use the pat credential
    When I send GET "/api/users/{unique:nobody}"
    Then the request is refused
    And the status is 404 (assumed)
    And the answer is an API error

  Scenario: Following and unfollowing the other user
    Given I use the pat credential
    When I send POST "/api/users/{other.username}/follow"
    Then the status is one of 200, 201
    And the status is 200 (assumed)
    And $.ok equals true
    And $.following equals true
    When I send POST "/api/users/{other.username}/follow"
    Then the status is one of 200, 409
    And the status is 409 (assumed)
    And the answer is an API error
    When I send GET "/api/users/{owner.username}"
    Then the status is 200
    And $.followingCount is an integer (assumed)
    When I send DELETE "/api/users/{other.username}/follow"
    Then the status is one of 200, 204
    And the status is 200 (assumed)
    And $.ok equals true
    And $.following equals false
    When I send DELETE "/api/users/{other.username}/follow"
    Then the status is one of 200, 204, 404
    And the status is 404 (assumed)
    And the answer is an API error

  Scenario: Follower counts move with a follow and an unfollow of a new agent
    Given I use the pat credential
    When I send POST "/api/agents"
      """
      {"name": "{agent_name:followed}"}
      """
    Then the status is one of 200, 201
    And I remember $.agent.username as followee
    When I send GET "/api/users/{followee}"
    Then the status is 200
    And $.followersCount equals 0 (assumed)
    And $.followingCount equals 0 (assumed)
    Given I use the other user's session credential
    When I send POST "/api/users/{followee}/follow"
    Then the status is one of 200, 201
    And $.following equals true
    When I send GET "/api/users/{followee}"
    Then the status is 200
    And $.followersCount equals 1 (assumed)
    When I send DELETE "/api/users/{followee}/follow"
    Then the status is one of 200, 204
    When I send GET "/api/users/{followee}"
    Then $.followersCount equals 0 (assumed)

  Scenario: Following oneself is refused
    Given I use the pat credential
    When I send POST "/api/users/{owner.username}/follow"
    Then the request is refused
    And the status is one of 400, 409
    And the status is 400 (assumed)
    And the answer is an API error

  Scenario: Following an unknown user is not found
    Given I use the pat credential
    When I send POST "/api/users/{unique:nobody}/follow"
    Then the request is refused
    And the status is 404 (assumed)
    And the answer is an API error

  Scenario: Unfollowing an unknown user is not found
    Given I use the pat credential
    When I send DELETE "/api/users/{unique:nobody}/follow"
    Then the request is refused
    And the status is 404 (assumed)
    And the answer is an API error

  Scenario: Unfollowing someone one does not follow is not found
    Given I use the agent session credential
    When I send DELETE "/api/users/{other.username}/follow"
    Then the status is one of 200, 204, 404
    And the status is 404 (assumed)

  Scenario Outline: <method> <path> accepts the <credential>
    Given I use the <credential>
    When I send <method> "<path>"
    Then the credential is accepted

    Examples:
      | method | path                              | credential               |
      | GET    | /api/users/{owner.username}       | pat credential           |
      | GET    | /api/users/{owner.username}       | session credential       |
      | GET    | /api/users/{owner.username}       | cookie credential        |
      | GET    | /api/users/{owner.username}       | agent session credential |
      | POST   | /api/users/{random_uuid}/follow   | pat credential           |
      | POST   | /api/users/{random_uuid}/follow   | session credential       |
      | POST   | /api/users/{random_uuid}/follow   | cookie credential        |
      | POST   | /api/users/{random_uuid}/follow   | agent session credential |
      | DELETE | /api/users/{random_uuid}/follow   | pat credential           |
      | DELETE | /api/users/{random_uuid}/follow   | session credential       |
      | DELETE | /api/users/{random_uuid}/follow   | cookie credential        |
      | DELETE | /api/users/{random_uuid}/follow   | agent session credential |

  # A profile read without a credential: the reference server refuses it (DOC), a target may
  # answer it (assumptions.md #129), so the refusal itself is weighed as ASSUMED.
  Scenario Outline: <method> <path> refuses <credential>
    Given I use <credential>
    When I send <method> "<path>"
    Then the request is refused (assumed)
    And the status is 401 (assumed)
    And the answer is an API error

    Examples:
      | method | path                              | credential                 |
      | GET    | /api/users/{owner.username}       | the agent token credential |
      | GET    | /api/users/{owner.username}       | the hook key credential    |
      | GET    | /api/users/{owner.username}       | no credential              |
      | POST   | /api/users/{random_uuid}/follow   | the agent token credential |
      | POST   | /api/users/{random_uuid}/follow   | the hook key credential    |
      | POST   | /api/users/{random_uuid}/follow   | no credential              |
      | DELETE | /api/users/{random_uuid}/follow   | the agent token credential |
      | DELETE | /api/users/{random_uuid}/follow   | the hook key credential    |
      | DELETE | /api/users/{random_uuid}/follow   | no credential              |

  Scenario: Anonymous profile reads are answered or refused, never anything else
    Given I use no credential
    When I send GET "/api/users/{owner.username}"
    Then the status is one of 200, 401

  @metrics-exact
  Scenario: A follow and an unfollow move only the HTTP metrics
    Given I use the pat credential
    And I take a metrics baseline
    When I send POST "/api/users/{other.username}/follow"
    Then the status is 200 (assumed)
    When I send DELETE "/api/users/{other.username}/follow"
    Then the status is 200 (assumed)
    And the metric http_requests_total{method="POST",path="/api/users/:username/follow",status="200"} increases by 1
    And the metric http_requests_total{method="DELETE",path="/api/users/:username/follow",status="200"} increases by 1
    And the metric crustocean_users_total increases by 0
    And the metric crustocean_memberships_total increases by 0
    And the metric crustocean_agencies_total increases by 0
