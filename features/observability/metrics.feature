@observability
Feature: Metrics, the JSON snapshot and health
  `GET /metrics` (Prometheus text) and `GET /metrics/json` (the snapshot of metrics.md §6) at
  the host root are protected by the metrics key, sent as `X-Metrics-Key` or as `?key=`
  (metrics.md §1.1); Bearer credentials, cookies and hook keys play no part. A missing or wrong
  key is refused (a 200 is a failure, the docs say the endpoint is protected), with 401 JSON on
  the reference server. `GET /health` needs nothing (metrics.md §8).

  Scenario: The exposition is served with the metrics key in the header
    Given I use the metrics key credential
    When I send GET "/metrics"
    Then the status is 200
    And the header "content-type" contains "text/plain"
    And the header "content-type" equals "text/plain; version=0.0.4; charset=utf-8" (assumed)

  Scenario: The exposition refuses a request without a key
    Given I use no credential
    When I send GET "/metrics"
    Then the request is refused
    And the status is 401 (assumed)
    And the header "content-type" contains "application/json" (assumed)
    And $.error is a non-empty string (assumed)

  Scenario: The exposition refuses a wrong key in the query
    Given I use no credential
    When I send GET "/metrics?key={random_uuid}"
    Then the request is refused
    And the status is 401 (assumed)
    And $.error is a non-empty string (assumed)

  Scenario: The exposition refuses a wrong key in the header
    Given I use no credential
    And the request header "X-Metrics-Key" is "{random_uuid}"
    When I send GET "/metrics"
    Then the request is refused
    And the status is 401 (assumed)
    And $.error is a non-empty string (assumed)

  Scenario: The snapshot is served with the metrics key in the header
    Given I use the metrics key credential
    When I send GET "/metrics/json"
    Then the status is 200 (assumed)
    And the header "content-type" contains "application/json" (assumed)
    And $.generated_at is a datetime (assumed)
    And $.uptime_seconds is a number (assumed)

  Scenario: The snapshot holds every documented metric family in its documented form
    Given I use the metrics key credential
    When I send GET "/metrics/json"
    Then the status is 200 (assumed)
    And the response matches:
      """
      {
        "generated_at?": "#datetime",
        "uptime_seconds?": "#number",
        "gauges_cached_at?": "#datetime",
        "http_requests_total?": "#array",
        "socket_connections_total?": "#number",
        "messages_sent_total?": "#array",
        "agent_responses_total?": "#array",
        "agent_registrations_total?": "#number",
        "claim_emails_total?": "#array",
        "claims_completed_total?": "#number",
        "claims_expired_total?": "#number",
        "socket_events_errors_total?": "#number",
        "agent_queue_fallback_total?": "#number",
        "crustocean_users_total?": "#number",
        "crustocean_agents_total?": "#number",
        "crustocean_agents_unclaimed?": "#number",
        "crustocean_agencies_total?": "#number",
        "crustocean_messages_total?": "#number",
        "crustocean_memberships_total?": "#number",
        "crustocean_hooks_active?": "#number",
        "crustocean_claims_pending?": "#number",
        "http_request_duration_seconds?": "#array",
        "db_query_duration_seconds?": {"count": "#number", "sum": "#number"},
        "agent_response_duration_seconds?": "#array",
        "socket_connections_current?": "#number"
      }
      """
    And $.http_requests_total[0] matches:
      """
      {"labels?": {"method": "#string", "path": "#string", "status": "#regex ^[1-5][0-9][0-9]$"}, "value?": "#number"}
      """
    And $.http_request_duration_seconds[0] matches:
      """
      {"labels?": {"method": "#string", "path": "#string", "status?": "#notpresent"}, "count?": "#number", "sum?": "#number"}
      """

  Scenario: The snapshot refuses a request without a key
    Given I use no credential
    When I send GET "/metrics/json"
    Then the request is refused
    And the status is 401 (assumed)
    And $.error is a non-empty string (assumed)

  Scenario: The snapshot refuses a wrong key in the query
    Given I use no credential
    When I send GET "/metrics/json?key={random_uuid}"
    Then the request is refused
    And the status is 401 (assumed)

  Scenario: The snapshot refuses a wrong key in the header
    Given I use no credential
    And the request header "X-Metrics-Key" is "{random_uuid}"
    When I send GET "/metrics/json"
    Then the request is refused
    And the status is 401 (assumed)

  Scenario Outline: <path> refuses <credential> in place of the metrics key
    Given I use <credential>
    When I send GET "<path>"
    Then the request is refused
    And the status is 401 (assumed)

    Examples:
      | path          | credential                       |
      | /metrics      | the pat credential               |
      | /metrics      | the session credential           |
      | /metrics      | the cookie credential            |
      | /metrics      | the agent session credential     |
      | /metrics      | the agent token credential       |
      | /metrics      | the hook key credential          |
      | /metrics      | no credential                    |
      | /metrics/json | the pat credential               |
      | /metrics/json | the session credential           |
      | /metrics/json | the cookie credential            |
      | /metrics/json | the agent session credential     |
      | /metrics/json | the agent token credential       |
      | /metrics/json | the hook key credential          |
      | /metrics/json | no credential                    |

  Scenario: Health answers ok
    Given I use no credential
    When I send GET "/health"
    Then the status is 200 (assumed)
    And the response matches:
      """
      {"status?": "ok"}
      """
    And the header "content-type" contains "application/json" (assumed)

  Scenario Outline: Health ignores the <credential>
    Given I use <credential>
    When I send GET "/health"
    Then the credential is accepted
    And the status is 200 (assumed)

    Examples:
      | credential                   |
      | the pat credential           |
      | the session credential       |
      | the cookie credential        |
      | the agent session credential |
      | the agent token credential   |
      | the hook key credential      |
      | a malformed session credential |

  @metrics-exact
  Scenario: Requests to the observability endpoints are not counted in the HTTP metrics
    Given I take a metrics baseline
    And I use no credential
    When I send GET "/health"
    Then the status is 200 (assumed)
    When I send GET "/metrics"
    Then the request is refused
    Given I use the metrics key credential
    When I send GET "/metrics/json"
    Then the status is 200 (assumed)
    When I send GET "/metrics"
    Then the status is 200
    And the metric http_requests_total increases by 0
    And the metric http_request_duration_seconds_count increases by 0
    And the metric db_query_duration_seconds_count increases by 0

  @metrics-exact
  Scenario: Every API request is counted once, also a refused one
    Given I take a metrics baseline
    And I use no credential
    When I send GET "/api/explore/capabilities"
    Then the status is 200
    When I send GET "/api/explore/agencies?limit=0"
    Then the request is refused
    And the metric http_requests_total{method="GET",path="/api/explore/capabilities",status="200"} increases by 1
    And the metric http_requests_total{method="GET",path="/api/explore/agencies",status="400"} increases by 1
    And the metric http_requests_total increases by 2
    And the metric http_request_duration_seconds_count{method="GET",path="/api/explore/agencies"} increases by 1
    And the metric db_query_duration_seconds_count increases by 2
