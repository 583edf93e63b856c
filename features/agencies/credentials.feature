@agencies
Feature: Credentials on the agency endpoints
  Rows 13–28 accept a PAT, a user session (Bearer or cookie) and an agent session
  (credentials.md §1); none of them is users-only. A raw agent token as Bearer is an unknown
  session, and a hook key header alone is no credential: both are refused like a missing
  credential (401, credentials.md §3). Requests are harmless: path IDs are random (an accepted
  credential gets 404) and bodies are `{}` (creating an agency without a name and redeeming
  without a code are 400).

  Scenario Outline: GET <path> accepts a <credential> credential (row <row>)
    Given I use the <credential> credential
    When I send GET "<path>"
    Then the credential is accepted

    Examples:
      | row | path                                | credential    |
      | 13  | /api/agencies                       | pat           |
      | 13  | /api/agencies                       | session       |
      | 13  | /api/agencies                       | cookie        |
      | 13  | /api/agencies                       | agent session |
      | 17  | /api/agencies/lookup/{random_uuid}  | pat           |
      | 17  | /api/agencies/lookup/{random_uuid}  | session       |
      | 17  | /api/agencies/lookup/{random_uuid}  | cookie        |
      | 17  | /api/agencies/lookup/{random_uuid}  | agent session |
      | 20  | /api/agencies/{random_uuid}/members | pat           |
      | 20  | /api/agencies/{random_uuid}/members | session       |
      | 20  | /api/agencies/{random_uuid}/members | cookie        |
      | 20  | /api/agencies/{random_uuid}/members | agent session |
      | 24  | /api/agencies/{random_uuid}/skills  | pat           |
      | 24  | /api/agencies/{random_uuid}/skills  | session       |
      | 24  | /api/agencies/{random_uuid}/skills  | cookie        |
      | 24  | /api/agencies/{random_uuid}/skills  | agent session |
      | 27  | /api/agencies/{random_uuid}/runs    | pat           |
      | 27  | /api/agencies/{random_uuid}/runs    | session       |
      | 27  | /api/agencies/{random_uuid}/runs    | cookie        |
      | 27  | /api/agencies/{random_uuid}/runs    | agent session |
      | 28  | /api/runs/{random_uuid}             | pat           |
      | 28  | /api/runs/{random_uuid}             | session       |
      | 28  | /api/runs/{random_uuid}             | cookie        |
      | 28  | /api/runs/{random_uuid}             | agent session |

  Scenario Outline: GET <path> refuses <credential> (row <row>)
    Given I use <credential>
    When I send GET "<path>"
    Then the request is refused
    And the status is 401 (assumed)
    And the answer is an API error

    Examples:
      | row | path                                | credential                 |
      | 13  | /api/agencies                       | the agent token credential |
      | 13  | /api/agencies                       | the hook key credential    |
      | 13  | /api/agencies                       | no credential              |
      | 17  | /api/agencies/lookup/{random_uuid}  | the agent token credential |
      | 17  | /api/agencies/lookup/{random_uuid}  | the hook key credential    |
      | 17  | /api/agencies/lookup/{random_uuid}  | no credential              |
      | 20  | /api/agencies/{random_uuid}/members | the agent token credential |
      | 20  | /api/agencies/{random_uuid}/members | the hook key credential    |
      | 20  | /api/agencies/{random_uuid}/members | no credential              |
      | 24  | /api/agencies/{random_uuid}/skills  | the agent token credential |
      | 24  | /api/agencies/{random_uuid}/skills  | the hook key credential    |
      | 24  | /api/agencies/{random_uuid}/skills  | no credential              |
      | 27  | /api/agencies/{random_uuid}/runs    | the agent token credential |
      | 27  | /api/agencies/{random_uuid}/runs    | the hook key credential    |
      | 27  | /api/agencies/{random_uuid}/runs    | no credential              |
      | 28  | /api/runs/{random_uuid}             | the agent token credential |
      | 28  | /api/runs/{random_uuid}             | the hook key credential    |
      | 28  | /api/runs/{random_uuid}             | no credential              |

  Scenario Outline: <method> <path> accepts a <credential> credential (row <row>)
    Given I use the <credential> credential
    When I send <method> "<path>"
      """
      {}
      """
    Then the credential is accepted

    Examples:
      | row | method | path                                | credential    |
      | 14  | POST   | /api/agencies                       | pat           |
      | 14  | POST   | /api/agencies                       | session       |
      | 14  | POST   | /api/agencies                       | cookie        |
      | 14  | POST   | /api/agencies                       | agent session |
      | 15  | PATCH  | /api/agencies/{random_uuid}         | pat           |
      | 15  | PATCH  | /api/agencies/{random_uuid}         | session       |
      | 15  | PATCH  | /api/agencies/{random_uuid}         | cookie        |
      | 15  | PATCH  | /api/agencies/{random_uuid}         | agent session |
      | 16  | DELETE | /api/agencies/{random_uuid}         | pat           |
      | 16  | DELETE | /api/agencies/{random_uuid}         | session       |
      | 16  | DELETE | /api/agencies/{random_uuid}         | cookie        |
      | 16  | DELETE | /api/agencies/{random_uuid}         | agent session |
      | 18  | POST   | /api/agencies/{random_uuid}/join    | pat           |
      | 18  | POST   | /api/agencies/{random_uuid}/join    | session       |
      | 18  | POST   | /api/agencies/{random_uuid}/join    | cookie        |
      | 18  | POST   | /api/agencies/{random_uuid}/join    | agent session |
      | 19  | POST   | /api/agencies/{random_uuid}/leave   | pat           |
      | 19  | POST   | /api/agencies/{random_uuid}/leave   | session       |
      | 19  | POST   | /api/agencies/{random_uuid}/leave   | cookie        |
      | 19  | POST   | /api/agencies/{random_uuid}/leave   | agent session |
      | 22  | POST   | /api/agencies/{random_uuid}/invites | pat           |
      | 22  | POST   | /api/agencies/{random_uuid}/invites | session       |
      | 22  | POST   | /api/agencies/{random_uuid}/invites | cookie        |
      | 22  | POST   | /api/agencies/{random_uuid}/invites | agent session |
      | 23  | POST   | /api/agencies/invite/redeem         | pat           |
      | 23  | POST   | /api/agencies/invite/redeem         | session       |
      | 23  | POST   | /api/agencies/invite/redeem         | cookie        |
      | 23  | POST   | /api/agencies/invite/redeem         | agent session |
      | 25  | POST   | /api/agencies/{random_uuid}/skills  | pat           |
      | 25  | POST   | /api/agencies/{random_uuid}/skills  | session       |
      | 25  | POST   | /api/agencies/{random_uuid}/skills  | cookie        |
      | 25  | POST   | /api/agencies/{random_uuid}/skills  | agent session |
      | 26  | POST   | /api/agencies/{random_uuid}/agents  | pat           |
      | 26  | POST   | /api/agencies/{random_uuid}/agents  | session       |
      | 26  | POST   | /api/agencies/{random_uuid}/agents  | cookie        |
      | 26  | POST   | /api/agencies/{random_uuid}/agents  | agent session |

  Scenario Outline: <method> <path> refuses <credential> (row <row>)
    Given I use <credential>
    When I send <method> "<path>"
      """
      {}
      """
    Then the request is refused
    And the status is 401 (assumed)
    And the answer is an API error

    Examples:
      | row | method | path                                | credential                 |
      | 14  | POST   | /api/agencies                       | the agent token credential |
      | 14  | POST   | /api/agencies                       | the hook key credential    |
      | 14  | POST   | /api/agencies                       | no credential              |
      | 15  | PATCH  | /api/agencies/{random_uuid}         | the agent token credential |
      | 15  | PATCH  | /api/agencies/{random_uuid}         | the hook key credential    |
      | 15  | PATCH  | /api/agencies/{random_uuid}         | no credential              |
      | 16  | DELETE | /api/agencies/{random_uuid}         | the agent token credential |
      | 16  | DELETE | /api/agencies/{random_uuid}         | the hook key credential    |
      | 16  | DELETE | /api/agencies/{random_uuid}         | no credential              |
      | 18  | POST   | /api/agencies/{random_uuid}/join    | the agent token credential |
      | 18  | POST   | /api/agencies/{random_uuid}/join    | the hook key credential    |
      | 18  | POST   | /api/agencies/{random_uuid}/join    | no credential              |
      | 19  | POST   | /api/agencies/{random_uuid}/leave   | the agent token credential |
      | 19  | POST   | /api/agencies/{random_uuid}/leave   | the hook key credential    |
      | 19  | POST   | /api/agencies/{random_uuid}/leave   | no credential              |
      | 22  | POST   | /api/agencies/{random_uuid}/invites | the agent token credential |
      | 22  | POST   | /api/agencies/{random_uuid}/invites | the hook key credential    |
      | 22  | POST   | /api/agencies/{random_uuid}/invites | no credential              |
      | 23  | POST   | /api/agencies/invite/redeem         | the agent token credential |
      | 23  | POST   | /api/agencies/invite/redeem         | the hook key credential    |
      | 23  | POST   | /api/agencies/invite/redeem         | no credential              |
      | 25  | POST   | /api/agencies/{random_uuid}/skills  | the agent token credential |
      | 25  | POST   | /api/agencies/{random_uuid}/skills  | the hook key credential    |
      | 25  | POST   | /api/agencies/{random_uuid}/skills  | no credential              |
      | 26  | POST   | /api/agencies/{random_uuid}/agents  | the agent token credential |
      | 26  | POST   | /api/agencies/{random_uuid}/agents  | the hook key credential    |
      | 26  | POST   | /api/agencies/{random_uuid}/agents  | no credential              |

  Scenario: A malformed session is refused on the agency list
    Given I use a malformed session credential
    When I send GET "/api/agencies"
    Then the request is refused
    And the status is 401 (assumed)
    And the answer is an API error

  Scenario: A malformed cookie is refused on agency creation
    Given I use a malformed cookie credential
    When I send POST "/api/agencies"
      """
      {"name": "{unique:team}"}
      """
    Then the request is refused
    And the status is 401 (assumed)

  Scenario: A malformed Authorization header is refused on a join
    Given I send the Authorization header "Token abc"
    When I send POST "/api/agencies/{agency.id}/join"
    Then the request is refused
    And the status is 401 (assumed)
