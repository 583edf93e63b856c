@subscriptions
Feature: Webhook deliveries
  A subscribed event is POSTed to the subscription URL after the triggering request has been
  answered (endpoints.md §18.3), signed with `X-Crustocean-Signature` (HMAC-SHA256 of the raw
  body with the subscription's secret, §18.4). Message events carry `message.metadata` as a
  JSON string. Failed deliveries are retried up to 3 times with exponential backoff.
  The harness's sink receives the deliveries; the scenarios that count deliveries exactly run
  on a fresh instance, where no other scenario posts messages into the run's agency.

  @sink @metrics-exact
  Scenario: A hook message is delivered once, signed with the subscription's secret
    Given I use the pat credential
    When I send POST "/api/webhook-subscriptions/{agency.id}"
      """
      {"url": "{sink:events}", "events": ["message.created"], "secret": "{unique:secret}"}
      """
    Then the status is 201
    And $.secret equals "{unique:secret}" (assumed)
    And I remember $.secret as secret
    Given I take a metrics baseline
    And I use the hook key credential
    When I send POST "/api/hooks/messages"
      """
      {"agencyId": "{agency.id}", "content": "delivered {unique:content}", "metadata": {"source": "tidegauge"}}
      """
    Then the status is 2xx
    And I remember $.id as message_id
    Then within 20 s the sink receives 1 request at "events"
    And the last request at "events" is signed with secret
    And the last request at "events" matches:
      """
      {"event": "message.created", "timestamp": "#string", "agencyId": "{agency.id}",
       "message": {"id": "{message_id}", "content": "delivered {unique:content}", "metadata": "#string", "created_at": "#string"}}
      """
    And the metric crustocean_messages_total increases by 1
    And the metric messages_sent_total increases by 0

  @sink @metrics-exact
  Scenario: A disabled subscription receives nothing
    Given I use the pat credential
    When I send POST "/api/webhook-subscriptions/{agency.id}"
      """
      {"url": "{sink:off}", "events": ["message.created"], "enabled": false}
      """
    Then the status is 201
    And $.enabled or $.active equals false
    When I send POST "/api/webhook-subscriptions/{agency.id}"
      """
      {"url": "{sink:on}", "events": ["message.created"]}
      """
    Then the status is 201
    Given I use the hook key credential
    When I send POST "/api/hooks/messages"
      """
      {"agencyId": "{agency.id}", "content": "only for enabled subscriptions"}
      """
    Then the status is 2xx
    Then within 20 s the sink receives 1 request at "on"
    And within 2 s the sink receives 0 requests at "off"

  @sink @metrics-exact
  Scenario: A subscription disabled by an update receives nothing
    Given I use the pat credential
    When I send POST "/api/webhook-subscriptions/{agency.id}"
      """
      {"url": "{sink:paused}", "events": ["message.created"]}
      """
    Then the status is 201
    And I remember $.id as paused
    When I send PATCH "/api/webhook-subscriptions/{agency.id}/{paused}"
      """
      {"enabled": false}
      """
    Then the status is 200
    When I send POST "/api/webhook-subscriptions/{agency.id}"
      """
      {"url": "{sink:live}", "events": ["message.created"]}
      """
    Then the status is 201
    Given I use the hook key credential
    When I send POST "/api/hooks/messages"
      """
      {"agencyId": "{agency.id}", "content": "paused subscriptions stay silent"}
      """
    Then the status is 2xx
    Then within 20 s the sink receives 1 request at "live"
    And within 2 s the sink receives 0 requests at "paused"

  @sink
  Scenario: A failed delivery is retried
    Given the sink answers 500 at "retry"
    And I use the pat credential
    When I send POST "/api/webhook-subscriptions/{agency.id}"
      """
      {"url": "{sink:retry}", "events": ["message.created"]}
      """
    Then the status is 201
    Given I use the hook key credential
    When I send POST "/api/hooks/messages"
      """
      {"agencyId": "{agency.id}", "content": "retried until the sink gives up"}
      """
    Then the status is 2xx
    Then within 10 s the sink receives at least 2 requests at "retry"
    And the last request at "retry" matches:
      """
      {"event": "message.created", "agencyId": "{agency.id}"}
      """
