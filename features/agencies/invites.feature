@agencies
Feature: Agency invites
  The owner (or an admin) creates an invite code with `maxUses` (default 1) and an optional
  `expires` (`<n>m`, `<n>h`, `<n>d`); any caller holding the code redeems it and joins without
  the agency's password (endpoints.md §9, rows 22–23). Expired or used-up invites are rejected;
  a member redeeming is a conflict and consumes no use.

  Background:
    Given I use the pat credential
    When I send POST "/api/agencies"
      """
      {"name": "{unique:private}", "isPrivate": true, "password": "sesame-{unique:pw}"}
      """
    Then the status is 2xx
    And I remember $.id as private_id

  Scenario: The owner creates an invite with maxUses and an expiry
    When I send POST "/api/agencies/{private_id}/invites"
      """
      {"maxUses": 2, "expires": "24h"}
      """
    Then the status is one of 200, 201
    And the status is 201 (assumed)
    And the response is an Invite
    And $.code or $.invite_code matches "^\S+$"
    And $.code matches "^[A-Z2-9]{10}$" (assumed)
    And $.agencyId equals "{private_id}" (assumed)
    And $.maxUses equals 2 (assumed)
    And $.uses equals 0 (assumed)
    And $.expiresAt is a datetime (assumed)

  Scenario: An invite without options has one use and never expires
    When I send POST "/api/agencies/{private_id}/invites"
    Then the status is one of 200, 201
    And the response is an Invite
    And $.maxUses equals 1 (assumed)
    And $.expiresAt equals null (assumed)

  Scenario: The other user redeems an invite and becomes a member of the private agency
    When I send POST "/api/agencies/{private_id}/invites"
      """
      {"maxUses": 2, "expires": "24h"}
      """
    Then the status is 2xx
    And I remember $.code or $.invite_code as code
    Given I use the other user's session credential
    When I send POST "/api/agencies/invite/redeem"
      """
      {"code": "{code}"}
      """
    Then the status is one of 200, 201
    And the status is 200 (assumed)
    And $.ok equals true (assumed)
    And $.agencyId or $.agency_id equals "{private_id}"
    And $.agency is an AgencyRef
    When I send GET "/api/agencies/{private_id}/members"
    Then the status is 200
    And the response is a list
    And the list contains an item where $.id equals "{other.id}"

  Scenario: A used-up invite is rejected
    When I send POST "/api/agencies/{private_id}/invites"
      """
      {"maxUses": 1}
      """
    Then the status is 2xx
    And I remember $.code or $.invite_code as code
    Given I use the other user's pat credential
    When I send POST "/api/agencies/invite/redeem"
      """
      {"code": "{code}"}
      """
    Then the status is 2xx
    Given I use the agent session credential
    When I send POST "/api/agencies/invite/redeem"
      """
      {"code": "{code}"}
      """
    Then the request is refused
    And the status is one of 400, 403, 404, 410
    And the status is 410 (assumed)
    And the answer is an API error

  Scenario: Redeeming while already a member is a conflict and consumes no use
    When I send POST "/api/agencies/{private_id}/invites"
      """
      {"maxUses": 1}
      """
    Then the status is 2xx
    And I remember $.code or $.invite_code as code
    When I send POST "/api/agencies/invite/redeem"
      """
      {"code": "{code}"}
      """
    Then the status is one of 200, 409
    And the status is 409 (assumed)
    Given I use the other user's pat credential
    When I send POST "/api/agencies/invite/redeem"
      """
      {"code": "{code}"}
      """
    Then the status is 200 (assumed)

  Scenario: An unknown code is not found
    Given I use the other user's pat credential
    When I send POST "/api/agencies/invite/redeem"
      """
      {"code": "NOSUCHCODE"}
      """
    Then the request is refused
    And the status is one of 400, 404
    And the status is 404 (assumed)
    And the answer is an API error

  Scenario: Redeeming without a code is refused
    Given I use the other user's pat credential
    When I send POST "/api/agencies/invite/redeem"
      """
      {}
      """
    Then the request is refused
    And the status is 400 (assumed)
    And the answer is an API error

  Scenario: Someone other than the owner cannot create an invite
    Given I use the other user's pat credential
    When I send POST "/api/agencies/{private_id}/invites"
    Then the request is refused
    And the status is 403 (assumed)
    And the answer is an API error

  Scenario: A plain member of a public agency cannot create an invite
    Given I use the pat credential
    When I send POST "/api/agencies"
      """
      {"name": "{unique:public}"}
      """
    Then the status is 2xx
    And I remember $.id as public_id
    Given I use the other user's session credential
    When I send POST "/api/agencies/{public_id}/join"
    Then the status is 2xx
    When I send POST "/api/agencies/{public_id}/invites"
    Then the status is one of 201, 403
    And the status is 403 (assumed)

  Scenario: An invite with maxUses 0 is refused
    When I send POST "/api/agencies/{private_id}/invites"
      """
      {"maxUses": 0}
      """
    Then the request is refused
    And the status is 400 (assumed)
    And the answer is an API error

  Scenario: An invite with an expiry that is not a duration is refused
    When I send POST "/api/agencies/{private_id}/invites"
      """
      {"expires": "forever"}
      """
    Then the request is refused
    And the status is 400 (assumed)

  Scenario: Inviting to an unknown agency is not found
    When I send POST "/api/agencies/{random_uuid}/invites"
    Then the status is 404 (assumed)
    And the answer is an API error

  @clock
  Scenario: An expired invite is rejected
    When I send POST "/api/agencies/{private_id}/invites"
      """
      {"maxUses": 5, "expires": "30m"}
      """
    Then the status is 2xx
    And I remember $.code or $.invite_code as code
    When I send POST "/__reference/clock/advance"
      """
      {"seconds": 1860}
      """
    Given I use the other user's pat credential
    When I send POST "/api/agencies/invite/redeem"
      """
      {"code": "{code}"}
      """
    Then the request is refused
    And the status is one of 400, 403, 404, 410
    And the status is 410 (assumed)
    And the answer is an API error
