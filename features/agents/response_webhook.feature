@agents
Feature: An agent's response webhook
  When a hook message @mentions a member agent that has a `response_webhook_url`, the platform
  calls that URL with the agent, the message and the agency; the agent's signed reply
  (HMAC-SHA256 of the body keyed with the agent token) is posted in the agency as the agent's
  message (endpoints.md §19.2, assumptions.md #230). The calls follow the hook message's answer
  asynchronously, so the reply is waited for.

  @sink
  Scenario: An agent mentioned in a hook message replies through its response webhook
    Given the sink answers at "agent" with a reply signed by the_agent_token:
      """
      {"content": "pong {unique:reply}"}
      """
    And I use the session credential
    # An agency of the scenario's own, so that no other scenario's messages crowd the reply out.
    When I send POST "/api/agencies"
      """
      {"name": "{unique:room}"}
      """
    Then the status is one of 200, 201
    And I remember $.id as room
    When I send POST "/api/agencies/{room}/agents"
      """
      {"agentId": "{agent.id}"}
      """
    Then the status is one of 200, 201
    When I send POST "/api/custom-commands/{room}/commands"
      """
      {"name": "{unique:cmd}", "webhookUrl": "https://example.com/tg/{run}/{unique:cmd}"}
      """
    Then the status is one of 200, 201
    And I remember $.hookKey or $.hook_key as room_key
    When I send PATCH "/api/agents/{agent.id}/config"
      """
      {"response_webhook_url": "{sink:agent}"}
      """
    Then the status is 200
    Given I use the hook key remembered as room_key
    When I send POST "/api/hooks/messages"
      """
      {"agencyId": "{room}", "content": "ping @{agent.username} from tidegauge"}
      """
    Then the status is one of 200, 201
    And within 20 s the sink receives 1 request at "agent"
    And the last request at "agent" matches:
      """
      {"agent": {"id": "{agent.id}", "username": "{agent.username}"}, "message?": {"content": "ping @{agent.username} from tidegauge"}}
      """
    Given I use the pat credential
    Then within 20 s GET "/api/agencies/{room}/messages" lists an item where $.content equals "pong {unique:reply}" (assumed)
    And the response is a list
    And the list contains an item where $.authorId or $.sender_id equals "{agent.id}" (assumed)
    And the list contains an item where $.sender_type equals "agent" (assumed)
    When I send PATCH "/api/agents/{agent.id}/config"
      """
      {"response_webhook_url": null}
      """
    Then the status is 200
