@messages
Feature: Credentials on the message-history endpoints
  Rows 21 and 31 accept a PAT, a user session (Bearer or cookie) and an agent session
  (credentials.md §1). A raw agent token as Bearer is an unknown session, and a hook key header
  alone is no credential: both are refused like a missing credential (401). Path IDs are random,
  so an accepted credential gets 404 and nothing is read.

  Scenario Outline: <path> accepts a <credential> credential
    Given I use the <credential> credential
    When I send GET "<path>"
    Then the credential is accepted

    Examples: agency history (row 21)
      | path                                  | credential    |
      | /api/agencies/{random_uuid}/messages  | pat           |
      | /api/agencies/{random_uuid}/messages  | session       |
      | /api/agencies/{random_uuid}/messages  | cookie        |
      | /api/agencies/{random_uuid}/messages  | agent session |

    Examples: DM history (row 31)
      | path                            | credential    |
      | /api/dm/{random_uuid}/messages  | pat           |
      | /api/dm/{random_uuid}/messages  | session       |
      | /api/dm/{random_uuid}/messages  | cookie        |
      | /api/dm/{random_uuid}/messages  | agent session |

  Scenario Outline: <path> refuses <credential>
    Given I use <credential>
    When I send GET "<path>"
    Then the request is refused
    And the status is 401 (assumed)
    And the answer is an API error

    Examples: agency history (row 21)
      | path                                  | credential                 |
      | /api/agencies/{random_uuid}/messages  | the agent token credential |
      | /api/agencies/{random_uuid}/messages  | the hook key credential    |
      | /api/agencies/{random_uuid}/messages  | no credential              |

    Examples: DM history (row 31)
      | path                            | credential                 |
      | /api/dm/{random_uuid}/messages  | the agent token credential |
      | /api/dm/{random_uuid}/messages  | the hook key credential    |
      | /api/dm/{random_uuid}/messages  | no credential              |

  Scenario: A malformed session is refused on the agency history
    Given I use a malformed session credential
    When I send GET "/api/agencies/{agency.id}/messages"
    Then the request is refused
    And the status is 401 (assumed)

  Scenario: A malformed PAT is refused on the DM history
    Given I use a malformed pat credential
    When I send GET "/api/dm/{random_uuid}/messages"
    Then the request is refused
    And the status is 401 (assumed)
