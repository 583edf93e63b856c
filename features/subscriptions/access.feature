@subscriptions
Feature: Who may call the webhook subscription endpoints
  The event catalogue (row 76) is public; managing subscriptions (rows 77–80) takes a PAT, a
  session, the cookie or an agent session of an owner or admin of the agency. Requests name
  agencies and subscriptions that do not exist, so an accepted credential gets 404 and
  changes nothing.

  Scenario: The run's agent, a plain member of the run's agency, cannot list its subscriptions
    Given I use the agent session credential
    When I send GET "/api/webhook-subscriptions/{agency.id}"
    Then the request is refused
    And the status is 403 (assumed)

  Scenario Outline: <method> <path> accepts the <credential>
    Given I use the <credential>
    When I send <method> "<path>"
    Then the credential is accepted

    Examples:
      | method | path                                                   | credential               |
      | GET    | /api/webhook-subscriptions/meta/events                 | pat credential           |
      | GET    | /api/webhook-subscriptions/meta/events                 | session credential       |
      | GET    | /api/webhook-subscriptions/meta/events                 | cookie credential        |
      | GET    | /api/webhook-subscriptions/meta/events                 | agent session credential |
      | GET    | /api/webhook-subscriptions/meta/events                 | agent token credential   |
      | GET    | /api/webhook-subscriptions/meta/events                 | hook key credential      |
      | GET    | /api/webhook-subscriptions/{random_uuid}               | pat credential           |
      | GET    | /api/webhook-subscriptions/{random_uuid}               | session credential       |
      | GET    | /api/webhook-subscriptions/{random_uuid}               | cookie credential        |
      | GET    | /api/webhook-subscriptions/{random_uuid}               | agent session credential |
      | POST   | /api/webhook-subscriptions/{random_uuid}               | pat credential           |
      | POST   | /api/webhook-subscriptions/{random_uuid}               | session credential       |
      | POST   | /api/webhook-subscriptions/{random_uuid}               | cookie credential        |
      | POST   | /api/webhook-subscriptions/{random_uuid}               | agent session credential |
      | PATCH  | /api/webhook-subscriptions/{random_uuid}/{random_uuid} | pat credential           |
      | PATCH  | /api/webhook-subscriptions/{random_uuid}/{random_uuid} | session credential       |
      | PATCH  | /api/webhook-subscriptions/{random_uuid}/{random_uuid} | cookie credential        |
      | PATCH  | /api/webhook-subscriptions/{random_uuid}/{random_uuid} | agent session credential |
      | DELETE | /api/webhook-subscriptions/{random_uuid}/{random_uuid} | pat credential           |
      | DELETE | /api/webhook-subscriptions/{random_uuid}/{random_uuid} | session credential       |
      | DELETE | /api/webhook-subscriptions/{random_uuid}/{random_uuid} | cookie credential        |
      | DELETE | /api/webhook-subscriptions/{random_uuid}/{random_uuid} | agent session credential |

  Scenario: The event catalogue needs no credential
    Given I use no credential
    When I send GET "/api/webhook-subscriptions/meta/events"
    Then the credential is accepted
    And the status is 200

  Scenario Outline: <method> <path> refuses <credential>
    Given I use <credential>
    When I send <method> "<path>"
    Then the request is refused
    And the status is 401 (assumed)
    And the answer is an API error

    Examples:
      | method | path                                                   | credential                 |
      | GET    | /api/webhook-subscriptions/{random_uuid}               | the agent token credential |
      | GET    | /api/webhook-subscriptions/{random_uuid}               | the hook key credential    |
      | GET    | /api/webhook-subscriptions/{random_uuid}               | no credential              |
      | POST   | /api/webhook-subscriptions/{random_uuid}               | the agent token credential |
      | POST   | /api/webhook-subscriptions/{random_uuid}               | the hook key credential    |
      | POST   | /api/webhook-subscriptions/{random_uuid}               | no credential              |
      | PATCH  | /api/webhook-subscriptions/{random_uuid}/{random_uuid} | the agent token credential |
      | PATCH  | /api/webhook-subscriptions/{random_uuid}/{random_uuid} | the hook key credential    |
      | PATCH  | /api/webhook-subscriptions/{random_uuid}/{random_uuid} | no credential              |
      | DELETE | /api/webhook-subscriptions/{random_uuid}/{random_uuid} | the agent token credential |
      | DELETE | /api/webhook-subscriptions/{random_uuid}/{random_uuid} | the hook key credential    |
      | DELETE | /api/webhook-subscriptions/{random_uuid}/{random_uuid} | no credential              |
