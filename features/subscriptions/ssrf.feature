@subscriptions
Feature: Subscription URLs must be public
  The SSRF guard (endpoints.md §20) refuses subscription URLs that point at localhost,
  private, loopback or link-local addresses with 400 (assumptions.md #168: 400 or 422; a 2xx
  is a failure, the docs say such URLs are rejected). Each scenario runs on a fresh instance
  without the private-URL allowance.

  @ssrf-default
  Scenario Outline: A subscription to <url> is refused
    Given I use the pat credential
    When I send POST "/api/webhook-subscriptions/{agency.id}"
      """
      {"url": "<url>", "events": ["message.created"]}
      """
    Then the request is refused
    And the status is one of 400, 422
    And the status is 400 (assumed)
    And the answer is an API error

    Examples:
      | url                        |
      | http://127.0.0.1/          |
      | http://localhost/          |
      | http://10.0.0.1/           |
      | http://192.168.1.1/        |
      | http://169.254.169.254/    |
      | http://[::1]/              |

  @ssrf-default
  Scenario: Moving a subscription to a private URL is refused and keeps the old URL
    Given I use the pat credential
    When I send POST "/api/webhook-subscriptions/{agency.id}"
      """
      {"url": "https://93.184.215.14/tg/{run}/public", "events": ["message.created"]}
      """
    Then the status is 201
    And I remember $.id as sub_id
    When I send PATCH "/api/webhook-subscriptions/{agency.id}/{sub_id}"
      """
      {"url": "http://169.254.169.254/latest/meta-data"}
      """
    Then the request is refused
    And the status is one of 400, 422
    And the status is 400 (assumed)
    When I send GET "/api/webhook-subscriptions/{agency.id}"
    Then the response is a list
    And the list contains an item where $.url equals "https://93.184.215.14/tg/{run}/public"
