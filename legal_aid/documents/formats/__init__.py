"""
The forms recipients accept, over the same composed argument (`brief`, `appeal`, `caseload`).

Every format has a cover block (addressee, submitting organisation, confidential contact, date,
urgency and any deadline), an executive summary of at most 150 words, numbered paragraphs, a list
of requests naming who must do what, an evidence list and one short provenance paragraph.

- A communication to the UN special procedures follows the order the mechanism asks for: the
  person(s), what happened (when, where, who acted), the authorities involved, domestic steps
  taken, the individual risk, consent to transmit identity to the State, and the submitting
  organisation with a confidential contact. An urgent appeal is offered only for someone the
  authorities hold or pursue (`rules.un_communication`); an allegation letter reports violations
  that happened or go on without imminent harm (a child refused registration or school), only
  about someone an authority already refused or holds (`rules.allegation_letter`). Both reach
  the Government: they name people only with consent to transmit identity to the State
  (`casework.redaction.naming_scopes`), and otherwise say that it may not be transmitted.
- A submission on a child's nationality, registration and schooling, to the Committee on the
  Rights of the Child, UNHCR or a partner lawyer.
- A letter to a Chinese authority, in Chinese: offered where the person is known to that
  authority (`rules.known_to_authority`); otherwise only after a recorded decision.
- The caseload report.

A named document carries the identifiers a recipient needs (name in Hangul, romanised and in
Chinese as recorded, date of birth, place of detention), only where the Redactor names the family
(consent of every member, and a supervisor's approval before anyone downloads it); the approval
page lists them (`identifiers_printed`).
"""
