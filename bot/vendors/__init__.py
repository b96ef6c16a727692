"""Meeting vendors: one MeetingVendor per vendor, every answer an Outcome."""
