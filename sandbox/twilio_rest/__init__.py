"""The emulator's Twilio REST API, as twilio-python reaches it through ``TWILIO_REST_URL``.

- ``api``: the sans-I/O core: one request in (method, path, query, form, Basic auth), one
  response out (status, Twilio's JSON), changes made through the emulator's router and
  conferences; it logs the last requests for the control API.
- ``resources``: Twilio's JSON for calls, conferences and participants, and the 2010 paging
  envelope; ``params``: Twilio's form parameters, checked; ``errors``: Twilio's error JSON.
- ``http``: the Flask blueprint at ``/sandbox/twilio/rest/<domain>/...``; it parses and
  serialises only.

The subset emulated, and what is not, is docs/twilio-rest.md.
"""
