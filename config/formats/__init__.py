"""
One way to write a date, and one a date with its time, per language (FORMAT_MODULE_PATH): every
page, PDF and export goes through Django's `date` filter or `formats.date_format`, which read
these. A date is never all digits but in ISO order, so 01/02 cannot be read either way; a time
always carries its zone as an offset from UTC ("16:05 UTC+0800"): the abbreviations ("T") are
ambiguous (China's CST reads as US Central time, and many zones have none).
What these modules leave out (numbers, first day of the week) is Django's own for the language.

Date inputs stay ISO (an <input type="date"> sends 2026-12-02 in every language): the input
formats below put it first, so a form's initial value is written the way the browser reads it.
"""
