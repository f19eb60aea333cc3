"""Every browser-free module imports (on CPython and, via test_client_micropython, MicroPython)."""


def test_modules_browser_free_ones_import():
    """The core, the controller and the integration handlers need no browser."""
    import toolbar.controller
    import toolbar.cti_vendor_handler
    import toolbar.integration_action_handler
    import toolbar.integration_events_handler
    import toolbar.tokens

    assert toolbar.controller.Controller
    assert toolbar.cti_vendor_handler.ICtiVendorHandler
    assert toolbar.integration_action_handler.IntegrationActionHandler
    assert toolbar.integration_events_handler.IntegrationEventsHandler
    assert toolbar.tokens.read_token_response


def test_modules_vendor_interface_is_abstract():
    """ICtiVendorHandler only names what a vendor must provide."""
    from toolbar.cti_vendor_handler import ICtiVendorHandler

    vendor = ICtiVendorHandler()
    for coroutine in (vendor.make_agent_available(1, "t"), vendor.update_token(1, "t"),
                      vendor.make_agent_unavailable(1)):
        try:
            coroutine.send(None)
        except NotImplementedError:
            continue
        raise AssertionError("not abstract: " + repr(coroutine))
