@agencies @metrics-exact
Feature: Metrics moved by agencies and memberships
  Creating an agency adds an agency and its owner's membership; joins, invite redemptions and
  added agents add a membership, a leave removes one; a delete removes the agency and its
  memberships (metrics.md §5). Each scenario runs on a fresh instance of its own.

  Scenario: Creating an agency adds one agency and one membership
    Given I take a metrics baseline
    And I use the pat credential
    When I send POST "/api/agencies"
      """
      {"name": "{unique:team}"}
      """
    Then the status is 2xx
    And the metric http_requests_total{path="/api/agencies",method="POST",status="201"} increases by 1
    And the metric crustocean_agencies_total increases by 1
    And the metric crustocean_memberships_total increases by 1

  Scenario: A join adds a membership and a leave removes it
    Given I use the pat credential
    When I send POST "/api/agencies"
      """
      {"name": "{unique:team}"}
      """
    Then the status is 2xx
    And I remember $.id as team_id
    Given I take a metrics baseline
    And I use the other user's session credential
    When I send POST "/api/agencies/{team_id}/join"
    Then the status is 2xx
    And the metric crustocean_memberships_total increases by 1
    Given I take a metrics baseline
    When I send POST "/api/agencies/{team_id}/leave"
    Then the status is 2xx
    And the metric crustocean_memberships_total decreases by 1

  Scenario: An invite redemption and an added agent each add a membership
    Given I use the pat credential
    When I send POST "/api/agencies"
      """
      {"name": "{unique:team}"}
      """
    Then the status is 2xx
    And I remember $.id as team_id
    When I send POST "/api/agencies/{team_id}/invites"
    Then the status is 2xx
    And I remember $.code or $.invite_code as code
    Given I take a metrics baseline
    When I send POST "/api/agencies/{team_id}/agents"
      """
      {"agentId": "{agent.id}"}
      """
    Then the status is 2xx
    Given I use the other user's pat credential
    When I send POST "/api/agencies/invite/redeem"
      """
      {"code": "{code}"}
      """
    Then the status is 2xx
    And the metric crustocean_memberships_total increases by 2
    And the metric crustocean_agencies_total increases by 0

  Scenario: Deleting an agency removes it and every membership
    Given I use the pat credential
    When I send POST "/api/agencies"
      """
      {"name": "{unique:team}"}
      """
    Then the status is 2xx
    And I remember $.id as team_id
    When I send POST "/api/agencies/{team_id}/agents"
      """
      {"agentId": "{agent.id}"}
      """
    Then the status is 2xx
    Given I take a metrics baseline
    When I send DELETE "/api/agencies/{team_id}"
    Then the status is 2xx
    And the metric crustocean_agencies_total decreases by 1
    And the metric crustocean_memberships_total decreases by 2

  Scenario: Reads and refusals move only the HTTP metrics
    Given I take a metrics baseline
    And I use the pat credential
    When I send GET "/api/agencies/lookup/{agency.slug}"
    Then the status is 2xx
    Given I use the other user's pat credential
    When I send PATCH "/api/agencies/{agency.id}"
      """
      {"charter": "not mine"}
      """
    Then the request is refused
    And the metric http_requests_total{path="/api/agencies/lookup/:slug",method="GET",status="200"} increases by 1
    And the metric http_requests_total{path="/api/agencies/:id",method="PATCH",status="403"} increases by 1
    And the metric crustocean_agencies_total increases by 0
    And the metric crustocean_memberships_total increases by 0
