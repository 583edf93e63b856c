@messages @metrics-exact
Feature: Metrics moved by the message history
  Reading a history moves only the HTTP metrics of its route template (metrics.md §5, "lookups
  and every read"); seeding it through the hooks runtime adds to the messages gauge.

  Scenario: Reading an agency's history counts one request of its route template
    Given I take a metrics baseline
    And I use the pat credential
    When I send GET "/api/agencies/{agency.id}/messages"
    Then the status is 2xx
    And the metric http_requests_total{path="/api/agencies/:id/messages",method="GET",status="200"} increases by 1
    And the metric http_request_duration_seconds_count{path="/api/agencies/:id/messages",method="GET"} increases by 1
    And the metric db_query_duration_seconds_count increases by 1

  Scenario: Reading a DM history counts one request of its route template
    Given I use the pat credential
    When I send POST "/api/dm/{other.id}"
    Then the status is one of 200, 201
    And I remember $.agencyId or $.agency_id as dm_id
    Given I take a metrics baseline
    When I send GET "/api/dm/{dm_id}/messages?limit=5"
    Then the status is 2xx
    # The template's parameter name is not significant (endpoints.md §2.1), so the series is
    # selected by method and status alone: nothing else runs on this instance.
    And the metric http_requests_total{method="GET",status="200"} increases by 1
    And the metric http_request_duration_seconds_count{method="GET"} increases by 1

  Scenario: Seeding a history adds each message to the messages gauge, reading it adds none
    Given I take a metrics baseline
    And I use the hook key credential
    When I send POST "/api/hooks/messages" 3 times
      """
      {"agencyId": "{agency.id}", "content": "counted {unique:seed}"}
      """
    Given I use the pat credential
    When I walk the history at "/api/agencies/{agency.id}/messages" with limit 2 by timestamp
    Then the list has 3 items where $.content equals "counted {unique:seed}"
    And the metric crustocean_messages_total increases by 3
