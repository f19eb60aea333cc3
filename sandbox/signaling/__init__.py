"""An emulator of Twilio's Voice signaling service, for the real Voice JS SDK.

The core is sans-I/O and runs without sockets:

- ``switchboard``: the entry point; connections, messages, faults, the control API's view.
- ``protocol``: the PStream wire format and the per-connection handshake.
- ``tokens``: Access Token verification, as on ``listen``.
- ``routing`` and ``dialing``: a call's life (webhook, TwiML) and its ``<Dial>`` legs.
- ``calls``: calls, legs, the registry and the simulated phones.
- ``conferences``: conference rooms and their participants, and their status callbacks.
- ``webhook``: the signed voice webhook and the TwiML it answers; ``sdp``: minimal SDPs.
- ``effects``: what the core asks of the I/O layer.

The I/O: ``emulator`` (the ``websockets`` server, and the HTTP requests the core asks for)
and ``control`` (the Flask blueprint of ``/sandbox/api/twilio``). Twilio's REST API, which
drives the same calls and conferences, is ``sandbox/twilio_rest``.
"""
