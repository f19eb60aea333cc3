"""An emulator of Twilio's Voice signaling service, for the real Voice JS SDK."""
