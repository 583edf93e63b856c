@hooks
Feature: Credentials on the custom-command and hook endpoints
  The credential matrix of rows 56–75 (endpoints.md §2, credentials.md §1 and §3): every
  credential type on every row. Path IDs are fresh UUIDs and bodies `{}`, so an accepted
  credential meets 404 or 400 and nothing changes. The command and management rows take
  P S C A; the hook runtime rows only the hook key (`Authorization` and cookies are not read
  there); the reads by slug, ID and URL need nothing and ignore whatever is sent; the deploy
  also takes a verified agent's raw token. A raw agent token elsewhere is an unknown session,
  and a hook key header alone is no credential.

  Scenario Outline: <method> <path> with <credential>
    Given I use <credential>
    When I send <method> "<path>"
      """
      {}
      """
    Then <outcome>
    And the status is <status> (assumed)

    Examples:
      | method | path                                                               | credential                   | outcome                    | status |
      | GET    | /api/custom-commands/{random_uuid}/commands                        | the pat credential           | the credential is accepted | 404    |
      | GET    | /api/custom-commands/{random_uuid}/commands                        | the session credential       | the credential is accepted | 404    |
      | GET    | /api/custom-commands/{random_uuid}/commands                        | the cookie credential        | the credential is accepted | 404    |
      | GET    | /api/custom-commands/{random_uuid}/commands                        | the agent session credential | the credential is accepted | 404    |
      | GET    | /api/custom-commands/{random_uuid}/commands                        | the agent token credential   | the request is refused     | 401    |
      | GET    | /api/custom-commands/{random_uuid}/commands                        | the hook key credential      | the request is refused     | 401    |
      | GET    | /api/custom-commands/{random_uuid}/commands                        | no credential                | the request is refused     | 401    |
      | POST   | /api/custom-commands/{random_uuid}/commands                        | the pat credential           | the credential is accepted | 404    |
      | POST   | /api/custom-commands/{random_uuid}/commands                        | the session credential       | the credential is accepted | 404    |
      | POST   | /api/custom-commands/{random_uuid}/commands                        | the cookie credential        | the credential is accepted | 404    |
      | POST   | /api/custom-commands/{random_uuid}/commands                        | the agent session credential | the credential is accepted | 404    |
      | POST   | /api/custom-commands/{random_uuid}/commands                        | the agent token credential   | the request is refused     | 401    |
      | POST   | /api/custom-commands/{random_uuid}/commands                        | the hook key credential      | the request is refused     | 401    |
      | POST   | /api/custom-commands/{random_uuid}/commands                        | no credential                | the request is refused     | 401    |
      | PATCH  | /api/custom-commands/{random_uuid}/commands/{random_uuid}          | the pat credential           | the credential is accepted | 404    |
      | PATCH  | /api/custom-commands/{random_uuid}/commands/{random_uuid}          | the session credential       | the credential is accepted | 404    |
      | PATCH  | /api/custom-commands/{random_uuid}/commands/{random_uuid}          | the cookie credential        | the credential is accepted | 404    |
      | PATCH  | /api/custom-commands/{random_uuid}/commands/{random_uuid}          | the agent session credential | the credential is accepted | 404    |
      | PATCH  | /api/custom-commands/{random_uuid}/commands/{random_uuid}          | the agent token credential   | the request is refused     | 401    |
      | PATCH  | /api/custom-commands/{random_uuid}/commands/{random_uuid}          | the hook key credential      | the request is refused     | 401    |
      | PATCH  | /api/custom-commands/{random_uuid}/commands/{random_uuid}          | no credential                | the request is refused     | 401    |
      | DELETE | /api/custom-commands/{random_uuid}/commands/{random_uuid}          | the pat credential           | the credential is accepted | 404    |
      | DELETE | /api/custom-commands/{random_uuid}/commands/{random_uuid}          | the session credential       | the credential is accepted | 404    |
      | DELETE | /api/custom-commands/{random_uuid}/commands/{random_uuid}          | the cookie credential        | the credential is accepted | 404    |
      | DELETE | /api/custom-commands/{random_uuid}/commands/{random_uuid}          | the agent session credential | the credential is accepted | 404    |
      | DELETE | /api/custom-commands/{random_uuid}/commands/{random_uuid}          | the agent token credential   | the request is refused     | 401    |
      | DELETE | /api/custom-commands/{random_uuid}/commands/{random_uuid}          | the hook key credential      | the request is refused     | 401    |
      | DELETE | /api/custom-commands/{random_uuid}/commands/{random_uuid}          | no credential                | the request is refused     | 401    |
      | POST   | /api/custom-commands/{random_uuid}/commands/{random_uuid}/hook-key | the pat credential           | the credential is accepted | 404    |
      | POST   | /api/custom-commands/{random_uuid}/commands/{random_uuid}/hook-key | the session credential       | the credential is accepted | 404    |
      | POST   | /api/custom-commands/{random_uuid}/commands/{random_uuid}/hook-key | the cookie credential        | the credential is accepted | 404    |
      | POST   | /api/custom-commands/{random_uuid}/commands/{random_uuid}/hook-key | the agent session credential | the credential is accepted | 404    |
      | POST   | /api/custom-commands/{random_uuid}/commands/{random_uuid}/hook-key | the agent token credential   | the request is refused     | 401    |
      | POST   | /api/custom-commands/{random_uuid}/commands/{random_uuid}/hook-key | the hook key credential      | the request is refused     | 401    |
      | POST   | /api/custom-commands/{random_uuid}/commands/{random_uuid}/hook-key | no credential                | the request is refused     | 401    |
      | DELETE | /api/custom-commands/{random_uuid}/commands/{random_uuid}/hook-key | the pat credential           | the credential is accepted | 404    |
      | DELETE | /api/custom-commands/{random_uuid}/commands/{random_uuid}/hook-key | the session credential       | the credential is accepted | 404    |
      | DELETE | /api/custom-commands/{random_uuid}/commands/{random_uuid}/hook-key | the cookie credential        | the credential is accepted | 404    |
      | DELETE | /api/custom-commands/{random_uuid}/commands/{random_uuid}/hook-key | the agent session credential | the credential is accepted | 404    |
      | DELETE | /api/custom-commands/{random_uuid}/commands/{random_uuid}/hook-key | the agent token credential   | the request is refused     | 401    |
      | DELETE | /api/custom-commands/{random_uuid}/commands/{random_uuid}/hook-key | the hook key credential      | the request is refused     | 401    |
      | DELETE | /api/custom-commands/{random_uuid}/commands/{random_uuid}/hook-key | no credential                | the request is refused     | 401    |
      | PATCH  | /api/hooks/by-id/{random_uuid}                                     | the pat credential           | the credential is accepted | 404    |
      | PATCH  | /api/hooks/by-id/{random_uuid}                                     | the session credential       | the credential is accepted | 404    |
      | PATCH  | /api/hooks/by-id/{random_uuid}                                     | the cookie credential        | the credential is accepted | 404    |
      | PATCH  | /api/hooks/by-id/{random_uuid}                                     | the agent session credential | the credential is accepted | 404    |
      | PATCH  | /api/hooks/by-id/{random_uuid}                                     | the agent token credential   | the request is refused     | 401    |
      | PATCH  | /api/hooks/by-id/{random_uuid}                                     | the hook key credential      | the request is refused     | 401    |
      | PATCH  | /api/hooks/by-id/{random_uuid}                                     | no credential                | the request is refused     | 401    |
      | POST   | /api/hooks/by-id/{random_uuid}/rotate-key                          | the pat credential           | the credential is accepted | 404    |
      | POST   | /api/hooks/by-id/{random_uuid}/rotate-key                          | the session credential       | the credential is accepted | 404    |
      | POST   | /api/hooks/by-id/{random_uuid}/rotate-key                          | the cookie credential        | the credential is accepted | 404    |
      | POST   | /api/hooks/by-id/{random_uuid}/rotate-key                          | the agent session credential | the credential is accepted | 404    |
      | POST   | /api/hooks/by-id/{random_uuid}/rotate-key                          | the agent token credential   | the request is refused     | 401    |
      | POST   | /api/hooks/by-id/{random_uuid}/rotate-key                          | the hook key credential      | the request is refused     | 401    |
      | POST   | /api/hooks/by-id/{random_uuid}/rotate-key                          | no credential                | the request is refused     | 401    |
      | DELETE | /api/hooks/by-id/{random_uuid}/revoke-key                          | the pat credential           | the credential is accepted | 404    |
      | DELETE | /api/hooks/by-id/{random_uuid}/revoke-key                          | the session credential       | the credential is accepted | 404    |
      | DELETE | /api/hooks/by-id/{random_uuid}/revoke-key                          | the cookie credential        | the credential is accepted | 404    |
      | DELETE | /api/hooks/by-id/{random_uuid}/revoke-key                          | the agent session credential | the credential is accepted | 404    |
      | DELETE | /api/hooks/by-id/{random_uuid}/revoke-key                          | the agent token credential   | the request is refused     | 401    |
      | DELETE | /api/hooks/by-id/{random_uuid}/revoke-key                          | the hook key credential      | the request is refused     | 401    |
      | DELETE | /api/hooks/by-id/{random_uuid}/revoke-key                          | no credential                | the request is refused     | 401    |
      | PATCH  | /api/hooks/metadata                                                | the pat credential           | the credential is accepted | 400    |
      | PATCH  | /api/hooks/metadata                                                | the session credential       | the credential is accepted | 400    |
      | PATCH  | /api/hooks/metadata                                                | the cookie credential        | the credential is accepted | 400    |
      | PATCH  | /api/hooks/metadata                                                | the agent session credential | the credential is accepted | 400    |
      | PATCH  | /api/hooks/metadata                                                | the agent token credential   | the request is refused     | 401    |
      | PATCH  | /api/hooks/metadata                                                | the hook key credential      | the request is refused     | 401    |
      | PATCH  | /api/hooks/metadata                                                | no credential                | the request is refused     | 401    |
      | POST   | /api/hooks/rotate-key                                              | the pat credential           | the credential is accepted | 400    |
      | POST   | /api/hooks/rotate-key                                              | the session credential       | the credential is accepted | 400    |
      | POST   | /api/hooks/rotate-key                                              | the cookie credential        | the credential is accepted | 400    |
      | POST   | /api/hooks/rotate-key                                              | the agent session credential | the credential is accepted | 400    |
      | POST   | /api/hooks/rotate-key                                              | the agent token credential   | the request is refused     | 401    |
      | POST   | /api/hooks/rotate-key                                              | the hook key credential      | the request is refused     | 401    |
      | POST   | /api/hooks/rotate-key                                              | no credential                | the request is refused     | 401    |
      | PATCH  | /api/hooks/source                                                  | the pat credential           | the credential is accepted | 400    |
      | PATCH  | /api/hooks/source                                                  | the session credential       | the credential is accepted | 400    |
      | PATCH  | /api/hooks/source                                                  | the cookie credential        | the credential is accepted | 400    |
      | PATCH  | /api/hooks/source                                                  | the agent session credential | the credential is accepted | 400    |
      | PATCH  | /api/hooks/source                                                  | the agent token credential   | the request is refused     | 401    |
      | PATCH  | /api/hooks/source                                                  | the hook key credential      | the request is refused     | 401    |
      | PATCH  | /api/hooks/source                                                  | no credential                | the request is refused     | 401    |

  Scenario Outline: POST /api/hooks/deploy with <credential>
    Given I use <credential>
    When I send POST "/api/hooks/deploy"
      """
      {}
      """
    Then <outcome>
    And the status is <status> (assumed)

    Examples:
      | credential                   | outcome                    | status |
      | the pat credential           | the credential is accepted | 400    |
      | the session credential       | the credential is accepted | 400    |
      | the cookie credential        | the credential is accepted | 400    |
      | the agent session credential | the credential is accepted | 400    |
      | the agent token credential   | the credential is accepted | 400    |
      | the hook key credential      | the request is refused     | 401    |
      | no credential                | the request is refused     | 401    |

  # assumptions.md #232: a target that also takes a user session Bearer on the runtime rows is
  # reported, not failed; hence the (assumed) refusal for the user credentials.
  Scenario Outline: Hook runtime <method> <path> with <credential>
    Given I use <credential>
    When I send <method> "<path>"
      """
      {}
      """
    Then <outcome>
    And the status is <status> (assumed)

    Examples:
      | method | path                                      | credential                   | outcome                          | status |
      | GET    | /api/hooks/agencies                       | the pat credential           | the request is refused (assumed) | 401    |
      | GET    | /api/hooks/agencies                       | the session credential       | the request is refused (assumed) | 401    |
      | GET    | /api/hooks/agencies                       | the cookie credential        | the request is refused (assumed) | 401    |
      | GET    | /api/hooks/agencies                       | the agent session credential | the request is refused           | 401    |
      | GET    | /api/hooks/agencies                       | the agent token credential   | the request is refused           | 401    |
      | GET    | /api/hooks/agencies                       | the hook key credential      | the credential is accepted       | 200    |
      | GET    | /api/hooks/agencies                       | no credential                | the request is refused           | 401    |
      | GET    | /api/hooks/agencies/{random_uuid}/members | the pat credential           | the request is refused (assumed) | 401    |
      | GET    | /api/hooks/agencies/{random_uuid}/members | the session credential       | the request is refused (assumed) | 401    |
      | GET    | /api/hooks/agencies/{random_uuid}/members | the cookie credential        | the request is refused (assumed) | 401    |
      | GET    | /api/hooks/agencies/{random_uuid}/members | the agent session credential | the request is refused           | 401    |
      | GET    | /api/hooks/agencies/{random_uuid}/members | the agent token credential   | the request is refused           | 401    |
      | GET    | /api/hooks/agencies/{random_uuid}/members | the hook key credential      | the credential is accepted       | 404    |
      | GET    | /api/hooks/agencies/{random_uuid}/members | no credential                | the request is refused           | 401    |
      | POST   | /api/hooks/messages                       | the pat credential           | the request is refused (assumed) | 401    |
      | POST   | /api/hooks/messages                       | the session credential       | the request is refused (assumed) | 401    |
      | POST   | /api/hooks/messages                       | the cookie credential        | the request is refused (assumed) | 401    |
      | POST   | /api/hooks/messages                       | the agent session credential | the request is refused           | 401    |
      | POST   | /api/hooks/messages                       | the agent token credential   | the request is refused           | 401    |
      | POST   | /api/hooks/messages                       | the hook key credential      | the credential is accepted       | 400    |
      | POST   | /api/hooks/messages                       | no credential                | the request is refused           | 401    |
      | PATCH  | /api/hooks/messages/{random_uuid}         | the pat credential           | the request is refused (assumed) | 401    |
      | PATCH  | /api/hooks/messages/{random_uuid}         | the session credential       | the request is refused (assumed) | 401    |
      | PATCH  | /api/hooks/messages/{random_uuid}         | the cookie credential        | the request is refused (assumed) | 401    |
      | PATCH  | /api/hooks/messages/{random_uuid}         | the agent session credential | the request is refused           | 401    |
      | PATCH  | /api/hooks/messages/{random_uuid}         | the agent token credential   | the request is refused           | 401    |
      | PATCH  | /api/hooks/messages/{random_uuid}         | the hook key credential      | the credential is accepted       | 404    |
      | PATCH  | /api/hooks/messages/{random_uuid}         | no credential                | the request is refused           | 401    |

  Scenario Outline: Public <path> ignores <credential>
    Given I use <credential>
    When I send GET "<path>"
    Then the credential is accepted
    And the status is 404 (assumed)

    Examples:
      | path                                                                      | credential                   |
      | /api/hooks/by-slug/tg-{run}-matrix-nothing                                | the pat credential           |
      | /api/hooks/by-slug/tg-{run}-matrix-nothing                                | the session credential       |
      | /api/hooks/by-slug/tg-{run}-matrix-nothing                                | the cookie credential        |
      | /api/hooks/by-slug/tg-{run}-matrix-nothing                                | the agent session credential |
      | /api/hooks/by-slug/tg-{run}-matrix-nothing                                | the agent token credential   |
      | /api/hooks/by-slug/tg-{run}-matrix-nothing                                | the hook key credential      |
      | /api/hooks/by-slug/tg-{run}-matrix-nothing                                | no credential                |
      | /api/hooks/by-id/{random_uuid}                                            | the pat credential           |
      | /api/hooks/by-id/{random_uuid}                                            | the session credential       |
      | /api/hooks/by-id/{random_uuid}                                            | the cookie credential        |
      | /api/hooks/by-id/{random_uuid}                                            | the agent session credential |
      | /api/hooks/by-id/{random_uuid}                                            | the agent token credential   |
      | /api/hooks/by-id/{random_uuid}                                            | the hook key credential      |
      | /api/hooks/by-id/{random_uuid}                                            | no credential                |
      | /api/hooks/source?webhook_url=https://example.com/tg/{run}/matrix-nothing | the pat credential           |
      | /api/hooks/source?webhook_url=https://example.com/tg/{run}/matrix-nothing | the session credential       |
      | /api/hooks/source?webhook_url=https://example.com/tg/{run}/matrix-nothing | the cookie credential        |
      | /api/hooks/source?webhook_url=https://example.com/tg/{run}/matrix-nothing | the agent session credential |
      | /api/hooks/source?webhook_url=https://example.com/tg/{run}/matrix-nothing | the agent token credential   |
      | /api/hooks/source?webhook_url=https://example.com/tg/{run}/matrix-nothing | the hook key credential      |
      | /api/hooks/source?webhook_url=https://example.com/tg/{run}/matrix-nothing | no credential                |
