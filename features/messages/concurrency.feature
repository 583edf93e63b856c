@messages
Feature: Message history under concurrent posting
  History is stable under concurrent posting (endpoints.md §8.2): messages posted at the same
  time through the hooks runtime are each stored once, with distinct `createdAt` values, and a
  walk of the history finds every one of them exactly once.

  Scenario: Twenty hook messages posted at once are each stored exactly once
    Given I use the hook key credential
    When I send POST "/api/hooks/messages" 20 times concurrently
      """
      {"agencyId": "{agency.id}", "content": "burst {unique:burst}"}
      """
    Given I use the pat credential
    Then walking the history at "/api/agencies/{agency.id}/messages" with limit 50 finds the 20 messages with content "burst {unique:burst}" once each
