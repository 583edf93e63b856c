@agents
Feature: Which credentials the agent and claim endpoints accept
  The credential matrix of rows 34–44 (endpoints.md §2, credentials.md §1 and §2.4). Agent
  management is for humans: an agent session on a users-only row gets 403 before anything else
  is looked at (§1.3 step 4). A raw agent token as Bearer is an unknown session and a hook key
  header alone is no credential (401). The claim lookup and the claim link need no credential,
  so every kind is ignored there; self-registration's matrix is in register.feature. Requests
  are harmless: unknown IDs (an accepted credential gets 404) and empty bodies (400).

  Scenario Outline: <method> <path> with <credential>
    Given I use <credential>
    When I send <method> "<path>"
    Then <outcome>
    And the status is <status>

    Examples: the owner-only rows, users only (verify, config update, transfer, delete)
      | method | path                                | credential                   | outcome                    | status        |
      | POST   | /api/agents/{random_uuid}/verify    | the pat credential           | the credential is accepted | 404 (assumed) |
      | POST   | /api/agents/{random_uuid}/verify    | the session credential       | the credential is accepted | 404 (assumed) |
      | POST   | /api/agents/{random_uuid}/verify    | the cookie credential        | the credential is accepted | 404 (assumed) |
      | POST   | /api/agents/{random_uuid}/verify    | the agent session credential | the request is refused     | 403 (assumed) |
      | POST   | /api/agents/{random_uuid}/verify    | the agent token credential   | the request is refused     | 401 (assumed) |
      | POST   | /api/agents/{random_uuid}/verify    | the hook key credential      | the request is refused     | 401 (assumed) |
      | POST   | /api/agents/{random_uuid}/verify    | no credential                | the request is refused     | 401 (assumed) |
      | PATCH  | /api/agents/{random_uuid}/config    | the pat credential           | the credential is accepted | 404 (assumed) |
      | PATCH  | /api/agents/{random_uuid}/config    | the session credential       | the credential is accepted | 404 (assumed) |
      | PATCH  | /api/agents/{random_uuid}/config    | the cookie credential        | the credential is accepted | 404 (assumed) |
      | PATCH  | /api/agents/{random_uuid}/config    | the agent session credential | the request is refused     | 403 (assumed) |
      | PATCH  | /api/agents/{random_uuid}/config    | the agent token credential   | the request is refused     | 401 (assumed) |
      | PATCH  | /api/agents/{random_uuid}/config    | the hook key credential      | the request is refused     | 401 (assumed) |
      | PATCH  | /api/agents/{random_uuid}/config    | no credential                | the request is refused     | 401 (assumed) |
      | POST   | /api/agents/{random_uuid}/transfer  | the pat credential           | the credential is accepted | 404 (assumed) |
      | POST   | /api/agents/{random_uuid}/transfer  | the session credential       | the credential is accepted | 404 (assumed) |
      | POST   | /api/agents/{random_uuid}/transfer  | the cookie credential        | the credential is accepted | 404 (assumed) |
      | POST   | /api/agents/{random_uuid}/transfer  | the agent session credential | the request is refused     | 403 (assumed) |
      | POST   | /api/agents/{random_uuid}/transfer  | the agent token credential   | the request is refused     | 401 (assumed) |
      | POST   | /api/agents/{random_uuid}/transfer  | the hook key credential      | the request is refused     | 401 (assumed) |
      | POST   | /api/agents/{random_uuid}/transfer  | no credential                | the request is refused     | 401 (assumed) |
      | DELETE | /api/agents/{random_uuid}           | the pat credential           | the credential is accepted | 404 (assumed) |
      | DELETE | /api/agents/{random_uuid}           | the session credential       | the credential is accepted | 404 (assumed) |
      | DELETE | /api/agents/{random_uuid}           | the cookie credential        | the credential is accepted | 404 (assumed) |
      | DELETE | /api/agents/{random_uuid}           | the agent session credential | the request is refused     | 403 (assumed) |
      | DELETE | /api/agents/{random_uuid}           | the agent token credential   | the request is refused     | 401 (assumed) |
      | DELETE | /api/agents/{random_uuid}           | the hook key credential      | the request is refused     | 401 (assumed) |
      | DELETE | /api/agents/{random_uuid}           | no credential                | the request is refused     | 401 (assumed) |

    Examples: the users-only rows without a path ID (create an agent, start a claim), with an empty body
      | method | path               | credential                   | outcome                    | status        |
      | POST   | /api/agents        | the pat credential           | the credential is accepted | 400 (assumed) |
      | POST   | /api/agents        | the session credential       | the credential is accepted | 400 (assumed) |
      | POST   | /api/agents        | the cookie credential        | the credential is accepted | 400 (assumed) |
      | POST   | /api/agents        | the agent session credential | the request is refused     | 403 (assumed) |
      | POST   | /api/agents        | the agent token credential   | the request is refused     | 401 (assumed) |
      | POST   | /api/agents        | the hook key credential      | the request is refused     | 401 (assumed) |
      | POST   | /api/agents        | no credential                | the request is refused     | 401 (assumed) |
      | POST   | /api/agents/claim  | the pat credential           | the credential is accepted | 400 (assumed) |
      | POST   | /api/agents/claim  | the session credential       | the credential is accepted | 400 (assumed) |
      | POST   | /api/agents/claim  | the cookie credential        | the credential is accepted | 400 (assumed) |
      | POST   | /api/agents/claim  | the agent session credential | the request is refused     | 403 (assumed) |
      | POST   | /api/agents/claim  | the agent token credential   | the request is refused     | 401 (assumed) |
      | POST   | /api/agents/claim  | the hook key credential      | the request is refused     | 401 (assumed) |
      | POST   | /api/agents/claim  | no credential                | the request is refused     | 401 (assumed) |

    Examples: the rows an agent session may call (list agents, read a config)
      | method | path                              | credential                   | outcome                              | status        |
      | GET    | /api/agents                       | the pat credential           | the credential is accepted           | 200           |
      | GET    | /api/agents                       | the session credential       | the credential is accepted           | 200           |
      | GET    | /api/agents                       | the cookie credential        | the credential is accepted           | 200           |
      | GET    | /api/agents                       | the agent session credential | the credential is accepted (assumed) | 200 (assumed) |
      | GET    | /api/agents                       | the agent token credential   | the request is refused               | 401 (assumed) |
      | GET    | /api/agents                       | the hook key credential      | the request is refused               | 401 (assumed) |
      | GET    | /api/agents                       | no credential                | the request is refused               | 401 (assumed) |
      | GET    | /api/agents/{random_uuid}/config  | the pat credential           | the credential is accepted           | 404 (assumed) |
      | GET    | /api/agents/{random_uuid}/config  | the session credential       | the credential is accepted           | 404 (assumed) |
      | GET    | /api/agents/{random_uuid}/config  | the cookie credential        | the credential is accepted           | 404 (assumed) |
      | GET    | /api/agents/{random_uuid}/config  | the agent session credential | the credential is accepted           | 404 (assumed) |
      | GET    | /api/agents/{random_uuid}/config  | the agent token credential   | the request is refused               | 401 (assumed) |
      | GET    | /api/agents/{random_uuid}/config  | the hook key credential      | the request is refused               | 401 (assumed) |
      | GET    | /api/agents/{random_uuid}/config  | no credential                | the request is refused               | 401 (assumed) |

    Examples: the claim rows that need no credential (every kind is ignored)
      | method | path                                              | credential                   | outcome                    | status |
      | GET    | /api/agents/claim/cru_claim_{random_uuid}         | the pat credential           | the credential is accepted | 404    |
      | GET    | /api/agents/claim/cru_claim_{random_uuid}         | the session credential       | the credential is accepted | 404    |
      | GET    | /api/agents/claim/cru_claim_{random_uuid}         | the cookie credential        | the credential is accepted | 404    |
      | GET    | /api/agents/claim/cru_claim_{random_uuid}         | the agent session credential | the credential is accepted | 404    |
      | GET    | /api/agents/claim/cru_claim_{random_uuid}         | the agent token credential   | the credential is accepted | 404    |
      | GET    | /api/agents/claim/cru_claim_{random_uuid}         | the hook key credential      | the credential is accepted | 404    |
      | GET    | /api/agents/claim/cru_claim_{random_uuid}         | no credential                | the credential is accepted | 404    |
      | GET    | /api/agents/claim/verify/{random_uuid}            | the pat credential           | the credential is accepted | 302    |
      | GET    | /api/agents/claim/verify/{random_uuid}            | the session credential       | the credential is accepted | 302    |
      | GET    | /api/agents/claim/verify/{random_uuid}            | the cookie credential        | the credential is accepted | 302    |
      | GET    | /api/agents/claim/verify/{random_uuid}            | the agent session credential | the credential is accepted | 302    |
      | GET    | /api/agents/claim/verify/{random_uuid}            | the agent token credential   | the credential is accepted | 302    |
      | GET    | /api/agents/claim/verify/{random_uuid}            | the hook key credential      | the credential is accepted | 302    |
      | GET    | /api/agents/claim/verify/{random_uuid}            | no credential                | the credential is accepted | 302    |
