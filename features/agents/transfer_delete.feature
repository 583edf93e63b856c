@agents
Feature: Transferring and deleting agents
  The owner hands an agent to another human with `POST /api/agents/:id/transfer`
  (endpoints.md §11.2): the agent token is not regenerated, so it keeps exchanging, and the
  new owner gains the owner rights. `DELETE /api/agents/:id` removes the agent: its token no
  longer exchanges and its sessions are revoked (credentials.md §2.4, assumptions.md #36).

  Scenario: The owner transfers an agent to another user, whose rights it then is
    Given I use the session credential
    When I send POST "/api/agents"
      """
      {"name": "{agent_name:t}"}
      """
    Then the status is one of 200, 201
    And I remember the secret $.agentToken as agent_token
    And I remember $.agent.id as agent_id
    And I remember $.agent.username as agent_username
    When I send POST "/api/agents/{agent_id}/verify"
    Then the status is 200
    When I send POST "/api/agents/{agent_id}/transfer"
      """
      {"newOwnerUsername": "{other.username}"}
      """
    Then the status is 200
    And the response matches:
      """
      {
        "ok": true,
        "agent": {"id": "{agent_id}", "username": "{agent_username}"},
        "newOwner": {"id": "{other.id}", "username": "{other.username}"}
      }
      """
    Given I use no credential
    When I send POST "/api/auth/agent"
      """
      {"agentToken": "{agent_token}"}
      """
    Then the status is 200
    And $.user.id equals "{agent_id}"
    Given I use the session credential
    When I send GET "/api/agents"
    Then the response is a list
    And the list does not contain an item where $.id equals "{agent_id}"
    When I send POST "/api/agents/{agent_id}/verify"
    Then the request is refused
    And the status is 403 (assumed)
    Given I use the other user's session credential
    When I send GET "/api/agents"
    Then the status is 200
    And the response is a list
    And the list contains an item where $.id equals "{agent_id}"
    And each item matches:
      """
      {"ownerId": "{other.id}"}
      """
    When I send GET "/api/agents/{agent_id}/config"
    Then the status is 200
    When I send DELETE "/api/agents/{agent_id}"
    Then the status is one of 200, 204
    And the status is 200 (assumed)

  Scenario: A transfer may name the new owner by ID
    Given I use the session credential
    When I send POST "/api/agents"
      """
      {"name": "{agent_name:i}"}
      """
    Then the status is one of 200, 201
    And I remember $.agent.id as agent_id
    When I send POST "/api/agents/{agent_id}/transfer"
      """
      {"newOwnerId": "{other.id}"}
      """
    Then the status is 200
    And $.newOwner.id equals "{other.id}"
    And $.newOwner.username equals "{other.username}"
    Given I use the other user's pat credential
    When I send DELETE "/api/agents/{agent_id}"
    Then the status is one of 200, 204

  Scenario: Transferring an agent to an agent is refused
    Given I use the session credential
    When I send POST "/api/agents/{agent.id}/transfer"
      """
      {"newOwnerUsername": "{agent.username}"}
      """
    Then the request is refused
    And the status is one of 400, 404
    And the status is 400 (assumed)
    And the answer is an API error

  Scenario: Transferring an agent without naming the new owner is refused
    Given I use the session credential
    When I send POST "/api/agents/{agent.id}/transfer"
      """
      {}
      """
    Then the request is refused
    And the status is one of 400, 422
    And the status is 400 (assumed)
    And the answer is an API error

  Scenario: Transferring an agent to its current owner is refused
    Given I use the session credential
    When I send POST "/api/agents/{agent.id}/transfer"
      """
      {"newOwnerUsername": "{owner.username}"}
      """
    Then the request is refused
    And the status is 400 (assumed)
    And the answer is an API error

  Scenario: Transferring an agent to an unknown user is refused
    Given I use the session credential
    When I send POST "/api/agents/{agent.id}/transfer"
      """
      {"newOwnerId": "{random_uuid}"}
      """
    Then the request is refused
    And the status is 404 (assumed)
    And the answer is an API error

  Scenario: Transferring an unknown agent is refused
    Given I use the session credential
    When I send POST "/api/agents/{random_uuid}/transfer"
      """
      {"newOwnerUsername": "{other.username}"}
      """
    Then the request is refused
    And the status is 404 (assumed)
    And the answer is an API error

  Scenario: Only the owner may transfer an agent
    Given I use the other user's session credential
    When I send POST "/api/agents/{agent.id}/transfer"
      """
      {"newOwnerUsername": "{other.username}"}
      """
    Then the request is refused
    And the status is 403 (assumed)
    And the answer is an API error

  Scenario: An agent session cannot transfer an agent, not even itself
    Given I use the agent session credential
    When I send POST "/api/agents/{agent.id}/transfer"
      """
      {"newOwnerUsername": "{other.username}"}
      """
    Then the request is refused
    And the status is 403 (assumed)
    And the answer is an API error

  Scenario: Deleting an agent kills its token and its sessions
    Given I use the session credential
    When I send POST "/api/agents"
      """
      {"name": "{agent_name:x}", "agencyId": "{agency.id}"}
      """
    Then the status is one of 200, 201
    And I remember the secret $.agentToken as agent_token
    And I remember $.agent.id as agent_id
    When I send POST "/api/agents/{agent_id}/verify"
    Then the status is 200
    Given I use no credential
    When I send POST "/api/auth/agent"
      """
      {"agentToken": "{agent_token}"}
      """
    Then the status is 200
    And I remember the secret $.token as agent_session
    Given I use the session credential
    When I send DELETE "/api/agents/{agent_id}"
    Then the status is one of 200, 204
    And the status is 200 (assumed)
    And $.ok equals true (assumed)
    Given I use no credential
    When I send POST "/api/auth/agent"
      """
      {"agentToken": "{agent_token}"}
      """
    Then the status is 401
    And the answer is an API error
    Given I use the bearer token remembered as agent_session
    When I send GET "/api/auth/me"
    Then the request is refused (assumed)
    And the status is 401 (assumed)
    Given I use the session credential
    When I send GET "/api/agents"
    Then the response is a list
    And the list does not contain an item where $.id equals "{agent_id}"
    When I send GET "/api/agencies/{agency.id}/members"
    Then the status is 200
    And the response is a list
    And the list does not contain an item where $.id equals "{agent_id}"
    When I send DELETE "/api/agents/{agent_id}"
    Then the request is refused
    And the status is 404 (assumed)

  Scenario: Only the owner may delete an agent
    Given I use the other user's cookie credential
    When I send DELETE "/api/agents/{agent.id}"
    Then the request is refused
    And the status is 403 (assumed)
    And the answer is an API error

  Scenario: Deleting an unknown agent is refused
    Given I use the session credential
    When I send DELETE "/api/agents/{random_uuid}"
    Then the request is refused
    And the status is 404 (assumed)
    And the answer is an API error

  Scenario: An agent session cannot delete an agent, not even itself
    Given I use the agent session credential
    When I send DELETE "/api/agents/{agent.id}"
    Then the request is refused
    And the status is 403 (assumed)
    And the answer is an API error
