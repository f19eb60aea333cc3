"""The sandbox: everything that stands in for what sits across the network.

A local emulator of Twilio's signaling service that the real Voice SDK talks to and
of the REST API that the real twilio-python talks to (``twilio_rest``), a page that behaves like Oracle Fusion's agent desktop with a stand-in for the UEF
library, throw-away credentials, and the token service from ``server/`` mounted
under ``/api``. Development and tests only: never deployed.
"""
