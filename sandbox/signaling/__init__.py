"""An emulator of Twilio's Voice signaling service, for the real Voice JS SDK.

The core is sans-I/O and runs without sockets:

- ``switchboard``: the entry point; connections, messages, faults, the control API's view.
- ``protocol``: the PStream wire format and the per-connection handshake.
- ``tokens``: Access Token verification, as on ``listen``.
- ``routing`` and ``dialing``: a call's life (webhook, TwiML) and its ``<Dial>`` legs.
- ``calls``: calls, legs, the registry and the simulated phones.
- ``webhook``: the signed voice webhook and the TwiML it answers; ``sdp``: minimal SDPs.
- ``effects``: what the core asks of the I/O layer.

The I/O: ``emulator`` (the ``websockets`` server) and ``control`` (the Flask blueprint
of ``/sandbox/api/twilio``).
"""
