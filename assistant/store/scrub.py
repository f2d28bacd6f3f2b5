"""Scrub e-mail addresses and phone numbers from what parents type, before anything is stored.

Phone numbers are found by Google's libphonenumber (the `phonenumbers` package): US numbers in
any usual writing ("(626) 555-0123", "626.555.0123", "+1 626 555 0123"), any number written
with its country code ("+44 20 7946 0958", "011 44 ..."), and those dialled with the "00"
prefix used outside North America ("0044 20 7946 0958", "0034 612 34 56 78"). Plain years and
counts ("the 2016-2020 plan", "1,200 students") are left alone: no region's numbering plan
makes a phone number of them for the two regions read here.
"""

from __future__ import annotations

import re

from phonenumbers import Leniency, PhoneNumberMatcher

EMAIL_MARK = "[email]"
PHONE_MARK = "[phone]"

# Local part and domain as people type them (dots, plus tags, hyphens); an "at" with spaces
# around it is not an address. Scrubbing a little too much is the safe side here.
_EMAIL = re.compile(r"[\w.+%'-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)

# The district's own numbering plan first, then Spain's: its "00" international prefix is the one
# most of the world dials, and Spanish is the assistant's other language.
_REGIONS = ("US", "ES")


def scrub(text: str) -> str:
    """`text` with each e-mail address replaced by [email] and each phone number by [phone]."""
    text = _EMAIL.sub(EMAIL_MARK, text)
    for region in _REGIONS:
        # POSSIBLE, not VALID: a number need not be assigned ("555-0123") to be someone's.
        matches = list(PhoneNumberMatcher(text, region, leniency=Leniency.POSSIBLE))
        for match in reversed(matches):  # from the end, so earlier offsets stay right
            text = text[: match.start] + PHONE_MARK + text[match.end :]
    return text
